# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv and install the pinned
# set (constraints.txt) from the package registry first; nothing else needs to be installed by hand.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install demo test test-fast lint dagster app clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24,<27"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,lint,spark]"
	touch $(STAMP)

install: $(STAMP)

demo: install            ## emulator + 90 days through the whole pipeline + the app on http://127.0.0.1:8501
	$(BIN)/finops demo

test: install            ## the whole suite (what CI runs)
	$(BIN)/python -m pytest -n auto --dist loadfile

test-fast: install       ## skip the dbt and end-to-end tests
	$(BIN)/python -m pytest -m "not slow"

lint: install            ## ruff (lint + format) on the Python, sqlfluff on the dbt SQL (what CI runs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

dagster: install         ## Dagster UI on the same instance `finops run` records to
	$(BIN)/finops dagster

app: install
	$(BIN)/finops app

clean:
	rm -rf data dbt_project/target dbt_project/logs
