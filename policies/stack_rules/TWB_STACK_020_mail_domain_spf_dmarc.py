from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.stack_rule import StackRule, as_list, names

ENFORCING_DMARC = ("quarantine", "reject")


def _fqdn(stack: Stack, record: Resource) -> str:
    """A record's full name: Route 53 accepts a name relative to its hosted zone."""
    name = str(record.values.get("name") or "").rstrip(".").lower()
    for zone in stack.of_type("aws_route53_zone"):
        zone_name = str(zone.values.get("name") or "").rstrip(".").lower()
        if zone_name and names(record, "zone_id", zone, "zone_id") and name != zone_name \
                and not name.endswith("." + zone_name):
            return f"{name}.{zone_name}"
    return name


def _txt(stack: Stack, fqdn: str) -> list[str]:
    return [str(v).strip('"') for r in stack.of_type("aws_route53_record")
            if str(r.values.get("type")).upper() == "TXT" and _fqdn(stack, r) == fqdn
            for v in as_list(r.values.get("records"))]


def sending_domains(stack: Stack) -> list[tuple[Resource, str]]:
    found = [(i, str(i.values.get("domain") or "")) for i in stack.of_type("aws_ses_domain_identity")]
    found += [(i, str(i.values.get("email_identity") or "")) for i in stack.of_type("aws_sesv2_email_identity")
              if "@" not in str(i.values.get("email_identity") or "@")]
    return [(i, d.rstrip(".").lower()) for i, d in found if d]


class MailDomainSpfDmarc(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for identity, domain in sending_domains(stack):
            spf_names = [domain] + [str(m.values.get("mail_from_domain") or "").rstrip(".").lower()
                                    for m in stack.of_type("aws_ses_domain_mail_from")
                                    if names(m, "domain", identity, "domain")]
            problems = []
            spf = [t for n in spf_names for t in _txt(stack, n) if t.lower().startswith("v=spf1")]
            if not spf:
                problems.append(Text(f"no SPF TXT record (v=spf1) for {' or '.join(spf_names)}",
                                     f"{' 或 '.join(spf_names)} 沒有 SPF TXT 紀錄（v=spf1）"))
            elif any(t.replace(" ", "").endswith(("+all", "?all")) or t.split()[-1] == "all" for t in spf):
                problems.append(Text("the SPF record lets any server send (+all or ?all)",
                                     "SPF 紀錄允許任何伺服器寄信（+all 或 ?all）"))
            dmarc = [t for t in _txt(stack, f"_dmarc.{domain}") if t.upper().startswith("V=DMARC1")]
            policies = {p.split("=", 1)[1].strip().lower() for t in dmarc for p in t.split(";")
                        if p.strip().lower().startswith("p=")}
            if not dmarc:
                problems.append(Text(f"no DMARC TXT record (v=DMARC1) at _dmarc.{domain}",
                                     f"_dmarc.{domain} 沒有 DMARC TXT 紀錄（v=DMARC1）"))
            elif not policies & set(ENFORCING_DMARC):
                given = ", ".join(sorted(policies))
                problems.append(Text(f"the DMARC policy is {given or 'missing'}, not quarantine or reject",
                                     f"DMARC 政策為 {'、'.join(sorted(policies)) or '未設定'}，而非 quarantine 或 reject"))
            findings.append(self.finding(identity, not problems, Text.join("; ", problems) or OK))
        return findings


rule = MailDomainSpfDmarc()
