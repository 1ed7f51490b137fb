from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.customer_data import (
    COPY_TYPES, STORE_TYPES, copies, material_stores, region_of, unclassified_problem,
)
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.stack_rule import StackRule


class CustomerDataLocation(StackRule):
    """CC-21000 customer-data location (證券商作業委託他人處理應注意事項, 2023-08-31): every data store (S3 bucket,
    DynamoDB table, RDS instance or cluster) declares its data class with the tag tag_keys.data_class
    (material-natural-person or other); an undeclared class fails ("unclassified"). A store of material
    natural-person customer data, and each of its copies (S3 replication destinations, DynamoDB replicas, RDS
    read replicas, AWS Backup copy actions of a plan whose selection may cover it), is in an allowed region
    (settings.allowed_data_regions, default Taiwan ap-east-2). A region the source does not say fails; a
    copy elsewhere is an exception declared as evidence for customer-data-location (the clause's exceptions
    are not known), or waived per store.
    """

    id = "TWB_STACK_042"
    name = "Material natural-person customer data and every copy stay in an allowed region (default Taiwan, ap-east-2)"
    control = "customer-data-location"
    fix = ("Tag every data store with its data class; place material customer-data stores, their replicas and "
           "backup copies in ap-east-2 (or a region in settings.allowed_data_regions), with the region written "
           "literally on the provider; or declare the documented exception as evidence.")
    guideline = "docs/checks.md#twb_stack_042"
    reads = (*STORE_TYPES, *COPY_TYPES)

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = [self.finding(s, False, p) for s in stack.of_type(*STORE_TYPES)
                    if (p := unclassified_problem(s)) is not None]
        return findings + [self._judge(stack, s) for s in material_stores(stack)]

    def _judge(self, stack: Stack, store: Resource) -> Finding:
        allowed = set(setting("allowed_data_regions"))
        places = [(store.address, region_of(store)), *copies(stack, store)]
        unknown = [what for what, region in places if region is None]
        if unknown:
            return self.finding(store, False, f"cannot tell the region of {', '.join(unknown)}: write the provider's "
                                              f"region literally (or the copy's destination in this stack)")
        outside = [f"{what} in {region}" for what, region in places if region not in allowed]
        if outside:
            # Outside the allowed regions: an exception the broker may document as evidence.
            return self.finding(store, False, f"outside {', '.join(sorted(allowed))}: {'; '.join(outside)}",
                                attestable=True)
        return self.finding(store, True, f"{len(places)} place(s) in {', '.join(sorted(allowed))}")


rule = CustomerDataLocation()
