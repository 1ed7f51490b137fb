# Two entry points: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test

.PHONY: demo test lint venv clean browser

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
REPORTS := reports

demo: $(STAMP)
	@for tier in 1 2 3 4; do \
		echo "### Tier-$$tier broker, compliant stack (expect PASSED, exit 0)"; \
		$(SCAN) $(EX)/tier$$tier-compliant --profile iac_examples/profiles/tier$$tier.yaml; echo "exit code $$?"; \
	done
	@echo "### The tier-4 stack judged as tier 2 (expect waf FAIL among others, exit 1)"
	-$(SCAN) $(EX)/tier4-compliant --profile iac_examples/profiles/tier4.yaml --tier 2
	@for ex in $(notdir $(wildcard $(EX)/nonc-*)); do \
		echo "### $$ex at tier 1 (expect FAILED, exit 1; iac_examples/terraform/README.md says which control)"; \
		$(SCAN) $(EX)/$$ex --profile iac_examples/profiles/tier1.yaml --format json | \
			$(BIN)/python -c 'import json,sys; d=json.load(sys.stdin); print("  failing:", ", ".join(d["summary"]["failing_controls"]) or "none")'; \
	done
	@echo "### The tier-1 stack written as a Pulumi program, run under mocks (expect PASSED, exit 0)"
	-$(SCAN) iac_examples/pulumi/tier1-compliant --profile iac_examples/profiles/tier1.yaml
	@echo "### The tier-1 stack as CloudFormation nested stacks, and as a CDK cloud assembly (expect PASSED, exit 0)"
	-$(SCAN) iac_examples/cloudformation/tier1-compliant --profile iac_examples/profiles/tier1.yaml
	-$(SCAN) iac_examples/cdk/tier1-compliant/cdk.out --profile iac_examples/profiles/tier1.yaml
	@echo "### A real terraform show -json plan of the public-core-db example (expect firewall FAIL, exit 1)"
	-$(SCAN) tests/fixtures/terraform_plan/nonc-public-core-db.plan.json --profile iac_examples/profiles/tier1.yaml
	@echo "### HTML (zh-TW) and SARIF reports of every bundled example"
	@for ex in $(notdir $(wildcard $(EX)/*-compliant $(EX)/nonc-*)); do \
		profile=iac_examples/profiles/tier1.yaml; case $$ex in tier*-compliant) profile=iac_examples/profiles/$${ex%-compliant}.yaml;; esac; \
		$(SCAN) $(EX)/$$ex --profile $$profile --format html,sarif --output-dir $(REPORTS)/$$ex; code=$$?; \
		[ $$code -le 1 ] || exit $$code; \
		echo "  $(REPORTS)/$$ex/report.html  $(REPORTS)/$$ex/report.sarif  (exit $$code)"; \
	done
	@echo "Open the HTML in a browser: file://$(CURDIR)/$(REPORTS)/tier1-compliant/report.html"

# The HTML report is tested in a real headless Chromium with a CJK font (Debian packages). When they
# cannot be installed (no root, no apt), the test that needs them is skipped and says why.
browser:
	@(command -v chromium >/dev/null && fc-list :lang=zh-tw | grep -q .) || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) \
		>/dev/null 2>&1 || echo "make: chromium or fonts-noto-cjk could not be installed; the browser test will be skipped"

# ruff is a pinned test dependency; its rules are in pyproject.toml ([tool.ruff]).
lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
