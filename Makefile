# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format migrate demo messages lock vendor audit bench calls clean

# A fresh virtual environment with the pinned dependencies, re-made when the lock file changes.
$(BIN)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements/dev.txt
	touch $@

setup: $(BIN)/.installed
	@mkdir -p var/mail var/celery

migrate: setup
	$(MANAGE) migrate --no-input

demo: migrate
	$(MANAGE) demo_data

## make run: sets everything up and serves the portal with demo data at http://$(HOST):$(PORT)
run: demo
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/run.sh

## make test: lint, then the whole suite in one process per core (at most four; TEST_PROCESSES=0 for one process)
TEST_PROCESSES ?= auto
test: setup lint
	$(MANAGE) makemigrations --check --dry-run > /dev/null || (echo "Model changes without a migration: run 'make migrations'"; exit 1)
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES) --maxprocesses 4

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations: setup
	$(MANAGE) makemigrations

## make messages: refresh the message catalogues after changing text (needs gettext), then compile them
messages: setup
	$(MANAGE) makemessages --locale de --locale tr --locale ar --locale ru --locale uk --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --ignore 'tests/*'
	$(BIN)/python scripts/compile_messages.py

## make lock: re-pin the dependencies from requirements/*.in
lock:
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet -r requirements/prod.in
	var/lock-venv/bin/pip freeze > requirements/prod.txt
	var/lock-venv/bin/pip install --quiet -r requirements/dev.in
	var/lock-venv/bin/pip freeze > requirements/dev.txt
	rm -rf var/lock-venv

vendor:
	scripts/vendor.sh

## make audit: checks every pinned dependency against the known vulnerabilities (PyPI's advisory data, via
## pip-audit in a venv of its own); fails on a vulnerability and on a package it could not check (--strict)
audit:
	test -x var/audit-venv/bin/pip-audit || ($(PYTHON) -m venv var/audit-venv && var/audit-venv/bin/pip install --quiet pip-audit)
	var/audit-venv/bin/pip-audit --strict --no-deps --disable-pip --requirement requirements/dev.txt

## make bench: the academy-scale benchmark (docs/benchmarks.md): seeds BENCH_DATABASE_URL once (SCALE=0.1 for a
## tenth), serves it with gunicorn under production settings, drives it over HTTP, runs the booking storm and
## the background work with a real Celery worker; writes var/bench/results.json and docs/benchmarks.{md,json}
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/vamos_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/7
SCALE ?= 1
bench: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python scripts/bench.py --scale $(SCALE)

## make calls: Python function calls, queries and bytes of one request to each page `make bench` measures, in
## this process (scripts/calls.py; needs a database `make bench` has seeded); PAGES="my bookings" for some only,
## REPEAT=200 for the CPU per request here and in PostgreSQL as well
calls: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python scripts/calls.py $(if $(PAGES),"$(PAGES)") $(if $(REPEAT),--repeat $(REPEAT))

clean:
	rm -rf $(VENV) var
