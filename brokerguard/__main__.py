from brokerguard.cli import run

run()
