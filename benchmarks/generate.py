"""Write synthetic but realistic Terraform trees for the benchmarks, deterministic from a seed.

A tree looks like a broker's infrastructure monorepo: ``stacks/<domain>/`` root modules of about
ten information systems each, every system spread over a network, an app and an edge file
(VPC, subnets, route tables, security groups, instances, a database, an ALB with its WAF, a
network firewall for core systems), classification tags on the resources and the provider's
default_tags, and local modules under ``modules/`` that some systems call. A few resources are
deliberately non-compliant (an untagged instance, an ALB without WAF, a public database), so the
checks have failures to report, as they would in a real estate.

    python benchmarks/generate.py OUT_DIR --resources 1000 [--seed 7]
    python benchmarks/generate.py OUT_DIR --dynamic-rules 60      # a module heavy with dynamic blocks

The resource count is exact: resource blocks in the stacks plus, for each module call, the
resources the module declares (Checkov and Terraform both expand them).
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SYSTEMS_PER_STACK = 10
DOMAINS = ("trading", "settlement", "market-data", "custody", "clearing", "risk", "ledger", "crm",
           "reporting", "wealth", "margin", "futures", "bonds", "funds", "kyc", "payments")
INSTANCE_TYPES = ("m6i.large", "m6i.xlarge", "c6i.large", "r6i.large", "t3.medium")
DB_ENGINES = (("postgres", "15.5"), ("mysql", "8.0.35"), ("postgres", "16.1"))
LEVELS = ("high", "medium", "low")

# Resources declared by each local module (a module call expands to these).
MODULE_RESOURCES = {"app_service": 3, "tagged_bucket": 3}

MODULES = {
    "app_service": {
        "variables.tf": '''variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''# A small internal worker: its own security group, one instance and its log group.
resource "aws_security_group" "this" {
  name   = "${var.name}-worker"
  vpc_id = var.vpc_id

  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_instance" "this" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = var.instance_type
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.this.id]
  monitoring             = true

  metadata_options {
    http_tokens = "required"
  }

  tags = merge(var.tags, { Name = "${var.name}-worker" })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/app/${var.name}/worker"
  retention_in_days = 90
}
''',
        "outputs.tf": '''output "instance_id" {
  value = aws_instance.this.id
}

output "security_group_id" {
  value = aws_security_group.this.id
}
''',
    },
    "tagged_bucket": {
        "variables.tf": '''variable "bucket" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
''',
        "main.tf": '''resource "aws_s3_bucket" "this" {
  bucket = var.bucket
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
''',
        "outputs.tf": '''output "bucket_arn" {
  value = aws_s3_bucket.this.arn
}
''',
    },
}


def _tags(system: str, cls: str, extra: dict[str, str] | None = None, indent: str = "  ") -> str:
    pairs = {"Name": system, "twb:system": system, "twb:class": cls, **(extra or {})}
    body = "".join(f'{indent}  "{k}" = "{v}"\n' for k, v in pairs.items())
    return f"{indent}tags = {{\n{body}{indent}}}\n"


class System:
    """One information system: its resources as HCL text in three files, and how many there are."""

    def __init__(self, rng: random.Random, index: int, domain: str) -> None:
        self.rng = rng
        self.i = index
        self.name = f"{domain.replace('-', '_')}_{index:04d}"
        self.system = f"{domain}-{index:04d}"
        self.core = rng.random() < 0.6
        self.cls = "core" if self.core else "non-core"
        self.net = f"10.{index % 250}"
        self.worker = index % 3 == 0  # calls modules/app_service
        self.archive = index % 4 == 1  # calls modules/tagged_bucket
        # A realistic estate is not spotless: these give the checks something to fail on.
        self.untagged_instance = rng.random() < 0.05
        self.alb_without_waf = rng.random() < 0.05
        self.public_db = self.core and rng.random() < 0.03

    @property
    def resource_count(self) -> int:
        count = 14 + 8 + (4 if self.alb_without_waf else 5) + (3 if self.core else 0)  # network, app, edge, firewall
        count += MODULE_RESOURCES["app_service"] if self.worker else 0
        count += MODULE_RESOURCES["tagged_bucket"] if self.archive else 0
        return count

    def network_tf(self) -> str:
        n, s = self.name, self.net
        out = [f"# {self.system}: network. Public subnets hold the load balancer only; "
               "private subnets leave the VPC through the firewall endpoint.\n\n"]
        out.append(f'resource "aws_vpc" "{n}" {{\n  cidr_block           = "{s}.0.0/16"\n'
                   f'  enable_dns_hostnames = true\n{_tags(self.system, self.cls)}}}\n\n')
        out.append(f'resource "aws_internet_gateway" "{n}" {{\n  vpc_id = aws_vpc.{n}.id\n}}\n\n')
        subnets = (("public_a", 0, "a"), ("public_c", 1, "c"), ("private_a", 10, "a"), ("private_c", 11, "c"),
                   ("firewall", 2, "a"))
        for label, octet, az in subnets:
            mask = 28 if label == "firewall" else 24
            out.append(f'resource "aws_subnet" "{n}_{label}" {{\n  vpc_id            = aws_vpc.{n}.id\n'
                       f'  cidr_block        = "{s}.{octet}.0/{mask}"\n'
                       f'  availability_zone = "ap-northeast-1{az}"\n}}\n\n')
        out.append(f'resource "aws_route_table" "{n}_public" {{\n  vpc_id = aws_vpc.{n}.id\n\n'
                   f'  route {{\n    cidr_block = "0.0.0.0/0"\n    gateway_id = aws_internet_gateway.{n}.id\n  }}\n}}\n\n')
        out.append(f'resource "aws_route_table" "{n}_private" {{\n  vpc_id = aws_vpc.{n}.id\n}}\n\n')
        out.append(f'resource "aws_route" "{n}_private_egress" {{\n  route_table_id         = aws_route_table.{n}_private.id\n'
                   f'  destination_cidr_block = "0.0.0.0/0"\n  vpc_endpoint_id        = var.firewall_endpoint_ids["{self.system}"]\n}}\n\n')
        for label in ("public_a", "public_c", "private_a", "private_c"):
            table = "public" if label.startswith("public") else "private"
            out.append(f'resource "aws_route_table_association" "{n}_{label}" {{\n'
                       f'  subnet_id      = aws_subnet.{n}_{label}.id\n'
                       f'  route_table_id = aws_route_table.{n}_{table}.id\n}}\n\n')
        return "".join(out)

    def app_tf(self) -> str:
        n, rng = self.name, self.rng
        port = rng.choice((8080, 8443, 9000))
        engine, version = rng.choice(DB_ENGINES)
        db_port = 5432 if engine == "postgres" else 3306
        out = [f"# {self.system}: application and data tier.\n\n"]
        out.append(f'resource "aws_security_group" "{n}_alb" {{\n  name   = "{self.system}-alb"\n  vpc_id = aws_vpc.{n}.id\n\n'
                   f'  ingress {{\n    from_port   = 443\n    to_port     = 443\n    protocol    = "tcp"\n'
                   f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n\n')
        out.append(f'resource "aws_security_group" "{n}_app" {{\n  name   = "{self.system}-app"\n  vpc_id = aws_vpc.{n}.id\n\n'
                   f'  ingress {{\n    from_port       = {port}\n    to_port         = {port}\n    protocol        = "tcp"\n'
                   f'    security_groups = [aws_security_group.{n}_alb.id]\n  }}\n}}\n\n')
        out.append(f'resource "aws_security_group" "{n}_db" {{\n  name   = "{self.system}-db"\n  vpc_id = aws_vpc.{n}.id\n}}\n\n')
        out.append(f'resource "aws_vpc_security_group_ingress_rule" "{n}_db_from_app" {{\n'
                   f'  security_group_id            = aws_security_group.{n}_db.id\n'
                   f'  referenced_security_group_id = aws_security_group.{n}_app.id\n'
                   f'  from_port                    = {db_port}\n  to_port                      = {db_port}\n'
                   f'  ip_protocol                  = "tcp"\n}}\n\n')
        for az in ("a", "c"):
            tags = "" if self.untagged_instance and az == "c" else _tags(self.system, self.cls, {"Role": "app"})
            out.append(f'resource "aws_instance" "{n}_app_{az}" {{\n  ami                    = var.app_ami\n'
                       f'  instance_type          = "{rng.choice(INSTANCE_TYPES)}"\n'
                       f'  subnet_id              = aws_subnet.{n}_private_{az}.id\n'
                       f'  vpc_security_group_ids = [aws_security_group.{n}_app.id]\n'
                       f'  monitoring             = true\n\n  metadata_options {{\n    http_tokens = "required"\n  }}\n\n'
                       f'  root_block_device {{\n    encrypted   = true\n    volume_size = {rng.choice((30, 50, 100))}\n  }}\n\n'
                       f'{tags}}}\n\n')
        out.append(f'resource "aws_db_subnet_group" "{n}" {{\n  name       = "{self.system}"\n'
                   f'  subnet_ids = [aws_subnet.{n}_private_a.id, aws_subnet.{n}_private_c.id]\n}}\n\n')
        public = "true" if self.public_db else "false"
        out.append(f'resource "aws_db_instance" "{n}" {{\n  identifier                  = "{self.system}"\n'
                   f'  engine                      = "{engine}"\n  engine_version              = "{version}"\n'
                   f'  instance_class              = "db.{rng.choice(("m6i", "r6i", "t4g"))}.large"\n'
                   f'  allocated_storage           = {rng.choice((50, 100, 200, 500))}\n'
                   f'  db_subnet_group_name        = aws_db_subnet_group.{n}.name\n'
                   f'  vpc_security_group_ids      = [aws_security_group.{n}_db.id]\n'
                   f'  publicly_accessible         = {public}\n  multi_az                    = {str(self.core).lower()}\n'
                   f'  storage_encrypted           = true\n  backup_retention_period     = {rng.choice((7, 14, 35))}\n'
                   f'  username                    = "app"\n  manage_master_user_password = true\n\n'
                   f'{_tags(self.system, self.cls, {"Role": "db"})}}}\n\n')
        if self.worker:
            out.append(f'module "{n}_worker" {{\n  source        = "../../modules/app_service"\n'
                       f'  name          = "{self.system}"\n  vpc_id        = aws_vpc.{n}.id\n'
                       f'  subnet_id     = aws_subnet.{n}_private_a.id\n  instance_type = "{rng.choice(INSTANCE_TYPES)}"\n'
                       f'  tags = {{\n    "twb:system" = "{self.system}"\n    "twb:class"  = "{self.cls}"\n  }}\n}}\n\n')
        if self.archive:
            out.append(f'module "{n}_archive" {{\n  source = "../../modules/tagged_bucket"\n'
                       f'  bucket = "example-securities-{self.system}-archive"\n'
                       f'  tags = {{\n    "twb:system" = "{self.system}"\n    "twb:class"  = "non-core"\n  }}\n}}\n\n')
        return "".join(out)

    def edge_tf(self) -> str:
        n = self.name
        out = [f"# {self.system}: internet edge (ALB and WAF){' and network firewall' if self.core else ''}.\n\n"]
        out.append(f'resource "aws_lb" "{n}" {{\n  name               = "{self.system[:28]}"\n'
                   f'  load_balancer_type = "application"\n  internal           = false\n'
                   f'  security_groups    = [aws_security_group.{n}_alb.id]\n'
                   f'  subnets            = [aws_subnet.{n}_public_a.id, aws_subnet.{n}_public_c.id]\n'
                   f'  drop_invalid_header_fields = true\n\n{_tags(self.system, self.cls)}}}\n\n')
        out.append(f'resource "aws_lb_target_group" "{n}" {{\n  name     = "{self.system[:28]}"\n  port     = 8443\n'
                   f'  protocol = "HTTPS"\n  vpc_id   = aws_vpc.{n}.id\n\n  health_check {{\n    path     = "/healthz"\n'
                   f'    protocol = "HTTPS"\n  }}\n}}\n\n')
        out.append(f'resource "aws_lb_listener" "{n}_https" {{\n  load_balancer_arn = aws_lb.{n}.arn\n  port              = 443\n'
                   f'  protocol          = "HTTPS"\n  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"\n'
                   f'  certificate_arn   = var.certificate_arn\n\n  default_action {{\n    type             = "forward"\n'
                   f'    target_group_arn = aws_lb_target_group.{n}.arn\n  }}\n}}\n\n')
        out.append(f'resource "aws_wafv2_web_acl" "{n}" {{\n  name  = "{self.system}"\n  scope = "REGIONAL"\n\n'
                   f'  default_action {{\n    allow {{}}\n  }}\n\n')
        for prio, group in enumerate(("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"), start=1):
            out.append(f'  rule {{\n    name     = "{group}"\n    priority = {prio}\n\n    override_action {{\n      none {{}}\n    }}\n\n'
                       f'    statement {{\n      managed_rule_group_statement {{\n        name        = "{group}"\n'
                       f'        vendor_name = "AWS"\n      }}\n    }}\n\n    visibility_config {{\n'
                       f'      cloudwatch_metrics_enabled = true\n      metric_name                = "{group}"\n'
                       f'      sampled_requests_enabled   = true\n    }}\n  }}\n\n')
        out.append(f'  visibility_config {{\n    cloudwatch_metrics_enabled = true\n    metric_name                = "{self.system}"\n'
                   f'    sampled_requests_enabled   = true\n  }}\n}}\n\n')
        if not self.alb_without_waf:
            out.append(f'resource "aws_wafv2_web_acl_association" "{n}" {{\n  resource_arn = aws_lb.{n}.arn\n'
                       f'  web_acl_arn  = aws_wafv2_web_acl.{n}.arn\n}}\n\n')
        if self.core:
            out.append(f'resource "aws_networkfirewall_rule_group" "{n}" {{\n  capacity = 100\n  name     = "{self.system}-deny"\n'
                       f'  type     = "STATEFUL"\n\n  rule_group {{\n    rules_source {{\n      rules_source_list {{\n'
                       f'        generated_rules_type = "DENYLIST"\n        target_types         = ["HTTP_HOST", "TLS_SNI"]\n'
                       f'        targets              = [".example-malware.test"]\n      }}\n    }}\n  }}\n}}\n\n')
            out.append(f'resource "aws_networkfirewall_firewall_policy" "{n}" {{\n  name = "{self.system}"\n\n'
                       f'  firewall_policy {{\n    stateless_default_actions          = ["aws:forward_to_sfe"]\n'
                       f'    stateless_fragment_default_actions = ["aws:forward_to_sfe"]\n\n'
                       f'    stateful_rule_group_reference {{\n      resource_arn = aws_networkfirewall_rule_group.{n}.arn\n    }}\n  }}\n}}\n\n')
            out.append(f'resource "aws_networkfirewall_firewall" "{n}" {{\n  name                = "{self.system}"\n'
                       f'  firewall_policy_arn = aws_networkfirewall_firewall_policy.{n}.arn\n  vpc_id              = aws_vpc.{n}.id\n\n'
                       f'  subnet_mapping {{\n    subnet_id = aws_subnet.{n}_firewall.id\n  }}\n\n'
                       f'  tags = {{\n    "twb:firewall-admin" = "netops@example-securities.com.tw"\n  }}\n}}\n\n')
        return "".join(out)


def _stack_common(domain: str, rng: random.Random) -> dict[str, str]:
    levels = {k: rng.choice(LEVELS) for k in ("confidentiality", "integrity", "availability", "legal-compliance")}
    tags = "".join(f'      "twb:{k}" = "{v}"\n' for k, v in levels.items())
    return {
        "versions.tf": 'terraform {\n  required_version = ">= 1.6"\n\n  required_providers {\n    aws = {\n'
                       '      source  = "hashicorp/aws"\n      version = "~> 5.40"\n    }\n  }\n\n'
                       f'  backend "s3" {{\n    bucket = "example-securities-tfstate"\n    key    = "{domain}/terraform.tfstate"\n'
                       '    region = "ap-northeast-1"\n  }\n}\n',
        "providers.tf": f'provider "aws" {{\n  region = "ap-northeast-1"\n\n  default_tags {{\n    tags = {{\n{tags}'
                        f'      "owner"          = "{domain}-team"\n    }}\n  }}\n}}\n',
        "variables.tf": 'variable "app_ami" {\n  type    = string\n  default = "ami-0123456789abcdef0"\n}\n\n'
                        'variable "certificate_arn" {\n  type    = string\n'
                        '  default = "arn:aws:acm:ap-northeast-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"\n}\n\n'
                        'variable "firewall_endpoint_ids" {\n  type    = map(string)\n  default = {}\n}\n',
    }


def generate(out: Path, resources: int, seed: int = 7) -> int:
    """Write a tree of exactly ``resources`` resources under out (emptied first); returns the count."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for module, files in MODULES.items():
        for fname, text in files.items():
            path = out / "modules" / module / fname
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    total, index = 0, 0
    stacks: dict[str, list[System]] = {}
    while True:
        domain = DOMAINS[(index // SYSTEMS_PER_STACK) % len(DOMAINS)]
        stack = f"{domain}-{index // (SYSTEMS_PER_STACK * len(DOMAINS))}" if index >= SYSTEMS_PER_STACK * len(DOMAINS) else domain
        system = System(random.Random(rng.random()), index, domain)
        if total + system.resource_count > resources:
            break
        stacks.setdefault(stack, []).append(system)
        total += system.resource_count
        index += 1
    # What is left is filled with log groups, which every stack has a few of.
    last = list(stacks)[-1] if stacks else DOMAINS[0]
    stacks.setdefault(last, [])
    for stack, systems in stacks.items():
        root = out / "stacks" / stack
        root.mkdir(parents=True, exist_ok=True)
        for fname, text in _stack_common(stack, random.Random(f"{seed}-{stack}")).items():
            (root / fname).write_text(text, encoding="utf-8")
        outputs = []
        for system in systems:
            (root / f"{system.system}-network.tf").write_text(system.network_tf(), encoding="utf-8")
            (root / f"{system.system}-app.tf").write_text(system.app_tf(), encoding="utf-8")
            (root / f"{system.system}-edge.tf").write_text(system.edge_tf(), encoding="utf-8")
            outputs.append(f'output "{system.name}_alb_dns" {{\n  value = aws_lb.{system.name}.dns_name\n}}\n')
        (root / "outputs.tf").write_text("\n".join(outputs), encoding="utf-8")
    filler = resources - total
    if filler:
        text = "".join(f'resource "aws_cloudwatch_log_group" "audit_{i:03d}" {{\n  name              = "/audit/{i:03d}"\n'
                       f'  retention_in_days = 365\n}}\n\n' for i in range(filler))
        (out / "stacks" / last / "audit-logs.tf").write_text(text, encoding="utf-8")
    return total + filler


# ---- a module heavy with dynamic blocks, as community WAFv2 and security-group modules write them ----------

# Statement types of the WAFv2 module: (name, iterator, attributes read from the element, has field_to_match)
STATEMENTS = (
    ("byte_match_statement", "byte_match", ("positional_constraint", "search_string"), True),
    ("sqli_match_statement", "sqli_match", (), True),
    ("xss_match_statement", "xss_match", (), True),
    ("size_constraint_statement", "size_constraint", ("comparison_operator", "size"), True),
    ("regex_match_statement", "regex_match", ("regex_string",), True),
    ("geo_match_statement", "geo_match", ("country_codes",), False),
    ("ip_set_reference_statement", "ip_set", ("arn",), False),
    ("label_match_statement", "label_match", ("key", "scope"), False),
)
FIELDS = ("uri_path", "query_string", "body", "method", "all_query_arguments")


def _pick(element: str, key: str, default: str = "{}") -> str:
    """`for_each` of an optional part, as the modules write it: [] when the element has none, else [it]."""
    return f'lookup({element}, "{key}", null) == null ? [] : [lookup({element}, "{key}")]'


def _statement_block(kind: str, iterator: str, attrs: tuple[str, ...], field: bool, parent: str, indent: str) -> str:
    lines = [f'dynamic "{kind}" {{', f"  for_each = {_pick(parent, kind)}", f"  iterator = {iterator}", "  content {"]
    lines += [f'    {a} = lookup({iterator}.value, "{a}", null)' for a in attrs]
    if field:
        lines += ['    dynamic "field_to_match" {', f"      for_each = {_pick(iterator + '.value', 'field_to_match')}",
                  "      content {"]
        for f in FIELDS:
            lines += [f'        dynamic "{f}" {{', f'          for_each = lookup(field_to_match.value, "{f}", null) == null ? [] : [1]',
                      "          content {}", "        }"]
        lines += ['        dynamic "single_header" {', f"          for_each = {_pick('field_to_match.value', 'single_header')}",
                  "          content {", '            name = lower(lookup(single_header.value, "name"))', "          }",
                  "        }", "      }", "    }"]
        lines += ['    dynamic "text_transformation" {', f'      for_each = lookup({iterator}.value, "text_transformation", [])',
                  "      content {", "        priority = text_transformation.value.priority",
                  "        type     = text_transformation.value.type", "      }", "    }"]
    lines += ["  }", "}"]
    return "".join(f"{indent}{line}\n" for line in lines)


def _statements(parent: str, indent: str) -> str:
    return "".join(_statement_block(k, f"{i}_{parent.split('.')[0]}", a, f, parent, indent) for k, i, a, f in STATEMENTS)


def _logical(parent: str, indent: str, depth: int) -> str:
    """Every statement type, and (depth > 0) and/or/not statements holding the same again, one level less."""
    out = _statements(parent, indent)
    if depth == 0:
        return out
    for op, source in (("and", "statements"), ("or", "statements"), ("not", "statement")):
        iterator = f"{op}{depth}"
        items = f"{op}_statement.value.{source}" if source == "statements" else f"[{op}_statement.value.{source}]"
        out += (f'{indent}dynamic "{op}_statement" {{\n{indent}  for_each = {_pick(parent, op + "_statement")}\n'
                f'{indent}  content {{\n{indent}    dynamic "statement" {{\n{indent}      for_each = {items}\n'
                f"{indent}      iterator = {iterator}\n{indent}      content {{\n"
                + _logical(f"{iterator}.value", indent + "        ", depth - 1)
                + f"{indent}      }}\n{indent}    }}\n{indent}  }}\n{indent}}}\n")
    return out


def _rule_content(kind: str) -> str:
    """The content of one `dynamic "rule"` of a kind (managed groups, rate limits, custom statements)."""
    head = ("      name     = rule.value.name\n      priority = rule.value.priority\n"
            '      dynamic "action" {\n        for_each = length(lookup(rule.value, "action", {})) == 0 ? [] : [1]\n'
            "        content {\n")
    for verdict in ("allow", "block", "count"):
        head += (f'          dynamic "{verdict}" {{\n            for_each = lookup(rule.value, "action", "") == "{verdict}" ? [1] : []\n'
                 "            content {}\n          }\n")
    head += "        }\n      }\n"
    visibility = ("      visibility_config {\n        cloudwatch_metrics_enabled = lookup(rule.value, \"metrics\", true)\n"
                  '        metric_name                = "${var.name}-${rule.value.name}"\n        sampled_requests_enabled   = true\n'
                  "      }\n")
    if kind in {k for k, _, _, _ in STATEMENTS}:  # one dynamic "rule" per statement type, over its own list
        name, iterator, attrs, field = next(st for st in STATEMENTS if st[0] == kind)
        body = "      statement {\n" + _statement_block(name, iterator, attrs, field, "rule.value", "        ") + "      }\n"
        return head + body + visibility
    if kind == "managed":
        body = ('      dynamic "override_action" {\n        for_each = [lookup(rule.value, "override_action", "none")]\n'
                "        iterator = override\n        content {\n"
                '          dynamic "none" {\n            for_each = override.value == "none" ? [1] : []\n            content {}\n          }\n'
                '          dynamic "count" {\n            for_each = override.value == "count" ? [1] : []\n            content {}\n          }\n'
                "        }\n      }\n"
                "      statement {\n        managed_rule_group_statement {\n          name        = rule.value.group\n"
                '          vendor_name = lookup(rule.value, "vendor", "AWS")\n'
                '          dynamic "rule_action_override" {\n            for_each = lookup(rule.value, "excluded_rules", [])\n'
                "            content {\n              name = rule_action_override.value\n              action_to_use {\n"
                "                count {}\n              }\n            }\n          }\n"
                '          dynamic "scope_down_statement" {\n'
                f"            for_each = {_pick('rule.value', 'scope_down_statement')}\n            content {{\n"
                + _logical("scope_down_statement.value", "              ", 1) + "            }\n          }\n        }\n      }\n")
        return "      name     = rule.value.name\n      priority = rule.value.priority\n" + body + visibility
    if kind == "rate":
        body = ("      statement {\n        rate_based_statement {\n          limit              = rule.value.limit\n"
                '          aggregate_key_type = lookup(rule.value, "aggregate_key_type", "IP")\n'
                '          dynamic "scope_down_statement" {\n'
                f"            for_each = {_pick('rule.value', 'scope_down_statement')}\n            content {{\n"
                + _logical("scope_down_statement.value", "              ", 1) + "            }\n          }\n        }\n      }\n")
        return head + body + visibility
    body = ('      dynamic "statement" {\n        for_each = [rule.value.statement]\n        content {\n'
            + _logical("statement.value", "          ", 2) + "        }\n      }\n")
    return head + body + visibility


def _hcl(value: object, indent: str = "") -> str:
    """A Python value as an HCL literal (variable defaults)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + "".join(f"{inner}{_hcl(v, inner)},\n" for v in value) + indent + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        return "{\n" + "".join(f"{inner}{k} = {_hcl(v, inner)}\n" for k, v in value.items()) + indent + "}"
    raise TypeError(value)


def _custom_statement(rng: random.Random, i: int) -> dict:
    transforms = [{"priority": p, "type": t} for p, t in enumerate(rng.sample(("NONE", "LOWERCASE", "URL_DECODE",
                                                                              "HTML_ENTITY_DECODE", "COMPRESS_WHITE_SPACE"), 3))]
    kind = STATEMENTS[i % len(STATEMENTS)][0]
    field = {rng.choice(FIELDS): {}} if i % 3 else {"single_header": {"name": f"X-Header-{i}"}}
    values = {"byte_match_statement": {"positional_constraint": "CONTAINS", "search_string": f"/admin{i}"},
              "size_constraint_statement": {"comparison_operator": "GT", "size": 8192 + i},
              "regex_match_statement": {"regex_string": f"^/api/v{i % 5}/"},
              "geo_match_statement": {"country_codes": ["KP", "IR"]},
              "ip_set_reference_statement": {"arn": f"arn:aws:wafv2:ap-northeast-1:111122223333:regional/ipset/s{i}/id{i}"},
              "label_match_statement": {"key": f"awswaf:managed:label{i}", "scope": "LABEL"}}.get(kind, {})
    has_field = STATEMENTS[i % len(STATEMENTS)][3]
    return {kind: {**values, **({"field_to_match": field, "text_transformation": transforms} if has_field else {})}}


def generate_dynamic(out: Path, rules: int = 60, seed: int = 7) -> int:
    """A WAFv2 module and a security-group module written with nested dynamic blocks (rules, statements
    in and/or/not statements, field_to_match, text transformations) over variables: the security group's
    with a long default list, the web ACL's rule lists passed by the example root that calls both
    (examples/complete), as community modules ship them. Returns the number of .tf lines written."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    groups = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
              "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesAdminProtectionRuleSet")
    managed = [{"name": f"managed-{i}", "priority": i, "group": groups[i % len(groups)],
                "excluded_rules": [f"Rule{i}_{j}" for j in range(i % 4)],
                **({"scope_down_statement": _custom_statement(rng, i)} if i % 4 == 3 else {})}
               for i in range(max(3, rules // 4))]
    rates = [{"name": f"rate-{i}", "priority": 100 + i, "limit": 1000 + 100 * i, "action": "block",
              **({"scope_down_statement": _custom_statement(rng, i)} if i % 2 else {})} for i in range(max(1, rules // 8))]
    custom = []
    for i in range(rules):
        statement = _custom_statement(rng, i)
        if i % 5 == 4:
            statement = {"and_statement": {"statements": [_custom_statement(rng, i + 1), _custom_statement(rng, i + 2)]}}
        elif i % 7 == 6:
            statement = {"not_statement": {"statement": _custom_statement(rng, i + 3)}}
        elif i % 7 == 5:
            statement = {"or_statement": {"statements": [_custom_statement(rng, i + 4), _custom_statement(rng, i + 5)]}}
        custom.append({"name": f"custom-{i}", "priority": 200 + i, "action": rng.choice(("block", "count", "allow")),
                       "statement": statement})
    typed = {f"{kind.removesuffix('_statement')}_rules": [{"name": f"{kind}-{i}", "priority": 400 + 40 * n + i,
                                                           "action": "block", **_custom_statement(rng, n)}
                                                          for i in range(max(1, rules // 10))]
             for n, (kind, _, _, _) in enumerate(STATEMENTS)}
    variables = {"managed_rules": managed, "rate_based_rules": rates, "custom_rules": custom, **typed}
    waf = ['variable "name" {\n  type = string\n}\n\nvariable "scope" {\n  type    = string\n  default = "REGIONAL"\n}\n',
           'variable "associate_resource_arns" {\n  type    = list(string)\n  default = []\n}\n']
    waf += [f'variable "{name}" {{\n  type    = any\n  default = []\n}}\n' for name in variables]
    acl = ['resource "aws_wafv2_web_acl" "this" {\n  name  = var.name\n  scope = var.scope\n\n  default_action {\n    allow {}\n  }\n']
    kinds = [("managed", "var.managed_rules"), ("rate", "var.rate_based_rules"), ("custom", "var.custom_rules")]
    kinds += [(kind, f"var.{kind.removesuffix('_statement')}_rules") for kind, _, _, _ in STATEMENTS]
    for kind, source in kinds:
        acl.append(f'\n  dynamic "rule" {{\n    for_each = {source}\n    content {{\n{_rule_content(kind)}    }}\n  }}\n')
    acl.append('\n  visibility_config {\n    cloudwatch_metrics_enabled = true\n    metric_name                = var.name\n'
               "    sampled_requests_enabled   = true\n  }\n}\n\n"
               'resource "aws_wafv2_web_acl_association" "this" {\n  count        = length(var.associate_resource_arns)\n'
               "  resource_arn = var.associate_resource_arns[count.index]\n  web_acl_arn  = aws_wafv2_web_acl.this.arn\n}\n\n"
               'output "arn" {\n  value = aws_wafv2_web_acl.this.arn\n}\n')
    ingress = [{"description": f"service {i}", "from_port": 1000 + i, "to_port": 1000 + i, "protocol": "tcp",
                "cidr_blocks": [f"10.{i % 250}.0.0/16"]} for i in range(rules)]
    sg = ['variable "name" {\n  type = string\n}\n\nvariable "vpc_id" {\n  type = string\n}\n',
          f'variable "ingress_rules" {{\n  type    = any\n  default = {_hcl(ingress, "  ")}\n}}\n',
          'variable "egress_rules" {\n  type    = any\n  default = [{ from_port = 443, to_port = 443, protocol = "tcp", '
          'cidr_blocks = ["10.0.0.0/8"] }]\n}\n',
          'resource "aws_security_group" "this" {\n  name   = var.name\n  vpc_id = var.vpc_id\n'
          '  dynamic "ingress" {\n    for_each = var.ingress_rules\n    content {\n'
          '      description = lookup(ingress.value, "description", null)\n      from_port   = ingress.value.from_port\n'
          "      to_port     = ingress.value.to_port\n      protocol    = ingress.value.protocol\n"
          '      cidr_blocks = lookup(ingress.value, "cidr_blocks", [])\n    }\n  }\n'
          '  dynamic "egress" {\n    for_each = var.egress_rules\n    content {\n      from_port   = egress.value.from_port\n'
          "      to_port     = egress.value.to_port\n      protocol    = egress.value.protocol\n"
          "      cidr_blocks = egress.value.cidr_blocks\n    }\n  }\n}\n\n"
          'output "id" {\n  value = aws_security_group.this.id\n}\n']
    example = ('provider "aws" {\n  region = "ap-northeast-1"\n}\n\n'
               'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n}\n\n'
               'module "alb_sg" {\n  source = "../../modules/security-group"\n  name   = "alb"\n  vpc_id = aws_vpc.this.id\n}\n\n'
               'module "app_sg" {\n  source = "../../modules/security-group"\n  name   = "app"\n  vpc_id = aws_vpc.this.id\n}\n\n'
               'module "waf" {\n  source = "../../modules/wafv2"\n  name   = "online-order"\n'
               + "".join(f"\n  {name} = {_hcl(value, '  ')}\n" for name, value in variables.items()) + "}\n")
    files = {"modules/wafv2/variables.tf": "\n".join(waf), "modules/wafv2/main.tf": "".join(acl),
             "modules/security-group/main.tf": "\n".join(sg), "examples/complete/main.tf": example}
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return sum(text.count("\n") for text in files.values())


def dynamic_heavy(out: Path, rules: int = 40, seed: int = 7) -> Path:
    """The tree of run.py's dynamic-block-heavy row (40-rule lists: about 6,000 lines of module code, as
    the community WAFv2 module has), and the example root to scan."""
    generate_dynamic(out, rules, seed)
    return out / "examples" / "complete"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write (emptied first)")
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dynamic-rules", type=int, default=0,
                        help="write instead a module tree heavy with dynamic blocks, its rule lists this long")
    args = parser.parse_args(argv)
    if args.dynamic_rules:
        lines = generate_dynamic(args.out, args.dynamic_rules, args.seed)
        print(f"{args.out}: {lines} lines of .tf, dynamic blocks over {args.dynamic_rules}-rule lists "
              f"(scan {args.out / 'examples' / 'complete'})")
        return 0
    count = generate(args.out, args.resources, args.seed)
    files = sum(1 for _ in args.out.rglob("*.tf"))
    print(f"{args.out}: {count} resources in {files} .tf files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
