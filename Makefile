# Two commands: `make run` (the product on SQLite with demo data) and `make test` (ruff, mypy, all tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install migrate demo worker beat bench bench-web audit clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "  Editorial review is running at http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins (password for all: demo-pass-2025):"
	@echo "    admin, editor, author, dr.neuro, dr.cardio, dr.pharma, dr.neuro2"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

audit: install
	$(VENV)/bin/pip-audit --local --progress-spinner off

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Benchmarks on the machine's PostgreSQL and Redis, each on a scratch database of its own.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_REDIS ?= redis://127.0.0.1:6379/12
BENCH_ARTICLES ?= 100000
# The HTTP bench (bench/web.py): its own database and Redis dbs 6 (broker) and 7 (cache); BENCH_WEB_ARGS
# passes options, e.g. BENCH_WEB_ARGS="--strict --duration 10".
BENCH_WEB_ARGS ?=

bench: install bench-web
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS bench_outbox" -c "CREATE DATABASE bench_outbox"
	DATABASE_URL=$(BENCH_PG)/bench_outbox REDIS_URL=$(BENCH_REDIS) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/bench_outbox REDIS_URL=$(BENCH_REDIS) $(PY) bench/outbox.py 200
	psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS bench_scale" -c "CREATE DATABASE bench_scale"
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) manage.py seed_scale --articles $(BENCH_ARTICLES)
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) bench/dashboard.py
	DATABASE_URL=$(BENCH_PG)/bench_scale $(PY) bench/lists.py

# Reader pages over HTTP: gunicorn on the production settings, load from wrk (Debian's package).
bench-web: install
	bash scripts/install-wrk.sh
	$(PY) bench/web.py --pg $(BENCH_PG) $(BENCH_WEB_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
