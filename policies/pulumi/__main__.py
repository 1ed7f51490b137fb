"""brokerguard as a Pulumi CrossGuard policy pack: one mandatory stack policy per control of the catalog,
judged by the installed brokerguard (brokerguard.crossguard) with the profile from the pack's config.

    pulumi preview --policy-pack policies/pulumi --policy-pack-config policies/pulumi/config.example.json
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from brokerguard.crossguard import policies

PolicyPack(name="brokerguard", enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
