# Investigation: Amazon Detective builds a behaviour graph from GuardDuty findings, flow logs and
# CloudTrail (lateral movement, compromised accounts).

resource "aws_detective_graph" "main" {}
