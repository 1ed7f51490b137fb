"""Internet exposure judged on paths (issue 14): one table per class of problem, each row run on HCL and,
where the class exists in a plan, on the real plan made from the same directory with the terraform CLI
(tests/fixtures/terraform_plan/regenerate.py). Compliant rows must pass."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from brokerguard.policies.reachability import covers_internet, reaches_internet
from conftest import EXAMPLES, FIXTURES, judged

TF = FIXTURES / "terraform"
PLANS = FIXTURES / "terraform_plan"
PULUMI = FIXTURES / "pulumi"
PATHS = TF / "exposure-paths"
UNKNOWN = TF / "exposure-unknown"


def _sources(directory: Path) -> list[Path]:
    """The HCL, and its twins: the real plan, the Pulumi program of the same name."""
    pulumi = (PULUMI if directory.parent == TF else EXAMPLES.parent / "pulumi") / directory.name
    return [directory] + [t for t in (PLANS / f"{directory.name}.plan.json", pulumi) if t.exists()]


def _kind(source: Path) -> str:
    return "pulumi" if source.parent.name == "pulumi" else source.suffix.lstrip(".") or "hcl"


def _rows(table: list[tuple]) -> list:
    return [pytest.param(src, *row[1:], id=f"{row[1]}-{row[2]}-{_kind(src)}")
            for row in table for src in _sources(row[0])]


def _assert(source: Path, check: str, resource: str, expected: str, says: str, **settings) -> None:
    found = judged(source, **settings)
    assert (check, resource) in found, sorted(k for k in found if k[0] == check)
    result, _, message, _ = found[(check, resource)]
    assert (result, says in message) == (expected, True), message


# Class: a firewall in the VPC that is not on the path (NAT -> IGW), or on it with a policy that does not
# inspect; the compliant NAT whose subnet routes through the firewall passes.
FIREWALL_ON_PATH = [
    (PATHS, "TWB_STACK_003", "aws_vpc.nat_bypass", "failed", "aws_nat_gateway.nat_bypass"),
    (PATHS, "TWB_STACK_003", "aws_vpc.nat_bypass", "failed", "bypasses the firewall"),
    (PATHS, "TWB_STACK_003", "aws_vpc.nat_inspected", "passed", "passes the firewall"),
    (PATHS, "TWB_STACK_003", "aws_vpc.split_routes", "failed", "128.0.0.0/1 -> internet gateway"),
    (PATHS, "TWB_STACK_003", "aws_vpc.weak_policy", "failed", "stateless_default_actions = ['aws:pass']"),
    (EXAMPLES / "tier1-compliant", "TWB_STACK_003", "aws_vpc.trading", "passed", "passes the firewall"),
]

# Class: the way back in. A subnet that leaves through the firewall and holds public addresses (here the NAT
# the core subnet uses) gets its inbound traffic from the internet gateway's edge route table: it must send
# that subnet's addresses to the firewall too, or the replies come straight in.
INGRESS_ROUTING = [
    (PATHS, "TWB_STACK_003", "aws_vpc.ingress_routed", "passed", "passes the firewall"),
    (PATHS, "TWB_STACK_003", "aws_vpc.ingress_no_edge", "failed",
     "inbound path internet gateway aws_internet_gateway.ingress_no_edge -> aws_subnet.ingress_no_edge_public "
     "(NAT gateway aws_nat_gateway.ingress_no_edge) bypasses the firewall: it has no edge route table"),
    (PATHS, "TWB_STACK_003", "aws_vpc.ingress_edge_misses", "failed",
     "edge route table aws_route_table.ingress_edge_misses_edge has no route for the subnet's CIDR 10.7.0.0/24"),
    (PATHS, "TWB_STACK_003", "aws_vpc.ingress_ipv6_missed", "failed",
     "has no route for the subnet's CIDR 2600:1f18:abcd:1000::/64"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(INGRESS_ROUTING))
def test_inbound_path_from_the_internet_gateway_passes_the_firewall(source: Path, check: str, resource: str,
                                                                    expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(FIREWALL_ON_PATH))
def test_firewall_on_every_internet_path(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


# Class: routes and security groups whose union is the internet; prefix lists holding 0.0.0.0/0.
CIDR_UNIONS = [
    (PATHS, "TWB_STACK_001", "aws_instance.split_routes", "failed", "subnet aws_subnet.split_routes is public"),
    (PATHS, "TWB_STACK_002", "aws_instance.split_routes", "failed", "whole IPv4 internet"),
    (PATHS, "TWB_STACK_002", "aws_instance.split_routes", "failed", "aws_security_group_rule.other_half"),
    (PATHS, "TWB_STACK_002", "aws_instance.eni_eip", "failed", "via prefix list"),
    (PATHS, "TWB_STACK_002", "aws_instance.nat_inspected", "passed", "ok"),
    (PATHS, "TWB_STACK_001", "aws_instance.nat_inspected", "passed", "ok"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(CIDR_UNIONS))
def test_cidr_unions_covering_the_internet(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


# Class: public addresses reached through another resource (an Elastic IP on the interface an instance is
# placed through).
PUBLIC_ADDRESSES = [
    (PATHS, "TWB_STACK_001", "aws_instance.eni_eip", "failed", "Elastic IP aws_eip.eni_eip"),
    (PATHS, "TWB_STACK_001", "aws_instance.nat_bypass", "passed", "ok"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(PUBLIC_ADDRESSES))
def test_public_addresses_through_interfaces(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


# Class: placement the stack does not settle is "cannot judge", never private.
UNKNOWN_PLACEMENT = [
    (UNKNOWN, "TWB_STACK_001", "aws_instance.literal_subnet", "failed", "cannot judge"),
    (UNKNOWN, "TWB_STACK_001", "aws_instance.data_subnet", "failed", "cannot judge"),  # a data source's id
    (UNKNOWN, "TWB_STACK_001", "aws_db_instance.unknown_group", "failed", "made-elsewhere"),
    (UNKNOWN, "TWB_STACK_002", "aws_db_instance.unknown_group", "failed", "pl-0123456789abcdef0"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(UNKNOWN_PLACEMENT))
def test_unknown_placement_cannot_be_judged(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


# Class: a system without classification is judged as core for isolation, unless the profile says otherwise.
@pytest.mark.parametrize("source", _sources(PATHS), ids=_kind)
def test_unclassified_is_treated_as_core_for_isolation(source: Path) -> None:
    _assert(source, "TWB_STACK_001", "aws_instance.unclassified", "failed", "unclassified: treated as core")
    assert ("TWB_STACK_001", "aws_instance.unclassified") not in judged(source, isolate_unclassified=False)


@pytest.mark.parametrize(("cidrs", "family"), [
    (["0.0.0.0/0"], "IPv4"), (["0.0.0.0/1", "128.0.0.0/1"], "IPv4"), (["::/0"], "IPv6"),
    (["0.0.0.0/1"], None), (["10.0.0.0/8", "172.16.0.0/12"], None), (["var.cidr"], None),
    # every public block, private ranges left out: still the whole internet
    ([str(n) for n in ipaddress.ip_network("0.0.0.0/0").address_exclude(ipaddress.ip_network("10.0.0.0/8"))], "IPv4"),
])
def test_cidr_union_covers_the_internet(cidrs: list[str], family: str | None) -> None:
    assert covers_internet(cidrs) == family


@pytest.mark.parametrize(("cidr", "internet"), [
    ("0.0.0.0/1", True), ("8.8.8.0/24", True), ("10.1.0.0/16", False), ("192.168.0.0/24", False),
    ("::/0", True), ("fd00::/8", False), ("pl-123", None)])
def test_route_destination_holds_internet_addresses(cidr: str, internet: bool | None) -> None:
    assert reaches_internet(cidr) is internet


ENDPOINTS = TF / "exposure-endpoints"
CFN_BROKER = FIXTURES / "cloudformation" / "broker-and-migration.yaml"
# Class: managed services public through an endpoint of their own; compliant variants pass.
PUBLIC_ENDPOINTS = [
    (ENDPOINTS, "TWB_STACK_001", "aws_redshift_cluster.default_public", "failed", "publicly_accessible is not false"),
    (ENDPOINTS, "TWB_STACK_001", "aws_redshift_cluster.private", "passed", "ok"),
    (ENDPOINTS, "TWB_STACK_001", "aws_opensearch_domain.public", "failed", "no vpc_options"),
    (ENDPOINTS, "TWB_STACK_001", "aws_eks_cluster.public_api", "failed", "endpoint_public_access"),
    (ENDPOINTS, "TWB_STACK_001", "aws_eks_cluster.private_api", "passed", "ok"),
    (ENDPOINTS, "TWB_STACK_001", "aws_s3_bucket.world_readable", "failed", 'Principal "*"'),
    (ENDPOINTS, "TWB_STACK_001", "aws_s3_bucket.blocked", "passed", "ok"),
    (ENDPOINTS, "TWB_STACK_001", "aws_lambda_function.open_url", "failed", "authorization_type NONE"),
    (ENDPOINTS, "TWB_STACK_001", "aws_lambda_function.iam_url", "passed", "ok"),
    (ENDPOINTS, "TWB_STACK_001", "aws_mq_broker.public", "failed", "the broker's endpoints are public"),
    (ENDPOINTS, "TWB_STACK_001", "aws_mq_broker.private", "passed", "ok"),
    (ENDPOINTS, "TWB_STACK_001", "aws_dms_replication_instance.default_public", "failed", "AWS's default is true"),
    (ENDPOINTS, "TWB_STACK_001", "aws_dms_replication_instance.private", "passed", "ok"),
    (CFN_BROKER, "TWB_STACK_001", "aws_mq_broker.public_broker", "failed", "the broker's endpoints are public"),
    (CFN_BROKER, "TWB_STACK_001", "aws_mq_broker.private_broker", "passed", "ok"),
    (CFN_BROKER, "TWB_STACK_001", "aws_dms_replication_instance.default_public", "failed", "AWS's default is true"),
    (CFN_BROKER, "TWB_STACK_001", "aws_dms_replication_instance.private", "passed", "ok"),
    # TerraGoat: nothing classified, a public database and SSH open to the world fail the firewall control
    (ENDPOINTS, "TWB_STACK_001", "aws_db_instance.terragoat", "failed", "unclassified: treated as core: public endpoint"),
    (ENDPOINTS, "TWB_STACK_002", "aws_instance.terragoat", "failed", "unclassified: treated as core: ingress from the whole"),
]


# Class: the account's S3 public access block counts for every bucket only when it certainly exists with the
# settings that stop the ACL and the policy; one known only after apply, or naming an account, does not.
ACCOUNT_BLOCK = [
    (TF / "s3-account-block", "TWB_STACK_001", "aws_s3_bucket.reports", "passed", "ok"),
    (TF / "s3-account-block-unknown", "TWB_STACK_001", "aws_s3_bucket.reports", "failed", "public-read lets the world"),
    (TF / "s3-account-block-other-account", "TWB_STACK_001", "aws_s3_bucket.reports", "failed", "public-read"),
    (TF / "s3-account-block-other-provider", "TWB_STACK_001", "aws_s3_bucket.reports", "failed", "public-read"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(ACCOUNT_BLOCK))
def test_account_public_access_block_counts_only_when_certain(source: Path, check: str, resource: str, expected: str,
                                                              says: str) -> None:
    _assert(source, check, resource, expected, says)


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(PUBLIC_ENDPOINTS))
def test_managed_services_with_public_endpoints(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


# Class: internet entry points that cannot carry a WAFv2 web ACL fail with how to put one in front.
NO_WAF_POSSIBLE = [
    (ENDPOINTS, "TWB_STACK_014", "aws_elb.classic", "failed", "Classic Load Balancer cannot carry"),
    (ENDPOINTS, "TWB_STACK_014", "aws_elb.classic_internal", "passed", "not reachable"),
    (ENDPOINTS, "TWB_STACK_014", "aws_apigatewayv2_api.http", "failed", "API Gateway v2"),
    (ENDPOINTS, "TWB_STACK_014", "aws_lambda_function_url.open_url", "failed", "function URL cannot carry"),
    (ENDPOINTS, "TWB_STACK_014", "aws_lambda_function_url.iam_url", "passed", "not reachable"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(NO_WAF_POSSIBLE))
def test_entry_points_that_cannot_carry_a_waf(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


@pytest.mark.parametrize("source", _sources(ENDPOINTS), ids=_kind)
def test_terragoat_style_stack_fails_firewall_and_waf(source: Path) -> None:
    import datetime as dt

    from brokerguard.catalog import load_catalog
    from brokerguard.profile import Profile
    from brokerguard.scan import scan

    result = scan([source], Profile(tier=1), dt.date(2024, 6, 30), load_catalog())
    statuses = {r.control.id: r.status.value for r in result.results}
    assert (statuses["firewall"], statuses["waf"]) == ("fail", "fail")


@pytest.mark.parametrize(("edge", "passed", "says"), [
    ("nat-subnet", True, "passes the firewall"),
    ("other-subnet", False, "edge route table aws_route_table.edge_routes has no route for the subnet's CIDR"),
    ("none", False, "inbound path internet gateway aws_internet_gateway.igw -> aws_subnet.public_subnet "
                    "(NAT gateway aws_nat_gateway.nat) bypasses the firewall: it has no edge route table"),
])
def test_inbound_path_on_cloudformation(edge: str, passed: bool, says: str) -> None:
    """The CloudFormation twin: an internet gateway attached by VPCGatewayAttachment, its edge route table by
    GatewayRouteTableAssociation, the firewall endpoint picked from EndpointIds."""
    import datetime as dt

    from brokerguard.catalog import load_catalog
    from brokerguard.profile import Profile
    from brokerguard.scan import scan

    result = scan([FIXTURES / "cloudformation" / "ingress-routing.yaml"], Profile(tier=1), dt.date(2024, 6, 30),
                  load_catalog(), parameters={"Edge": edge})
    [finding] = [j.finding for r in result.results for j in r.findings if j.finding.check_id == "TWB_STACK_003"]
    assert (finding.resource, finding.passed, says in finding.message) == ("aws_vpc.vpc", passed, True), finding.message


WAF = TF / "waf-effective"
CFN_WAF = FIXTURES / "cloudformation" / "waf-counting.yaml"
# Class: a web ACL whose managed groups never see a request, or whose logging keeps nothing.
WAF_EFFECTIVE = [
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.allow_ip_set_first", "failed", "allows every request before"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.allow_size_first", "failed", "AWSManagedRulesSQLiRuleSet"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.scoped_to_nothing", "failed", "scope-down statement"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.scoped_to_nothing", "failed", "drops every record"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.effective", "passed", "ok"),
]

# Class: a rule group that only counts (override_action count, or every rule overridden to count or allow)
# protects nothing; a partial override is tuning; a group whose rules are not known cannot be shown to block.
WAF_COUNTING = [
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.counts_every_rule", "failed",
     "aws_wafv2_web_acl.counts_every_rule rule 'owasp': managed group AWSManagedRulesCommonRuleSet counts every"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.group_counted", "failed",
     "managed group AWSManagedRulesAmazonIpReputationList counts every request"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.counts_or_allows_every_rule", "failed", "protects nothing"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.partial_override", "passed", "ok"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.pinned_version_override", "failed", "cannot judge"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.own_group_all_counted", "failed",
     "rule group aws_wafv2_rule_group.own counts every request"),
    (WAF, "TWB_STACK_015", "aws_wafv2_web_acl.own_group_one_counted", "passed", "ok"),
    # CloudFormation: RuleActionOverrides, ExcludedRules, OverrideAction Count
    (CFN_WAF, "TWB_STACK_015", "aws_wafv2_web_acl.counts_every_rule", "failed",
     "managed group AWSManagedRulesCommonRuleSet counts every request"),
    (CFN_WAF, "TWB_STACK_015", "aws_wafv2_web_acl.excludes_every_rule", "failed",
     "managed group AWSManagedRulesSQLiRuleSet counts every request"),
    (CFN_WAF, "TWB_STACK_015", "aws_wafv2_web_acl.group_counted", "failed", "protects nothing"),
    (CFN_WAF, "TWB_STACK_015", "aws_wafv2_web_acl.partial_override", "passed", "ok"),
    # the ACL's only group counts everything: nothing blocks (CKV_TWB_013 sees it too)
    (WAF, "CKV_TWB_013", "aws_wafv2_web_acl.counts_every_rule", "failed", "neither the default action nor any rule blocks"),
    (WAF, "CKV_TWB_013", "aws_wafv2_web_acl.partial_override", "passed", "ok"),
]


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(WAF_COUNTING))
def test_rule_groups_that_only_count_protect_nothing(source: Path, check: str, resource: str, expected: str,
                                                      says: str) -> None:
    _assert(source, check, resource, expected, says)


@pytest.mark.parametrize(("source", "check", "resource", "expected", "says"), _rows(WAF_EFFECTIVE))
def test_web_acl_rules_are_effective(source: Path, check: str, resource: str, expected: str, says: str) -> None:
    _assert(source, check, resource, expected, says)


def test_network_picture_shows_what_stands_on_each_core_path(cli, tmp_path: Path) -> None:
    run = cli("scan", PATHS, "--tier", "1", "--as-of", "2024-06-30", "--format", "html", "--lang", "en",
              "--output-dir", tmp_path)
    assert run.code == 1, run.err
    page = next(tmp_path.glob("*.html")).read_text()
    network = page.split('aria-label="Network architecture"', 1)[1].split("</svg>", 1)[0]
    bypass = network.split("VPC aws_vpc.nat_bypass", 1)[1].split("VPC aws_vpc.", 1)[0]
    assert ">no FW<" in bypass and "NAT gateway aws_nat_gateway.nat_bypass -&gt; internet gateway" in bypass
    inspected = network.split("VPC aws_vpc.nat_inspected", 1)[1].split("VPC aws_vpc.", 1)[0]
    assert ">FW<" in inspected and ">no FW<" not in inspected


def test_network_picture_stays_readable_at_ten_thousand_resources() -> None:
    from brokerguard.picture import Network, Node, Subnet, Vpc
    from brokerguard.picture import Path as RoutePath
    from brokerguard.policies.meta import Text
    from brokerguard.report.network import svg

    def nodes(vpc: int, kind: str, n: int) -> tuple[Node, ...]:
        return tuple(Node(f"aws_instance.v{vpc}_{kind}_{i}", "aws_instance", kind, None, (f"aws_subnet.s{vpc}",))
                     for i in range(n))

    paths = tuple(RoutePath(f"aws_subnet.s{i}", Text("NAT gateway", "NAT 閘道"), "none") for i in range(20))
    vpcs = tuple(Vpc(f"aws_vpc.v{v}", "10.0.0.0/16", "aws_internet_gateway.g", (Subnet(f"aws_subnet.s{v}", "10.0.0.0/24",
                     "a", v % 2 == 0),), (), nodes(v, "core", 30), nodes(v, "other", 70), paths) for v in range(100))
    picture = svg(Network(vpcs, nodes(999, "other", 200)), "en")
    height = int(picture.split('height="', 1)[1].split('"', 1)[0])
    assert height < 12_000, height  # 10,000+ resources: a few screens, not 135,000 pixels
    assert "88 more VPCs not drawn" in picture and "20 more: 20 core" in picture
