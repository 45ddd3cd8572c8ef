# Two commands matter: `make run` (serve the demo) and `make test` (the whole suite);
# `make check` is the fast tier to run before every commit.
# Everything else is a step they call. Works on a fresh Debian machine with python3.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WAREHOUSE ?= data/warehouse.duckdb
DEMO_MEMBERS ?= 6000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test check serve bench install browser demo warehouse lint format clean

# Serve the demo on http://127.0.0.1:8050, building the demo warehouse first if missing or built by other code.
run: install warehouse
	$(PY) -m dashboard serve --warehouse $(WAREHOUSE) --host 127.0.0.1 --port 8050

# Production-style serving: gunicorn (config in dashboard/gunicorn_conf.py) on 127.0.0.1:8050.
serve: install warehouse
	DASHBOARD_WAREHOUSE=$(WAREHOUSE) $(VENV)/bin/gunicorn -c python:dashboard.gunicorn_conf 'app:make_server()'

# The benchmark suite at network scale (1M members, ~22M votes); writes benchmarks/RESULTS.md.
# Not part of `make test`. The generated warehouse is cached in benchmarks/cache/.
bench: install browser
	@command -v wrk >/dev/null 2>&1 || ( $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk )
	$(PY) -m benchmarks.run

# Install everything, then lint and run every test: the fast tier on both cores (as
# `make check` does), the slow tests that only compute (builds, attacks) on both cores too
# (a module's tests on one worker, so its fixtures are built once), then the browser tests
# and the slow tests that start or race processes one at a time (gunicorn workers, headless
# chromium: two workers would squeeze their timings; `serial` in tests/conftest.py).
test: install browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -m "not browser and not slow" -q -n 2
	$(PY) -m pytest -m "slow and not browser and not serial" -q -n 2 --dist loadscope
	$(PY) -m pytest -m "browser or serial" --headless

# The fast tier (under a minute): lint, format check, every test but the browser and slow ones.
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -m "not browser and not slow" -q -n 2

# Create the virtual environment and install the app with its test tools.
install: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Debian's chromium and chromedriver for the real-browser tests.
browser:
	@command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 || \
	  ( $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver )

# Generate a demo network export and build it into the default warehouse.
demo: install
	$(PY) -m dashboard demo --members $(DEMO_MEMBERS) --out $(WAREHOUSE)

# The demo warehouse: built when missing, rebuilt when it was built by other code (the app
# refuses it then; dashboard/db.py BUILD_INPUTS names what decides a warehouse's content).
warehouse: install
	@$(PY) -m dashboard check $(WAREHOUSE) || $(MAKE) demo

# Lint and check formatting.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Apply the formatter and safe lint fixes.
format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Remove the environment and generated data.
clean:
	rm -rf $(VENV) data/*.duckdb data/demo-export .pytest_cache
