# Shortcuts for people with make; the README's commands need only Python.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install test lint format bench-io bench-sandbox bench-watchlist bench-run-progress

$(BIN)/spotify-assets: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/spotify-assets

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench-io: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_io

bench-sandbox: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_sandbox

bench-watchlist: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_watchlist

bench-run-progress: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_run_progress
