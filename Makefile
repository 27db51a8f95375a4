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

# The locked versions (uv pip compile, with hashes): requirements.lock for production,
# requirements-dev.lock adds the test and demo extras. `make install` installs exactly these.
LOCK_PROD := requirements.lock
LOCK_DEV := requirements-dev.lock
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
UV_COMPILE := $(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

$(STAMP): pyproject.toml $(LOCK_DEV)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r $(LOCK_DEV)
	$(PIP) install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create the virtualenv and install the locked versions (requirements-dev.lock)

lock: ## after changing pyproject.toml's dependencies: resolve them into the lock files (keeps other pins)
	@test -x $(UV) || { test -x $(PY) || $(PYTHON) -m venv $(VENV); $(PIP) install --quiet uv==$(UV_VERSION); }
	$(UV_COMPILE) -o $(LOCK_PROD)
	$(UV_COMPILE) --extra test --extra demo -o $(LOCK_DEV)

lock-upgrade: ## move every locked version to the newest pyproject.toml allows, then `make install test`
	@test -x $(UV) || { test -x $(PY) || $(PYTHON) -m venv $(VENV); $(PIP) install --quiet uv==$(UV_VERSION); }
	$(UV_COMPILE) --upgrade -o $(LOCK_PROD)
	$(UV_COMPILE) --upgrade --extra test --extra demo -o $(LOCK_DEV)

demo: $(STAMP) ## run the demo: migrate, seed, localstripe, Celery worker and beat, web on :8000
	$(PY) -m marketplace.demo

test: $(STAMP) ## run the whole test suite in two processes (PostgreSQL/Redis tests skip unless configured)
	$(PY) tests/suite.py $(PYTEST_ARGS)

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Linli's own apps: the installed apps whose code lives in this repository (INSTALLED_APPS decides,
# so a new app's strings are extracted as soon as it is installed). Evaluated only by `messages`.
LOCAL_APPS = $(shell $(PY) manage.py shell --no-imports -v 0 -c "from pathlib import Path; from django.apps import apps; from django.conf import settings; root = Path(settings.BASE_DIR).resolve(); paths = [Path(c.path).resolve() for c in apps.get_app_configs() if 'site-packages' not in c.path]; print(' '.join(dict.fromkeys(p.relative_to(root).parts[0] for p in paths if p.is_relative_to(root))))")

messages: $(STAMP) ## extract and compile the zh-hans/en catalogues of every app
	@apps="$(LOCAL_APPS)"; test -n "$$apps" || { echo "no local apps found in INSTALLED_APPS" >&2; exit 1; }; \
	for d in $$apps; do (cd $$d && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete -i 'migrations/*' >/dev/null) || exit 1; done; \
	skip=(); for d in $$apps; do skip+=(-i "$$d/*"); done; \
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete -i '.venv/*' "$${skip[@]}" -i 'tests/*' -i 'var/*' >/dev/null
	$(PY) manage.py compilemessages -i .venv >/dev/null

bench: $(STAMP) ## benchmarks against this machine's ceiling (PostgreSQL, Redis; ~3 min)
	$(PY) tests/bench/run.py $(BENCH_ARGS)

.PHONY: help install lock lock-upgrade demo test lint messages bench
