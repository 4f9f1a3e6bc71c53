# Two commands do all the set-up: `make dev` and `make test`. Each installs into .venv when it is
# missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: dev test lint bench install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(PY) -m app dev

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@for name in $$(ls bench/*.py | xargs -n1 basename | sed -n 's/\.py$$//p' | grep -v '^_'); do \
		echo "== bench.$$name"; $(PY) -m bench.$$name || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
