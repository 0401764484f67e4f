# Two commands: `make run` (the product on SQLite with demo data) and `make test` (ruff, mypy, all tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint lock lock-check format install migrate demo worker beat bench bench-web audit clean \
	cluster cluster-stop cluster-status cluster-test
.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-14s %s\n", $$1, $$2}'

# The environment is the lock, to the hash: requirements/dev.txt is uv.lock exported for pip (`make lock`).
$(STAMP): requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies (hashes checked)

lock: install ## Resolve pyproject.toml into uv.lock and export requirements/runtime.txt and dev.txt
	$(VENV)/bin/uv lock
	$(VENV)/bin/uv export --frozen --no-dev --no-emit-project --format requirements-txt --no-header -q -o requirements/runtime.txt
	$(VENV)/bin/uv export --frozen --no-emit-project --format requirements-txt --no-header -q -o requirements/dev.txt

lock-check: install ## Fail if uv.lock or the exported files are out of date with pyproject.toml
	$(VENV)/bin/uv lock --check
	$(VENV)/bin/uv export --frozen --no-dev --no-emit-project --format requirements-txt --no-header -q | diff -q - requirements/runtime.txt
	$(VENV)/bin/uv export --frozen --no-emit-project --format requirements-txt --no-header -q | diff -q - requirements/dev.txt

migrate: install ## Apply the migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo data (every role)
	$(PY) manage.py load_demo

run: demo ## Run the product on SQLite with demo data
	@echo ""
	@echo "  Editorial review is running at http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins (password for all: demo-pass-2025):"
	@echo "    admin, editor, author, dr.neuro, dr.cardio, dr.pharma, dr.neuro2"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install ## ruff, ruff format --check, mypy and the private-internals check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	bash scripts/check-private-internals.sh

audit: install ## pip-audit of the installed packages
	$(VENV)/bin/pip-audit --local --progress-spinner off

format: install ## Format and fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint ## Lint, check migrations, run every test
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	$(VENV)/bin/pytest

worker: install ## Run a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install ## Run Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Benchmarks on the machine's PostgreSQL and Redis, each on a scratch database of its own.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_REDIS ?= redis://127.0.0.1:6379/12
BENCH_ARTICLES ?= 100000
# The HTTP bench (bench/web.py): its own database and Redis dbs 6 (broker) and 7 (cache); BENCH_WEB_ARGS
# passes options, e.g. BENCH_WEB_ARGS="--strict --duration 10".
BENCH_WEB_ARGS ?=

bench: install bench-web ## Every benchmark (PostgreSQL and Redis)
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS bench_outbox" -c "CREATE DATABASE bench_outbox"
	DATABASE_URL=$(BENCH_PG)/bench_outbox REDIS_URL=$(BENCH_REDIS) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/bench_outbox REDIS_URL=$(BENCH_REDIS) $(PY) bench/outbox.py 200
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS bench_scale" -c "CREATE DATABASE bench_scale"
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) manage.py seed_scale --articles $(BENCH_ARTICLES)
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) bench/dashboard.py
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) bench/lists.py

# Reader pages over HTTP: gunicorn on the production settings, load from wrk (Debian's package).
bench-web: install ## Reader pages over HTTP (gunicorn, wrk)
	bash scripts/install-wrk.sh
	$(PY) bench/web.py --pg $(BENCH_PG) $(BENCH_WEB_ARGS)

# The product on a real topology on this machine (scripts/cluster.sh): a PostgreSQL primary and streaming
# replica, Redis, two gunicorn nodes behind HAProxy on http://127.0.0.1:8100/, two Celery workers and a beat.
cluster: install ## Start the topology: primary + replica, Redis, 2 web nodes behind HAProxy (:8100), 2 workers, beat
	bash scripts/cluster.sh start

cluster-stop: ## Stop what `make cluster` started
	bash scripts/cluster.sh stop

cluster-status: ## What the cluster runs, HAProxy's view of each node, the replica's backlog
	bash scripts/cluster.sh status

# A fresh cluster, tests/cluster/ against it (a node and a worker are SIGKILLed, the replica lags), then stopped.
cluster-test: install ## A fresh cluster, tests/cluster/ against it (node and worker killed, replica lagging), stopped
	bash scripts/cluster.sh stop >/dev/null
	bash scripts/cluster.sh start
	env -u DATABASE_URL -u REDIS_URL -u CACHE_URL CLUSTER_DIR=$(CURDIR)/var/cluster \
		$(VENV)/bin/pytest -p no:cacheprovider -s tests/cluster; status=$$?; bash scripts/cluster.sh stop; exit $$status

clean: ## Remove the venv, the SQLite file and caches
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
