# The two commands a new user runs: `make demo` and `make test`. Both create .venv when it is missing
# and install the exact versions in requirements.lock (then scorehouse itself, without resolving).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# The lock is resolved for every platform and every Python from 3.11 up (requires-python).
LOCK_OPTIONS := --universal --python-version 3.11 --extra test pyproject.toml
LOWEST := .venv-lowest

.PHONY: demo test test-fast test-lowest install lock clean screenshots docs

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check  # fails when pyproject.toml declares something the lock lacks: run make lock
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/scorehouse demo

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Re-resolve requirements.lock to the newest versions pyproject.toml allows; commit the result.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile --quiet --upgrade $(LOCK_OPTIONS) -o $(LOCK)

# The fast suite against the lowest versions pyproject.toml allows (checks its lower bounds).
test-lowest:
	test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet uv
	$(LOWEST)/bin/uv pip compile --quiet --resolution lowest-direct --python-version 3.11 --extra test \
		pyproject.toml -o $(LOWEST)/lowest.txt
	$(LOWEST)/bin/python -m pip install --quiet -r $(LOWEST)/lowest.txt
	$(LOWEST)/bin/python -m pip install --quiet --no-deps -e .
	$(LOWEST)/bin/python -m pytest -m "not slow" -q

# docs/screenshots/*.png (shown in the README) from the demo warehouse; needs chromium (apt-get install -y chromium)
screenshots: $(STAMP)
	test -f warehouse.duckdb || $(BIN)/scorehouse demo
	$(BIN)/scorehouse report --out report.html
	$(BIN)/python docs/screenshots.py

# docs/tables.md from the warehouse's COMMENTs
docs: $(STAMP)
	$(BIN)/scorehouse docs --out docs/tables.md

clean:
	rm -rf $(VENV) $(LOWEST) artifacts exports warehouse.duckdb warehouse.duckdb.wal warehouse.serving.duckdb report.html
