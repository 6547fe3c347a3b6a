# dynstab: `make demo` runs the main job, `make test` the test suite. Both create .venv if missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-all bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dynstab analyze lorenz

test: $(STAMP)
	$(BIN)/python -m pytest

test-all: $(STAMP)
	$(BIN)/python -m pytest -m "slow or not slow"

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
	rm -rf $(VENV) dynstab-report build dist src/*.egg-info
