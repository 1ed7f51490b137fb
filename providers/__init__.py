"""Adapters that turn a source of infrastructure into resources to check.

Installed as ``brokerguard.providers``; in the repository it is the top-level ``providers/`` folder.
"""
