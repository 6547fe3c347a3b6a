# dynstab: `make demo` runs the main job, `make test` the test suite. Both create .venv if missing.
# `make lint` (ruff + mypy) and `make docs` (the strict docs build) are what .ci/run checks besides the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test test-all bench lint format docs docs-serve gallery clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/dynstab analyze lorenz

test: $(STAMP)
	$(BIN)/python -m pytest

test-all: $(STAMP)
	$(BIN)/python -m pytest -m "slow or not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# safe fixes only (no --unsafe-fixes): import order, pyupgrade, unused noqa; then the formatter
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(DOCS_STAMP)
	$(BIN)/python scripts/make_api_pages.py
	$(BIN)/mkdocs build --strict

docs-serve: $(DOCS_STAMP)
	$(BIN)/python scripts/make_api_pages.py
	$(BIN)/mkdocs serve

gallery: $(STAMP)
	$(BIN)/python scripts/make_gallery.py

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python benchmarks/bench_foundation.py
	$(BIN)/python benchmarks/bench_timeseries.py --write
	$(BIN)/python benchmarks/bench_rqa.py
	$(BIN)/python benchmarks/bench_stability.py
	$(BIN)/python benchmarks/bench_learn_dmd.py
	$(BIN)/python benchmarks/bench_learn_reservoir.py
	$(BIN)/python benchmarks/bench_learn_plrnn.py

clean:
	rm -rf $(VENV) dynstab-report build dist site src/*.egg-info
