# The two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint format docs bench chromium clean

# logwarden and its emulators (sandbox/, the logwarden-sandbox distribution), both editable.
$(STAMP): pyproject.toml sandbox/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ./sandbox -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/logwarden demo --output logwarden-demo

test: $(STAMP)
	$(BIN)/python -m pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy logwarden sandbox/logwarden_sandbox

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Generated references (a test fails when they are stale).
docs: $(STAMP)
	$(BIN)/python -m logwarden.scanner.frameworks_command > docs/frameworks.md
	$(BIN)/python -m logwarden.scanner.config_doc > docs/config.md

# Debian's Chromium for the browser test (tests/browser); without it `make test` skips that
# test with the reason (and fails it under CI=true). Needs root, as .ci/run has in CI.
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

bench: $(STAMP)
	$(BIN)/python bench/aws_org_scan.py --accounts 20 --regions 2

clean:
	rm -rf $(VENV) logwarden-demo logwarden-report .pytest_cache .ruff_cache .mypy_cache
