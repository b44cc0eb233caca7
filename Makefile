# Anju task runner. Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export ANJU_DATABASE_URL ?= sqlite:///$(CURDIR)/data/anju.sqlite3

.PHONY: run test lint fix format setup browser lock bench clean demo

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

## the bpmn-js diagram viewer, from the npm registry at the version in package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

setup: $(BIN)/.installed node_modules/.package-lock.json

# Browser tests use Debian's Chromium (never `playwright install`); CJK fonts for screenshots
# and report PDFs; pango for WeasyPrint; poppler-utils (pdftotext, pdftoppm) for the PDF tests.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && \
	  ldconfig -p | grep -q libpangoft2 && fc-list | grep -qi wqy || \
	  ( $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) )

## run: set up, migrate the SQLite database under ./data, load the demo once, start the app
run: setup
	mkdir -p data
	$(BIN)/anju init
	$(BIN)/anju demo --if-empty
	@echo "Anju: http://localhost:8501  (demo users in README.md; password anju-demo)"
	$(BIN)/streamlit run app.py

## test: set up, lint (ruff, mypy, import-linter), then the whole test suite
test: setup browser lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fix: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

format: fix

## lock: re-resolve requirements.lock from pyproject.toml (commit the result)
lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -q -o requirements.lock

bench: setup
	$(BIN)/python -m bench.engine_bench

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
