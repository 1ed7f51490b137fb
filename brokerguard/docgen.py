"""Write docs/checks.md (checks and stack rules) and docs/controls.md (the control catalog) from the code.

    python -m brokerguard.docgen          # rewrite both pages
    python -m brokerguard.docgen --check  # exit 1 when either page is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from brokerguard import registry
from brokerguard.applicability import load_vocabulary
from brokerguard.catalog import VERIFICATIONS, Obligation, available_rule_sets, load_catalog
from brokerguard.registry import STACK_RULE

DOCS = Path(__file__).resolve().parent.parent / "docs"
DOC = DOCS / "checks.md"
CONTROLS_DOC = DOCS / "controls.md"


# What the exposure rules (policies/reachability.py) prove and what they leave to evidence, once for all of them.
EXPOSURE_SCOPE = [
    "## What the internet-exposure checks prove, and what they do not", "",
    "One model (policies/reachability.py), built once per scan from whatever the source is (HCL, plan, Pulumi, "
    "CloudFormation, the live account), is read by every exposure rule. It judges the paths the stack declares: "
    "route tables (inline routes, aws_route, the main table) and their targets (internet and egress-only gateways, "
    "NAT gateways followed to their own subnet, Network Firewall and Gateway Load Balancer endpoints), internet "
    "gateways' edge route tables, subnets and subnet groups, security groups (the union of every ingress CIDR, managed "
    "prefix lists declared in the stack), Elastic IPs on systems and on their network interfaces. A route, subnet, "
    "prefix list or target the stack does not declare is `cannot judge` (a failure), never private. A system without "
    "a core/non-core class is judged as core (setting `isolate_unclassified`).",
    "",
    "- TWB_STACK_001 proves a core system has no address the internet reaches: no subnet routing internet addresses "
    "to an internet gateway, no public or Elastic IP, not in the default VPC, and no public endpoint of its own "
    "(publicly accessible RDS, Redshift, Amazon MQ or DMS replication instance, OpenSearch outside a VPC, a public "
    "EKS API, a function URL without IAM, a "
    "bucket whose policy or ACL lets the world in). A bucket is not public when a public access block certainly "
    "applies: the bucket's own, or the account's (aws_s3_account_public_access_block, read live through S3 Control) "
    "with every needed setting literally true, made with the bucket's own provider configuration. An account block "
    "made through another provider configuration or naming an account_id (either may be another account's), whose "
    "settings are known only after apply, or whose count is unknown does not count. It does not prove an IAM or VPC "
    "endpoint policy keeps anyone out.",
    "- TWB_STACK_002 proves no security group of a core system admits the whole internet (any union of CIDRs and "
    "prefix lists covering it, IPv4 or IPv6). It does not judge ports, or a group admitting another group.",
    "- TWB_STACK_003 proves every route of a core subnet towards internet addresses reaches the internet through an "
    "inspecting firewall, directly or behind NAT gateways, and that the way back in passes it too: a subnet on such a "
    "path that holds addresses the internet can reach (NAT gateway, Elastic or public IP, internet-facing load "
    "balancer) must get its inbound traffic from every internet gateway of the VPC through an edge route table "
    "(aws_route_table_association with gateway_id) whose most specific route covering the subnet goes to the "
    "firewall, for its IPv4 block and its IPv6 block (an IPv6 block counts as public addresses). A subnet with no "
    "public address cannot be addressed from the internet, so no edge route is asked of it. "
    "It does not follow a path beyond a transit gateway, peering connection or VPN (a central or on-premises firewall "
    "is evidence), nor read the rules of an appliance behind a Gateway Load Balancer.",
    "- TWB_STACK_010 proves the firewall's policy inspects: the stateless default forwards to the stateful engine, no "
    "stateless rule passes everything, no strict-order pass-everything group comes first.",
    "- CKV_TWB_004, CKV2_TWB_001, CKV2_TWB_002 and CKV2_TWB_003 prove each CloudFront distribution, internet-facing "
    "ALB, API Gateway REST stage and AppSync API carries a WAFv2 web ACL; TWB_STACK_014 fails the entry points that "
    "cannot carry one (Classic ELB, API Gateway v2, a function URL without IAM).",
    "- TWB_STACK_015 proves the web ACL's rules act: no allow-everything rule ahead of a managed group, no scope-down "
    "matching nothing, no rule group that only counts (override_action count, or every rule overridden to count or "
    "allow, or excluded), logging that keeps records. The rules of AWS managed groups come from "
    "policies/waf_managed_rule_groups.yaml (AWS's documentation, default version; a list may leave a rule out, never "
    "hold one the group lacks); a group not listed, another vendor's, or a pinned version with some rules counted "
    "cannot be judged. It does not prove the managed rules detect a given attack.",
    "",
    "Network ACLs are not modelled. Security groups decide: a network ACL can only deny more, never admit what a "
    "security group refuses, so leaving NACLs out can make brokerguard fail a system a NACL protects (answer with "
    "evidence or a waiver) but never pass one that is exposed. Paths through an internet-facing load balancer are "
    "judged by the WAF checks, not the firewall path rule.",
    "",
    "網際網路暴露檢查共用一個模型（policies/reachability.py），每次掃描由任一來源（HCL、plan、Pulumi、CloudFormation、"
    "線上帳號）建立一次，判定堆疊宣告的路徑：路由表（內嵌路由、aws_route、主路由表）及其目標（網際網路與僅輸出閘道、"
    "NAT 閘道並追蹤至其所在子網路、Network Firewall 與 Gateway Load Balancer 端點）、網際網路閘道的邊緣路由表、子網路"
    "與子網路群組、安全群組（所有傳入 CIDR 的聯集、堆疊中宣告的受管前綴清單）、系統及其網路介面上的 Elastic IP。堆疊"
    "未宣告的路由、子網路、前綴清單或目標一律「無法判定」（不通過），絕不視為私有。未標示 core／non-core 的系統視為"
    "核心系統（設定 `isolate_unclassified`）。",
    "",
    "- TWB_STACK_001 證明核心系統沒有網際網路可達的位址：所在子網路不將網際網路位址路由至網際網路閘道、無公有或 "
    "Elastic IP、不在預設 VPC，且本身沒有公開端點（可公開存取的 RDS、Redshift、Amazon MQ 或 DMS 複寫執行個體、"
    "VPC 外的 OpenSearch、公開的 EKS "
    "API、未採 IAM 的函式 URL、政策或 ACL 允許任何人的儲存貯體）。確定適用的公開存取封鎖（儲存貯體本身的，或帳號層級 "
    "aws_s3_account_public_access_block，線上經 S3 Control 讀取，所需設定皆為字面 true，且與儲存貯體使用同一 "
    "provider 設定）使儲存貯體不公開；經由其他 provider 設定建立或指定 account_id（兩者皆可能屬於其他帳號）、"
    "設定值須待套用後才知道或 count 不明的帳號封鎖不予採計。不證明 IAM 或 VPC 端點政策能擋住任何人。",
    "- TWB_STACK_002 證明核心系統的安全群組不允許整個網際網路（任何涵蓋全部位址的 CIDR 與前綴清單聯集，IPv4 或 "
    "IPv6）。不判定連接埠，也不判定允許另一安全群組的規則。",
    "- TWB_STACK_003 證明核心子網路通往網際網路位址的每條路由，都直接或經 NAT 閘道後通過實際檢查流量的防火牆，且回程"
    "亦然：此類路徑上持有網際網路可達位址（NAT 閘道、Elastic 或公有 IP、面向網際網路的負載平衡器）的子網路，其來自 VPC "
    "每個網際網路閘道的傳入流量，須經邊緣路由表（含 gateway_id 的 aws_route_table_association）中涵蓋該子網路之最精確"
    "路由送往防火牆，IPv4 與 IPv6 位址區塊皆然（IPv6 區塊視為公有位址）。"
    "沒有公有位址的子網路無法自網際網路定址，故不要求邊緣路由。不追蹤中轉閘道、對等連線或 VPN 之外的"
    "路徑（集中式或地端防火牆以佐證資料宣告），也不讀取 Gateway Load Balancer 後方設備的規則。",
    "- TWB_STACK_010 證明防火牆政策確實檢查：stateless 預設動作轉送至 stateful 引擎、無放行一切的 stateless 規則、"
    "無排在最前的 strict-order 放行一切群組。",
    "- CKV_TWB_004、CKV2_TWB_001、CKV2_TWB_002 與 CKV2_TWB_003 證明每個 CloudFront 散發、面向網際網路的 ALB、API "
    "Gateway REST stage 與 AppSync API 皆關聯 WAFv2 Web ACL；TWB_STACK_014 使無法關聯者（Classic ELB、API Gateway v2、"
    "未採 IAM 的函式 URL）不通過。",
    "- TWB_STACK_015 證明 Web ACL 的規則確實作用：受管群組之前沒有允許所有請求的規則、沒有不符合任何請求的 scope-down、"
    "沒有僅計數的規則群組（override_action 為 count，或每條規則皆覆寫為 count 或 allow，或被排除）、日誌確實保留紀錄。"
    "AWS 託管群組的規則取自 policies/waf_managed_rule_groups.yaml（依 AWS 文件，預設版本；清單可少列規則，但絕不列入群組"
    "沒有的規則）；未列入的群組、其他廠商的群組，或指定版本且有規則被改為計數者，無法判定。不證明受管規則能偵測特定攻擊。",
    "",
    "不模擬網路 ACL。由安全群組決定：網路 ACL 只能拒絕更多，無法放行安全群組拒絕的流量，因此不模擬 NACL 只可能使 "
    "brokerguard 判定受 NACL 保護的系統不通過（以佐證資料或豁免回應），絕不會使暴露的系統通過。經由面向網際網路之負載"
    "平衡器的路徑由 WAF 檢查判定。",
    "",
]


def render() -> str:
    catalog = load_catalog(tuple(available_rule_sets()))  # every control of every rule set
    policies = registry.load()
    out = ["# Checks and rules", "",
           "Generated by `python -m brokerguard.docgen` from `policies/`; do not edit by hand.", "", *EXPOSURE_SCOPE]
    for control in catalog.controls:
        ids = control.checks + control.stack_rules
        if not ids and not control.includes:
            continue
        out += [f"## {control.id}: {control.name['en']} / {control.name['zh-TW']} ({control.cc})", ""]
        if control.includes:
            out += ["Also decided by every check and rule of: "
                    + ", ".join(control.includes) + ".", ""]
        for pid in ids:
            p = policies[pid]
            kind = p.kind + (" (evidence may stand in)" if p.kind == STACK_RULE and p.meta.attestable else "")
            out += [f"### {p.id}", "", f"**{p.meta.name}** / {p.meta.name.zh} ({kind}, `{p.source}`, "
                    f"severity {p.meta.severity})", "", str(p.meta.description), "", p.meta.description.zh, ""]
            if p.types:
                out += ["Resource types: " + ", ".join(f"`{r}`" for r in sorted(p.types)), ""]
            out += [f"How to fix: {p.meta.fix}", "", f"修正方式：{p.meta.fix.zh}", ""]
    return "\n".join(out).rstrip() + "\n"


def _obligation_text(o: Obligation) -> str:
    extra = []
    if o.max_age_days:
        extra.append(f"evidence at most {o.max_age_days} days old")
    if o.expiry_required:
        extra.append("a certificate with an expiry")
    if o.also_met_by:
        extra.append("also met by " + ", ".join(o.also_met_by))
    return f"`{o.id}`: binds {o.who()}, in force from {o.in_force}" + (f" ({'; '.join(extra)})" if extra else "")


def _source_lines(o: Obligation) -> list[str]:
    src = o.source
    lines = [f"  - Source: {src['title']['en']}, {src['article']['en']} ({src['date']})",
             f"  - 依據：{src['title']['zh-TW']} {src['article']['zh-TW']}（{src['date']}）"]
    if o.text:
        lines += [f"  - Rule: {o.text['en']}", f"  - 條文：{o.text['zh-TW']}"]
    return lines


def _facts_section() -> list[str]:
    vocabulary = load_vocabulary()
    out = ["## Facts and categories", "",
           "Declared in the profile (`facts:`, `category_definitions:`); an undeclared fact is judged as "
           "applying (fail closed).", "", "| fact | 意義 | meaning |", "|---|---|---|"]
    out += [f"| `{k}` | {v['zh-TW']} | {v['en']} |" for k, v in vocabulary.facts.items()]
    for cat in vocabulary.categories.values():
        out += ["", f"Category `{cat.id}` ({cat.name['zh-TW']} / {cat.name['en']}), default definition "
                f"`{cat.default}` (the stricter reading):", ""]
        for d in cat.definitions:
            holds = " or ".join([f"`{f}`" for f in d.any_of.facts] +
                                ([f"tiers {', '.join(map(str, sorted(d.any_of.tiers)))}"] if d.any_of.tiers else []))
            src = d.source
            out.append(f"- `{d.id}`: {holds}. {src['title']['en']} {src['article']['en']} ({src['date']}); "
                       f"{src['title']['zh-TW']} {src['article']['zh-TW']}")
    return out + [""]


def render_catalog() -> str:
    """The controls of each rule set: who must run them, from when, on what authority, and how they are judged."""
    sets = available_rule_sets()
    out = ["# Control catalog", "",
           "Generated by `python -m brokerguard.docgen` from `policies/catalog.yaml`, `policies/rule_sets/` and "
           "`policies/applicability.yaml`; do not edit by hand. Choose rule sets with `--rule-set` or the "
           "profile's `rule_sets:`; where two require a control of different firms, the stricter applies.", ""]
    for rule_set in sorted(sets.values(), key=lambda r: (not r.default, r.id)):  # the default first
        catalog = load_catalog((rule_set.id,))
        out += [f"## Rule set `{rule_set.id}`" + (" (default)" if rule_set.default else ""), "",
                f"{rule_set.name['zh-TW']} / {rule_set.name['en']} (`policies/rule_sets/{rule_set.id}.yaml`)", "",
                "| control | CC | 名稱 | name | who must | in force | verification |", "|---|---|---|---|---|---|---|"]
        for c in catalog.controls:
            out.append(f"| [`{c.id}`](#{c.id}) | {c.cc} | {c.name['zh-TW']} | {c.name['en']} | "
                       f"{'; '.join(o.who() for o in c.obligations)} | "
                       f"{', '.join(str(o.in_force) for o in c.obligations)} | {c.verification} |")
        out.append("")
    out += _facts_section()
    every = load_catalog(tuple(sets))
    for c in every.controls:
        out += [f"## {c.id}", "", f"**{c.name['zh-TW']}** / **{c.name['en']}** ({c.cc}), scope: {c.scope}"
                + (", maintained (already required before the tiered rules)" if c.maintained else ""), "",
                f"- Requirement: {c.requirement['en']}", f"- 要求：{c.requirement['zh-TW']}",
                f"- Judged: {VERIFICATIONS[c.verification]}"]
        for o in c.obligations:
            out += [f"- `{o.rule_set}` obligation {_obligation_text(o)}", *_source_lines(o)]
        ids = c.checks + c.stack_rules
        if ids:
            out.append("- Checks: " + ", ".join(f"[{i}](checks.md#{i.lower()})" for i in ids))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


PAGES = {DOC: render, CONTROLS_DOC: render_catalog}


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    stale = []
    for page, make in PAGES.items():
        text = make()
        if check:
            if not page.exists() or page.read_text(encoding="utf-8") != text:
                stale.append(page)
        else:
            page.write_text(text, encoding="utf-8")
    for page in stale:
        print(f"{page} is stale: run `python -m brokerguard.docgen`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
