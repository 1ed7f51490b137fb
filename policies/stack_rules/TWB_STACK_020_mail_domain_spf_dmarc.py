from brokerguard.model import Finding, Resource, Stack
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
    """CC-17010 mail filtering (anti-spoofing): every SES sending domain publishes an SPF record
    (on the domain or its MAIL FROM domain) and a DMARC record whose policy quarantines or rejects
    forged mail, as aws_route53_record TXT records. DNS hosted elsewhere is declared as evidence."""

    id = "TWB_STACK_020"
    name = "SES sending domains publish SPF and an enforcing DMARC record"
    control = "email-filtering"
    fix = (
        'Add aws_route53_record TXT records: "v=spf1 include:amazonses.com -all" on the domain (or its '
        'MAIL FROM domain) and "v=DMARC1; p=quarantine" (or p=reject) on _dmarc.<domain>.'
    )
    guideline = "docs/checks.md#twb_stack_020"
    reads = ("aws_ses_domain_identity", "aws_sesv2_email_identity", "aws_ses_domain_mail_from", "aws_route53_zone",
             "aws_route53_record")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for identity, domain in sending_domains(stack):
            spf_names = [domain] + [str(m.values.get("mail_from_domain") or "").rstrip(".").lower()
                                    for m in stack.of_type("aws_ses_domain_mail_from")
                                    if names(m, "domain", identity, "domain")]
            problems = []
            spf = [t for n in spf_names for t in _txt(stack, n) if t.lower().startswith("v=spf1")]
            if not spf:
                problems.append(f"no SPF TXT record (v=spf1) for {' or '.join(spf_names)}")
            elif any(t.replace(" ", "").endswith(("+all", "?all")) or t.split()[-1] == "all" for t in spf):
                problems.append("the SPF record lets any server send (+all or ?all)")
            dmarc = [t for t in _txt(stack, f"_dmarc.{domain}") if t.upper().startswith("V=DMARC1")]
            policies = {p.split("=", 1)[1].strip().lower() for t in dmarc for p in t.split(";")
                        if p.strip().lower().startswith("p=")}
            if not dmarc:
                problems.append(f"no DMARC TXT record (v=DMARC1) at _dmarc.{domain}")
            elif not policies & set(ENFORCING_DMARC):
                given = ", ".join(sorted(policies)) or "missing"
                problems.append(f"the DMARC policy is {given}, not quarantine or reject")
            findings.append(self.finding(identity, not problems, "; ".join(problems) or "ok"))
        return findings


rule = MailDomainSpfDmarc()
