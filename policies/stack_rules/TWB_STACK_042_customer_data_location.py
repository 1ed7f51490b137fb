from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.customer_data import (
    STORE_TYPES,
    copies,
    material_stores,
    region_of,
    unclassified_problem,
)
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.stack_rule import StackRule


class CustomerDataLocation(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = [self.finding(s, False, p) for s in stack.of_type(*STORE_TYPES)
                    if (p := unclassified_problem(s)) is not None]
        return findings + [self._judge(stack, s) for s in material_stores(stack)]

    def _judge(self, stack: Stack, store: Resource) -> Finding:
        allowed = ", ".join(sorted(setting("allowed_data_regions")))
        places = [(store.address, region_of(store)), *copies(stack, store)]
        unknown = ", ".join(what for what, region in places if region is None)
        if unknown:
            return self.finding(store, False, Text(
                f"cannot tell the region of {unknown}: write the provider's region literally (or the copy's "
                f"destination in this stack)",
                f"無法判定 {unknown} 的區域：請在 provider 以字面值寫明區域（或在此堆疊宣告複本目的地）"))
        outside = "; ".join(f"{what} in {region}" for what, region in places
                            if region not in setting("allowed_data_regions"))
        if outside:
            # Outside the allowed regions: an exception the broker may document as evidence.
            return self.finding(store, False, Text(f"outside {allowed}: {outside}", f"位於 {allowed} 以外：{outside}"),
                                attestable=True)
        return self.finding(store, True, Text(f"{len(places)} place(s) in {allowed}", f"{len(places)} 處皆在 {allowed}"))


rule = CustomerDataLocation()
