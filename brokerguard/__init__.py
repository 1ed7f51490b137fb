"""brokerguard: tiered cybersecurity controls of Taiwanese securities brokers, checked as code."""

__version__ = "0.1.0"
