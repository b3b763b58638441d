# The two commands: `make up` (deploy STACK, default dev) and `make test` (all CI checks).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

STACK ?= dev
PYTHON ?= python3
PY := .venv/bin/python
# Every install is bootstrap's (bootstrap/profiles.py says what each profile gets).
BOOTSTRAP := $(PYTHON) -m bootstrap --stack $(STACK) --profile
# Every pulumi command runs with the toolchain bootstrap chose, the repo's file
# backend and the stack's passphrase rules (bootstrap/pulumi_env.py).
RUN := $(PYTHON) -m bootstrap.run $(STACK) --
PYTEST_ARGS ?=
TO ?=
# Operator scripts read the program's own modules (release naming, config keys).
OPS := env PYTHONPATH=infra $(PY) -m

.PHONY: help venv bootstrap bootstrap-test bootstrap-lint bootstrap-bench up preview down status \
        releases rollback unlock verify test lint unit bench settings-table clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

venv: ## the project virtualenv from requirements.txt (reinstalled when it changes)
	@$(BOOTSTRAP) venv

bootstrap: ## everything `pulumi up` needs: venv, engine, base image, wheelhouse, Pulumi CLI + plugins
	@$(BOOTSTRAP) deploy

bootstrap-test: ## what `make test` needs: bootstrap's, plus chromium and actionlint
	@$(BOOTSTRAP) test

bootstrap-lint: ## what `make lint` needs: the venv and actionlint
	@$(BOOTSTRAP) lint

bootstrap-bench: ## what `make bench` needs: bootstrap-test's, plus wrk, docker-compose, vegeta
	@$(BOOTSTRAP) bench

up: bootstrap ## deploy STACK (default dev) and print its URL (drops a rollback's pin)
	@$(RUN) pulumi stack select --create $(STACK)
	@$(RUN) $(OPS) ops.converge $(STACK)
	@$(RUN) $(OPS) ops.releases unpin $(STACK)
	@$(RUN) pulumi up --yes --skip-preview --stack $(STACK) --policy-pack policy
	@echo "Dashboard: $$($(RUN) pulumi stack output url --stack $(STACK))"
	@echo "Stop it with: make down STACK=$(STACK)"

releases: venv ## the app images STACK built, newest first, and which one runs
	@$(RUN) $(OPS) ops.releases list $(STACK)

rollback: bootstrap ## put the previous release of STACK back (or TO=<release>), no rebuild
	@$(RUN) $(OPS) ops.releases rollback $(STACK) $(TO)

preview: bootstrap ## pulumi preview with the policy pack
	@$(RUN) pulumi stack select --create $(STACK)
	@$(RUN) pulumi preview --stack $(STACK) --policy-pack policy

down: bootstrap ## destroy STACK (with protectData its volumes stay; it says which)
	@$(RUN) $(OPS) ops.converge $(STACK)
	@$(RUN) pulumi destroy --yes --stack $(STACK)
	@$(PYTHON) -m ops.leftovers $(STACK)

status: bootstrap ## the deployed STACK, seen from the host through its published URL, and its orphans
	@$(RUN) $(OPS) ops.status $(STACK)

unlock: venv ## clear STACK's update lock (only when the run that holds it is gone)
	@$(RUN) pulumi cancel --yes --stack $(STACK)

verify: venv ## testinfra suite against the deployed STACK
	@$(PY) -m pytest tests/infra --stack $(STACK) $(PYTEST_ARGS)

lint: bootstrap-lint ## ruff, ruff format --check, mypy, hadolint, actionlint
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy
	@.venv/bin/hadolint app/Dockerfile
	@$(PYTHON) -m bootstrap.tool actionlint .github/workflows/*.yml

unit: venv ## unit and functional tests (app, infra with mocks, bootstrap decisions)
	@$(PY) -m pytest -m "not docker" $(PYTEST_ARGS)

test: bootstrap-test lint ## everything CI checks
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: bootstrap-bench ## app, image and deploy benchmarks (figures go in the README)
	@$(PY) bench/bench_app.py
	@$(PY) bench/bench_image.py
	@PYTHONPATH=.:infra:app $(PY) bench/bench_deploy.py
	@PYTHONPATH=.:infra:app $(PY) bench/bench_release.py

settings-table: venv ## rewrite README's table of stack settings from the config model
	@cd infra && ../$(PY) -m ticket_dashboard.settings.table --write ../README.md

clean: ## remove build outputs (keeps .pulumi-state)
	@$(PYTHON) -m bootstrap.clean
