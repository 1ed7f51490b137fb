# Two entry points: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test

.PHONY: demo test venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The example profiles' evidence is dated for this day; a fixed date keeps the demo reproducible.
DEMO_AS_OF := 2024-06-30
EX := iac_examples/terraform
SCAN := $(BIN)/brokerguard scan --as-of $(DEMO_AS_OF)

demo: $(STAMP)
	@echo "### Tier-1 broker, compliant stack (expect PASSED, exit 0)"
	-$(SCAN) $(EX)/tier1-compliant --profile iac_examples/profiles/tier1.yaml
	@echo "### Tier-4 broker, compliant stack (expect PASSED, exit 0)"
	-$(SCAN) $(EX)/tier4-compliant --profile iac_examples/profiles/tier4.yaml
	@echo "### The same stack judged as tier 2 (expect waf FAIL, exit 1)"
	-$(SCAN) $(EX)/tier4-compliant --profile iac_examples/profiles/tier4.yaml --tier 2
	@for ex in nonc-public-core-db nonc-alb-without-waf nonc-missing-classification; do \
		echo "### $$ex at tier 1 (expect FAILED, exit 1)"; \
		$(SCAN) $(EX)/$$ex --profile iac_examples/profiles/tier1.yaml; echo "exit code $$?"; \
	done

	@echo "### The tier-1 stack written as a Pulumi program, run under mocks (expect PASSED, exit 0)"
	-$(SCAN) iac_examples/pulumi/tier1-compliant --profile iac_examples/profiles/tier1.yaml
	@echo "### A real terraform show -json plan of the public-core-db example (expect firewall FAIL, exit 1)"
	-$(SCAN) tests/fixtures/terraform_plan/nonc-public-core-db.plan.json --profile iac_examples/profiles/tier1.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
