# Two commands matter: `make run` (the page, offline) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test setup setup-test chromium bench

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --upgrade pip

$(VENV)/.app: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e '.[test,local]'
	touch $@

setup: $(VENV)/.app

setup-test: $(VENV)/.test chromium

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: setup-test
	$(PY) -m pytest

bench: setup-test
	for script in bench/*.py; do $(PY) $$script || exit 1; done
