# Yiwang: two commands for a new user — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: set up, migrate, load the Qingyang demo data (and a generated year at 1/100 scale)
## when empty, serve web + worker
run: $(STAMP)
	$(BIN)/yiwang migrate --noinput
	$(BIN)/yiwang demo --if-empty --scale 0.01
	$(BIN)/yiwang serve --with-worker --host $(HOST) --port $(PORT)

## test: set up and run the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy src/

check: lint typecheck
	$(BIN)/yiwang makemigrations --check --dry-run

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

## bench: load test of the production server on PostgreSQL at Qingyang scale, results into
## docs/performance.md (BENCH_DATABASE_URL, BENCH_SCALE, BENCH_SECONDS …: see bench/run.py)
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var
