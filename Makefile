# Two commands on a fresh machine: `make run` (the demo hub through every DAG of the chain) and `make test`.
# Everything runs from .venv, built from the pinned lock; the Airflow home lives in .airflow (gitignored).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
# The chain, in order; `make run` tests each DAG in turn.
CHAIN_DAGS := kopdes_ingest kopdes_validate kopdes_aggregate kopdes_publish

export PYTHONPATH := $(CURDIR)
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__EXECUTOR ?= LocalExecutor
export AIRFLOW__CORE__PARALLELISM ?= 4
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG ?= 4
# LocalExecutor: task workers start from a forkserver that imported Airflow's task runner and the heavy libraries once,
# so no task imports them again (~2 s a task, ~3 s more for GX): include/kopdes_hub/adapter/workers.PRELOAD (a test keeps
# this copy equal to it)
export AIRFLOW__SCHEDULER__MP_START_METHOD ?= forkserver
export AIRFLOW__CORE__MP_FORKSERVER_PRELOAD ?= airflow,airflow.executors.local_executor,airflow.sdk.execution_time.task_runner,airflow.providers.standard.decorators.python,pandas,pyarrow.parquet,pyarrow.compute,sqlalchemy,alembic.command,great_expectations,scipy.optimize,matplotlib,jinja2,openpyxl
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ?= sqlite:///$(AIRFLOW_HOME)/airflow.db
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS ?= admin:admin
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE ?= $(AIRFLOW_HOME)/passwords.json
export AIRFLOW__API__HOST ?= 127.0.0.1
export AIRFLOW__API__PORT ?= 8080
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL ?= http://127.0.0.1:8080/execution/
export AIRFLOW__LOGGING__LOGGING_LEVEL ?= INFO
# Times in the UI: Airflow 3 has no server-side default any more ([webserver] default_ui_timezone went with the old
# UI; [core] default_timezone only reads naive dates). The UI shows the browser's time zone, WIB on a hub PC in
# Belitung, and each user can pick Asia/Jakarta under User > Timezone (kept in the browser).
# OpenLineage (include/kopdes_hub/adapter/lineage.py): every task's datasets, by default one JSON file per event
# under data/lineage/ (no service needed); for Marquez, AIRFLOW__OPENLINEAGE__TRANSPORT='{"type": "http", "url":
# "http://127.0.0.1:5000", "endpoint": "api/v1/lineage"}' (README, "Lineage"). AIRFLOW__OPENLINEAGE__DISABLED=True
# turns it off.
LINEAGE_DIR := $(CURDIR)/data/lineage
export AIRFLOW__OPENLINEAGE__TRANSPORT ?= {"type": "file", "log_file_path": "$(LINEAGE_DIR)/events", "append": false}
export AIRFLOW__OPENLINEAGE__NAMESPACE ?= kopdes_hub
export AIRFLOW__OPENLINEAGE__EXTRACTORS ?= include.kopdes_hub.adapter.lineage.Extractor
export GX_ANALYTICS_ENABLED := False
export NO_ANALYTICS := True

.PHONY: help setup chromium run test test-fast lint format up down bench bench-lineage bench-stack lock clean
help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

# Each step says what it does in one line (a first run spends a minute or two installing) instead of echoing recipes.
$(BIN)/python:
	@echo "      creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "      installing the pinned lock into $(VENV) with uv $(UV_VERSION) (a minute or two the first time)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.txt
	@touch $@

$(AIRFLOW_HOME)/.migrated: $(VENV)/.installed
	@echo "      creating Airflow's metadata DB in $(patsubst $(CURDIR)/%,%,$(AIRFLOW_HOME)) (airflow db migrate, log: db-migrate.log)"
	@mkdir -p $(AIRFLOW_HOME)
	@test -f $(AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE) || echo '{"admin": "admin"}' > $(AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE)
	@$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || { tail -40 $(AIRFLOW_HOME)/db-migrate.log; exit 1; }
	@touch $@

$(AIRFLOW_HOME)/.pools: $(AIRFLOW_HOME)/.migrated
	@echo "      creating the pool kopdes_heavy (2 slots)"
	@$(BIN)/airflow pools set kopdes_heavy 2 "memory-heavy kopdes tasks (GX batches, publishing)" > /dev/null
	@touch $@

setup: $(VENV)/.installed $(AIRFLOW_HOME)/.migrated $(AIRFLOW_HOME)/.pools  ## .venv from the lock, Airflow home in .airflow
	@mkdir -p $(LINEAGE_DIR)  # the file transport writes into it, and creates no folder
	@echo "      ready: $(VENV) and the Airflow home $(patsubst $(CURDIR)/%,%,$(AIRFLOW_HOME))"

# The hub report is checked in a real headless browser: Debian's chromium, installed when missing (root here).
CHROMIUM := $(shell command -v chromium 2>/dev/null)
chromium:
ifeq ($(CHROMIUM),)
	@echo "installing Debian chromium for the report test (log: .airflow/chromium-install.log)"
	@mkdir -p $(AIRFLOW_HOME)
	@(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  > $(AIRFLOW_HOME)/chromium-install.log 2>&1 || { tail -20 $(AIRFLOW_HOME)/chromium-install.log; exit 1; }
endif

# Each DAG runs through `cli dags-test` (airflow dags test, with every task's log where the UI reads it); its console
# output goes to a file of its own per run, make-run/<UTC time>-<dag_id>.log, so no run overwrites another's.
MAKE_RUN_LOGS := $(AIRFLOW_HOME)/logs/make-run
run:  ## seed the demo hub (if landing is empty), run every DAG of the chain, print the summary
	@echo "[1/4] setting up: $(VENV) from the lock, the Airflow home"
	@$(MAKE) --no-print-directory setup
	@echo "[2/4] seeding the demo hub (only into an empty landing folder) ..."
	@$(BIN)/python -m include.kopdes_hub.cli seed-demo | sed 's/^/      /'
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); mkdir -p $(MAKE_RUN_LOGS); \
	echo "[3/4] running the chain, one DAG after the other (console output: $(patsubst $(CURDIR)/%,%,$(MAKE_RUN_LOGS))/$$stamp-<dag_id>.log)"; \
	for dag in $(CHAIN_DAGS); do \
	  log=$(MAKE_RUN_LOGS)/$$stamp-$$dag.log; start=$$(date +%s); printf '      %-17s ' $$dag; \
	  if $(BIN)/python -m include.kopdes_hub.cli dags-test $$dag > $$log 2>&1; then \
	    echo "success ($$(( $$(date +%s) - start )) s)"; \
	  else echo "FAILED"; tail -60 $$log; echo "FAILED: $$dag, see $$log (task logs: make up, the UI)"; exit 1; fi; \
	done
	@echo "[4/4] summary"
	@$(BIN)/python -m include.kopdes_hub.cli summary
	@echo ""
	@echo "The hub report, these runs and every task's log are in the Airflow UI: make up, then open"
	@echo "http://127.0.0.1:$(AIRFLOW__API__PORT) (admin / admin), Browse > Laporan Hub; make down stops it."

test: setup chromium  ## lint and types, then the whole suite (unit, DAG integrity, end to end, services)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

test-fast: setup  ## the inner loop: lint, types, unit tests and DAG integrity (no services, no whole chains)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q tests/unit tests/dags

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format:  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `airflow standalone` leaves orphans and opens log servers on 0.0.0.0, so `up` starts the four services itself,
# each in its own session (setsid) with its PID recorded, and `down` stops each whole process group. The log servers
# stay off (--skip-serve-logs): Airflow 3.3 binds them to every interface with no host setting
# (airflow/utils/serve_logs/core.py), and on one machine the api-server reads every task log from $(AIRFLOW_HOME)/logs.
SERVICES := api-server scheduler dag-processor triggerer
RUN_DIR := $(AIRFLOW_HOME)/run
svc_args = $(if $(filter api-server,$(1)),-H 127.0.0.1 -p $(AIRFLOW__API__PORT),$(if $(filter scheduler triggerer,$(1)),--skip-serve-logs))

# `make up` leaves the pipeline flowing: a DAG the dag-processor meets for the first time starts unpaused, and the
# DAGs of dags/ already known are unpaused once it has parsed them. PAUSED=1 leaves every pause state as it is and
# lets new DAGs start paused (Airflow's default).
up: export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION = $(if $(PAUSED),True,False)
up: setup  ## the Airflow UI on http://127.0.0.1:8080 (admin / admin) with these DAGs, unpaused (PAUSED=1: as they are)
	@mkdir -p $(RUN_DIR) $(AIRFLOW_HOME)/logs
	@$(foreach svc,$(SERVICES),\
	  if [ -f $(RUN_DIR)/$(svc).pid ] && kill -0 $$(cat $(RUN_DIR)/$(svc).pid) 2>/dev/null; then \
	    echo "$(svc) already running (pid $$(cat $(RUN_DIR)/$(svc).pid))"; \
	  else \
	    setsid $(BIN)/airflow $(svc) $(call svc_args,$(svc)) > $(AIRFLOW_HOME)/logs/$(svc).log 2>&1 < /dev/null & \
	    echo $$! > $(RUN_DIR)/$(svc).pid; echo "started $(svc) (pid $$!, log .airflow/logs/$(svc).log)"; \
	  fi;)
	@for i in $$(seq 1 120); do \
	  curl -fsS http://127.0.0.1:$(AIRFLOW__API__PORT)/api/v2/monitor/health > /dev/null 2>&1 && break; sleep 1; \
	  [ $$i -lt 120 ] || { echo "api-server not healthy after 120 s; see .airflow/logs/api-server.log"; exit 1; }; \
	done
	@if [ -n "$(PAUSED)" ]; then \
	  echo "DAGs keep their pause state (PAUSED=1): unpause one in the UI or with airflow dags unpause DAG_ID"; \
	else \
	  AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING $(BIN)/python -m include.kopdes_hub.cli unpause; \
	fi
	@echo "Airflow UI: http://127.0.0.1:$(AIRFLOW__API__PORT)  (login admin / admin)  -- stop with: make down"

down:  ## stop every process `make up` started
	@for pidfile in $(RUN_DIR)/*.pid; do \
	  [ -f "$$pidfile" ] || continue; pid=$$(cat $$pidfile); name=$$(basename $$pidfile .pid); \
	  if kill -0 $$pid 2>/dev/null; then \
	    kill -TERM -- -$$pid 2>/dev/null || kill -TERM $$pid; \
	    for i in $$(seq 1 30); do kill -0 -- -$$pid 2>/dev/null || break; sleep 1; done; \
	    kill -KILL -- -$$pid 2>/dev/null || true; echo "stopped $$name (pid $$pid)"; \
	  fi; rm -f $$pidfile; \
	done

bench: setup  ## validate + aggregate vs a DuckDB reference, side by side (BENCH_ROWS="1000000 10000000")
	$(BIN)/python -m tests.benchmarks.pipeline

bench-lineage: setup  ## what OpenLineage costs per task, on the data make run left
	$(BIN)/python -m tests.benchmarks.lineage_cost

bench-stack: setup  ## event-to-report latency (Local vs Celery) and 500 files on 1 vs 2 Celery workers
	$(BIN)/python -m tests.benchmarks.stack_bench

lock:  ## re-resolve requirements.in into the pinned requirements.txt (on purpose only)
	$(BIN)/uv pip compile requirements.in --python-version 3.11 -o requirements.txt --custom-compile-command "make lock"

clean:  ## remove the venv, the Airflow home and the local data
	rm -rf $(VENV) $(AIRFLOW_HOME) data
