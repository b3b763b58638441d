# The two commands: `make up` (deploy STACK, default dev) and `make test` (all CI checks).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

STACK ?= dev
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Every pulumi command runs with the toolchain bootstrap chose, the repo's file
# backend and the stack's passphrase rules (bootstrap/pulumi_env.py).
RUN := $(PYTHON) -m bootstrap.run $(STACK) --
TOOLS_BIN := $(CURDIR)/.tools/bin
PYTEST_ARGS ?=

.PHONY: help bootstrap bootstrap-test venv browser-deps actionlint up preview down status verify vegeta \
        test lint unit image-test bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## the project virtualenv from requirements.txt

$(VENV)/.installed: requirements.txt
	@echo "venv: installing requirements.txt into $(VENV) ..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@
	@echo "venv: ready"

bootstrap: venv ## everything `pulumi up` needs: engine, base image, wheels, Pulumi CLI + plugins
	@$(PYTHON) -m bootstrap --profile deploy --stack $(STACK)

bootstrap-test: venv browser-deps actionlint ## what `make test` needs (the deploy toolchain too)
	@$(PYTHON) -m bootstrap --profile test --stack $(STACK)

browser-deps: ## Debian's chromium + chromedriver for the real-browser test
	@if [[ ! -x /usr/bin/chromedriver ]]; then \
	  echo "browser-deps: installing chromium and chromium-driver ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

actionlint: $(TOOLS_BIN)/actionlint ## actionlint, built from its Go module

$(TOOLS_BIN)/actionlint:
	@echo "actionlint: building from Go modules ..."
	@GOTOOLCHAIN=local GOBIN=$(TOOLS_BIN) go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

vegeta: $(TOOLS_BIN)/vegeta ## vegeta (constant-rate load), built from its Go module

$(TOOLS_BIN)/vegeta:
	@echo "vegeta: building from Go modules ..."
	@GOTOOLCHAIN=local GOBIN=$(TOOLS_BIN) go install github.com/tsenart/vegeta/v12@v12.13.0

up: bootstrap ## deploy STACK (default dev) and print its URL
	@$(RUN) pulumi stack select --create $(STACK)
	@$(RUN) pulumi up --yes --skip-preview --stack $(STACK)
	@echo "Dashboard: $$($(RUN) pulumi stack output url --stack $(STACK))"
	@echo "Stop it with: make down STACK=$(STACK)"

preview: bootstrap ## pulumi preview with the policy pack
	@$(RUN) pulumi stack select --create $(STACK)
	@$(RUN) pulumi preview --stack $(STACK) --policy-pack policy

down: bootstrap ## destroy STACK (with protectData its volumes stay; it says which)
	@$(RUN) pulumi destroy --yes --stack $(STACK)
	@$(PYTHON) -m ops.leftovers $(STACK)

status: bootstrap ## the deployed STACK, seen from the host through its published URL
	@$(RUN) $(PYTHON) -m ops.status $(STACK)

verify: venv ## testinfra suite against the deployed STACK
	@$(PY) -m pytest tests/infra --stack $(STACK) $(PYTEST_ARGS)

lint: venv actionlint ## ruff, ruff format --check, actionlint
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(TOOLS_BIN)/actionlint .github/workflows/*.yml

unit: venv ## unit and functional tests (app, infra with mocks, bootstrap decisions)
	@$(PY) -m pytest -m "not docker" $(PYTEST_ARGS)

test: bootstrap-test lint ## everything CI checks
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: bootstrap-test vegeta ## app, image and deploy benchmarks (figures go in the README)
	@command -v wrk >/dev/null && command -v docker-compose >/dev/null || { \
	  echo "bench: installing Debian's wrk and docker-compose ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk docker-compose >/dev/null; }
	@$(PY) bench/bench_app.py
	@$(PY) bench/bench_image.py
	@PYTHONPATH=.:infra:app $(PY) bench/bench_deploy.py

clean: ## remove build outputs (keeps .pulumi-state)
	rm -rf .tools/build .tools/src app/wheelhouse
