from brokerguard.policies.customer_data import (
    COPY_TYPES,
    STORE_TYPES,
    copies,
    material_stores,
    region_of,
    unclassified_problem,
)
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack


class CustomerDataLocation(StackRule):
    meta = Meta(
        name=Text("Material natural-person customer data and every copy stay in an allowed region (default Taiwan, "
                  "ap-east-2)",
                  "重大性自然人客戶資料及其所有複本位於允許的區域（預設臺灣 ap-east-2）"),
        description=Text(
            "CC-21000 customer-data location (證券商作業委託他人處理應注意事項, 2023-08-31): every data store (S3 bucket, "
            "DynamoDB table, RDS instance or cluster) declares its data class with the tag tag_keys.data_class "
            "(material-natural-person or other); an undeclared class fails (\"unclassified\"). A store of material "
            "natural-person customer data, and each of its copies (S3 replication destinations, DynamoDB replicas, RDS "
            "read replicas, AWS Backup copy actions of a plan whose selection may cover it), is in an allowed region "
            "(settings.allowed_data_regions, default Taiwan ap-east-2). A region the source does not say fails; a copy "
            "elsewhere is an exception declared as evidence for customer-data-location (the clause's exceptions are not "
            "known), or waived per store.",
            "CC-21000 客戶資料儲存地（證券商作業委託他人處理應注意事項，2023-08-31）：每個資料儲存體（S3 儲存貯體、"
            "DynamoDB 資料表、RDS 執行個體或叢集）以標籤 tag_keys.data_class 宣告資料類別（material-natural-person 或 "
            "other）；未宣告即不通過（「未分類」）。重大性自然人客戶資料的儲存體及其每個複本（S3 複寫目的地、DynamoDB "
            "複本、RDS 唯讀複本、選取可能涵蓋它的 AWS Backup 計畫之複製動作）皆位於允許的區域（settings.allowed_data_regions，"
            "預設臺灣 ap-east-2）。來源未載明區域即不通過；位於他處的複本為例外，以 customer-data-location 的佐證宣告"
            "（該條款的例外規定未能讀取），或逐一儲存體豁免。"),
        fix=Text("Tag every data store with its data class; place material customer-data stores, their replicas and "
                 "backup copies in ap-east-2 (or a region in settings.allowed_data_regions), with the region written "
                 "literally on the provider; or declare the documented exception as evidence.",
                 "為每個資料儲存體標記資料類別；將重大性客戶資料儲存體及其複本、備份放在 ap-east-2（或 "
                 "settings.allowed_data_regions 所列區域），並在 provider 以字面值寫明區域；或以佐證宣告已記錄的例外。"),
        severity=HIGH,
        types=(*STORE_TYPES, *COPY_TYPES),
        attributes={"tags", "tags_all", "region", "arn", "replica", "replicate_source_db",
                    "replication_source_identifier"},
    )

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
