# hoctap — the two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# nbgrader's Gradebook runs `alembic` from PATH: the venv's bin comes first wherever the kit runs.
export PATH := $(abspath $(BIN)):$(PATH)
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1

.PHONY: run test lint bench lab build check clean venv load hub

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Cần Python 3.11 ($(PYTHON)) / Python 3.11 is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/hoctap build

check: $(STAMP)
	$(BIN)/hoctap build --check

# The shipped topic, its nbgrader course and the sample roster (codes in var/access-codes.csv), then the servers.
run: $(STAMP)
	$(BIN)/hoctap build
	$(BIN)/hoctap course release
	$(BIN)/hoctap roster import data/rosters/sample.csv
	$(BIN)/hoctap serve --host $(HOST)

# The same kit behind JupyterHub on this machine (deploy/hub/jupyterhub_config.py; docs/deploy.md): learners log in
# at http://HOST:8000/ with their roster id and code; instructors with `hoctap staff add NAME`'s code. Needs
# configurable-http-proxy (`npm install -g configurable-http-proxy`). HOCTAP_DB_URL=postgresql+psycopg2://… for
# PostgreSQL; the hub's own state goes to var/hub/.
hub: $(STAMP)
	$(BIN)/hoctap build
	$(BIN)/hoctap course release
	$(BIN)/hoctap roster import data/rosters/sample.csv
	HOCTAP_HUB_IP=$(HOST) $(BIN)/jupyterhub -f deploy/hub/jupyterhub_config.py

lab: $(STAMP)
	$(BIN)/hoctap serve --host $(HOST) --only lab

lint: $(STAMP)
	$(BIN)/ruff check hoctap widgets tests
	$(BIN)/ruff format --check hoctap widgets tests

test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -p no:cacheprovider --durations=30 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# Locust against a room of its own (temp dir): USERS learners arriving RATE per second take the whole quiz; the
# report (p50/p95/max per step, errors, submissions graded, kernels after culling, memory) goes to bench-results/.
# The issue's two cases: `make load` (40 in the same second) and `make load USERS=250 RATE=0.83` (over 5 minutes).
USERS ?= 40
RATE ?= 40
load: $(STAMP)
	$(BIN)/python -m hoctap.load --users $(USERS) --rate $(RATE) $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
