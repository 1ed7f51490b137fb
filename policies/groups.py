"""Named sets a policy's metadata may refer to as ``$name`` (``types: [$network, aws_flow_log]``), so that a set
the code also uses is written once."""

from brokerguard.policies.detection import EVENTS_READS, GUARDDUTY_READS
from brokerguard.policies.network import NETWORK_ATTRIBUTES, NETWORK_READS
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES

TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "classified": CLASSIFIED_TYPES, "network": NETWORK_READS, "guardduty": GUARDDUTY_READS, "events": EVENTS_READS,
}
ATTRIBUTE_GROUPS: dict[str, frozenset[str]] = {"network": NETWORK_ATTRIBUTES}
