# Shortcuts for people with make; the README's commands need only Python.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install test lint format bench-io bench-io-10m bench-pipeline bench-silver-10k bench-bronze-history bench-sandbox bench-watchlist bench-datahub bench-run-progress bench-vs-dlt

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

# The warehouse at scale (docs: README "Benchmarks"); point SPOTIFY_ASSETS_DATABASE_URL at the
# server to measure, e.g. postgresql://postgres@127.0.0.1:5432/test.
bench-io-10m: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_io --rows 10000000 --repeat 1

bench-pipeline: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_pipeline $(ARGS)

bench-silver-10k: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_silver --artists 1000 10000

bench-bronze-history: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_bronze_history

bench-sandbox: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_sandbox

bench-watchlist: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_watchlist

# ARGS="--artists 100 --latency 0.1" for a smaller catalog or Spotify-like answer times.
bench-vs-dlt: install
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_vs_dlt $(ARGS)

bench-datahub: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_datahub_export

bench-run-progress: install
	$(BIN)/python -m spotify_assets_tests.benchmarks.bench_run_progress
