# Alvéole — `make demo` starts the demo cooperative, `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test test-postgres lint typecheck format migrations-check install serve clean bench bench-quick loadtest

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(./scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/alveole demo

serve: $(STAMP)
	$(VENV)/bin/alveole serve

test: $(STAMP)
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

# Benchmarks on a throwaway database (SQLite, or a bench_… database of DATABASE_URL's server).
bench: $(STAMP)
	$(VENV)/bin/alveole bench --size medium --size full

bench-quick: $(STAMP)
	$(VENV)/bin/alveole bench --size quick

# gunicorn -w 4 on a throwaway PostgreSQL database, 50 virtual users for 60 s.
loadtest: $(STAMP)
	$(VENV)/bin/pip install --quiet -e '.[prod,bench]'
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(VENV)/bin/alveole loadtest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy $$(ls alveole/*/services.py alveole/*/selectors.py 2>/dev/null)

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
