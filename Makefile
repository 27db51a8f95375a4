# Linli's front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## create the virtualenv and install everything

demo: $(STAMP) ## run the demo: migrate, seed, localstripe, Celery worker and beat, web on :8000
	$(PY) -m marketplace.demo

test: $(STAMP) ## run the whole test suite in two processes (PostgreSQL/Redis tests skip unless configured)
	$(PY) tests/suite.py $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: $(STAMP) ## extract and compile the zh-hans/en catalogues of every app
	for d in marketplace cms bookings payments repairs; do (cd $$d && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete -i 'migrations/*' >/dev/null); done
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete -i '.venv/*' -i 'marketplace/*' -i 'cms/*' -i 'bookings/*' -i 'payments/*' -i 'repairs/*' -i 'tests/*' -i 'var/*' >/dev/null
	$(PY) manage.py compilemessages -i .venv >/dev/null

bench: $(STAMP) ## benchmarks against this machine's ceiling (PostgreSQL, Redis; ~3 min)
	$(PY) tests/bench/run.py $(BENCH_ARGS)

.PHONY: help install demo test lint messages bench
