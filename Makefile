# The two commands: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PG_URL ?= postgres://postgres@127.0.0.1:5432/samizdat
# `make run PORT=8100` serves on another port; links follow it (docs/configuration.md).
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench soak messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/samizdat up
	$(BIN)/samizdat dev 127.0.0.1:$(PORT)

# The whole suite on SQLite, then again on PostgreSQL when one is reachable
# (TEST_DATABASE_URL, default: the local server); in CI a missing server fails.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -m "not browser and not serving"

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/samizdat makemigrations --check --dry-run
	$(BIN)/samizdat check

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

# Faults under load (bench/soak.py): SOAK_SECONDS, default 120. Not in CI.
soak: $(TEST_STAMP)
	$(BIN)/python bench/soak.py

messages: $(STAMP)
	cd src/samizdat && ../../$(BIN)/samizdat makemessages -l be -l ru -l en --no-obsolete --no-location --ignore 'static/*'
	cd src/samizdat && ../../$(BIN)/samizdat compilemessages

clean:
	rm -rf $(VENV) var
