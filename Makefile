# `make run`: set up, build the index if needed, start the app.   `make test`: set up, run the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser run test index eval bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, from the CPU wheel; the constraint keeps every later install on it (an unpinned
# torch would pull a multi-GB CUDA build).
$(STAMP): $(BIN)/python requirements/*.txt pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c requirements/constraints.txt -r requirements/base.txt -r requirements/st.txt -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Chromium and CJK fonts for the browser tests: installed when missing (as root), else the exact command.
browser:
	@scripts/ensure-browser

index: setup
	$(BIN)/assistant index

run: setup
	$(BIN)/assistant index
	$(BIN)/assistant ui

test: setup browser
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/python -m evals --suite all --baseline

bench: setup
	$(BIN)/assistant bench

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
