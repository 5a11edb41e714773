# directory-api: `make run` serves the API with the bundled data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Offline copies of the geodata (same layout as the download); used when the folder exists.
GEODATA_MIRROR ?= $(wildcard $(CURDIR)/../shared/data)
export DIRECTORY_INSTANCE_PATH ?= $(CURDIR)/instance
PORT ?= 5000
# The PostgreSQL tests run against this machine's server when it answers on 127.0.0.1:5432
# (trust auth, database `test`), as in CI; set TEST_DATABASE_URL to point them elsewhere.
PG_TEST_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
ifeq ($(origin TEST_DATABASE_URL),undefined)
TEST_DATABASE_URL := $(shell $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1).close()" 2>/dev/null && echo $(PG_TEST_URL))
endif
export TEST_DATABASE_URL
WORKERS ?= 2

.PHONY: install geodata seed run test test-fast lint openapi bench bench-smoke browser wrk clean

$(BIN)/directory-api: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,redis]'
	touch $@

install: $(BIN)/directory-api

geodata: install
	$(BIN)/directory-api geodata fetch $(if $(GEODATA_MIRROR),--from $(GEODATA_MIRROR))

seed: geodata
	$(BIN)/directory-api seed

run: seed
	@echo
	@echo "  API docs:       http://127.0.0.1:$(PORT)/docs"
	@echo "  Sample search:  http://127.0.0.1:$(PORT)/v1/search?care=pharmacy&near=3511%20AB&lang=en"
	@echo
	$(BIN)/directory-api serve --port $(PORT) --workers $(WORKERS)

# Debian's chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The fast tests run on every core (pytest-xdist); the slow and browser tests, which measure
# load, latency and memory or drive Chromium, run after them one at a time.
XDIST := -n auto --dist loadgroup

test: install geodata browser lint
	$(BIN)/pytest -q $(XDIST) -m "not slow and not browser"
	$(BIN)/pytest -q -m "slow or browser"

test-fast: install geodata
	$(BIN)/pytest -q $(XDIST) -m "not slow and not browser"

lint: install
	$(BIN)/ruff check directory_api tests bench
	$(BIN)/mypy directory_api

openapi: install
	$(BIN)/directory-api openapi --output openapi/openapi.json

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

# Benchmarks (issue 5): results in bench/results/latest.{json,md}.
# wrk (Debian's package) loads the HTTP server in the search targets.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian's wrk for the benchmarks"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: install geodata wrk
	$(BIN)/python -m bench.run

bench-smoke: install geodata
	$(BIN)/python -m bench.run --smoke
