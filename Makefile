# Everyday tasks. The README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Development only: uploads count as clean without a clamd to scan them (README, antivirus).
# With a local clamd: `make demo ANTIVIRUS=clamd`. Production (compose) scans every upload.
ANTIVIRUS ?= off

.PHONY: install demo run worker beat migrate load-demo test pytest quality fix clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: .tools/bin/uv  ## Python packages (locked) and front-end assets (locked)
	$(UV) sync --frozen --quiet --python python3
	npm ci --no-audit --no-fund --loglevel=error

migrate:
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) migrate --noinput

load-demo:
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) load_demo

demo: install  ## Install, prepare the database, load the demo data and serve it
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) migrate --noinput
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) load_demo
	@echo "Alizé est servi sur http://$(HOST):$(PORT)/ (Ctrl+C pour arrêter)"
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) runserver $(HOST):$(PORT)

run:
	DJANGO_DEBUG=true ANTIVIRUS=$(ANTIVIRUS) $(MANAGE) runserver $(HOST):$(PORT)

worker:
	ANTIVIRUS=$(ANTIVIRUS) .venv/bin/celery -A alize worker --loglevel=info

beat:
	ANTIVIRUS=$(ANTIVIRUS) .venv/bin/celery -A alize beat --loglevel=info

test: install quality  ## Install, then lint, check migrations and run the whole suite
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

pytest:
	$(PY) -m pytest $(PYTEST_ARGS)

quality:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=alize.settings_test $(MANAGE) makemigrations --check --dry-run

fix:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

clean:
	rm -rf .venv .tools node_modules var/staticfiles
