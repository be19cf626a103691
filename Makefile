# One command runs the app, one command passes the tests. Both set up what is missing
# (Debian packages, .venv, the package) and skip what is already there.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-deps
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint screenshots bench media clean system-deps clinic-demo monitor-demo

run: $(STAMP)
	$(PY) -m session_app $(ARGS)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# The app with its HL7 listener and the monitor simulator feeding it, on a throw-away
# data folder (scripts/monitor-demo.sh says which PIN and patient).
monitor-demo: $(STAMP)
	PY=$(PY) scripts/monitor-demo.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# A local throwaway clinic server, two rooms with demo sessions and the station (issue 16).
clinic-demo: $(STAMP)
	scripts/clinic-demo.sh

screenshots: $(STAMP)
	$(PY) scripts/screenshots.py --out docs/screenshots

bench: $(STAMP)
	scripts/system-deps.sh --bench
	$(PY) -m benchmarks $(BENCH_ARGS)

media:
	scripts/system-deps.sh --extra
	scripts/make_media.sh

system-deps:
	scripts/system-deps.sh

# The venv is rebuilt only when pyproject.toml changes; system packages are checked
# every time (a fast dpkg query) so a machine that lost one is mended.
$(STAMP): pyproject.toml | system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
