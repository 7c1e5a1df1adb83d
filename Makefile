# The two commands a new user runs: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast install clean screenshots docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/scorehouse demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# docs/screenshots/*.png (shown in the README) from the demo warehouse; needs chromium (apt-get install -y chromium)
screenshots: $(STAMP)
	test -f warehouse.duckdb || $(BIN)/scorehouse demo
	$(BIN)/scorehouse report --out report.html
	$(BIN)/python docs/screenshots.py

# docs/tables.md from the warehouse's COMMENTs
docs: $(STAMP)
	$(BIN)/scorehouse docs --out docs/tables.md

clean:
	rm -rf $(VENV) artifacts exports warehouse.duckdb warehouse.duckdb.wal report.html
