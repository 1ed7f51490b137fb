"""brokerguard's rules: the control catalog, custom Checkov checks and stack-level rules.

Installed as ``brokerguard.policies``; in the repository it is the top-level ``policies/`` folder.
"""
