# The two commands of the README: `make run` and `make test`. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The suite runs on SQLite, then again on this PostgreSQL server when it answers (CI requires it).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/salesquota
PYTEST_ARGS ?=

.PHONY: run test bench install messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# E-mail links point at the port `make run` serves on (PORT=8123 make run).
run: export SITE_URL ?= http://127.0.0.1:$(or $(PORT),8000)
run: install
	mkdir -p var/celery/queue var/celery/processed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py close_periods --verbosity 0
	@echo ""
	@echo "SalesQuota runs at http://127.0.0.1:$${PORT:-8000}/  (Ctrl-C stops web, worker and beat)"
	@echo ""
	$(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], dbname='postgres', connect_timeout=3).close()" "$(TEST_POSTGRES_URL)" 2>/dev/null; then \
		echo "=== again on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL), and CI requires it."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): the PostgreSQL run was skipped."; \
	fi

# tests/bench/test_bench_web.py serves the app with gunicorn to Debian's wrk, on a database of its own on the
# TEST_POSTGRES_URL server (SQLite when it does not answer).
bench: install
	TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest tests/bench -s -p no:cacheprovider -o addopts=""
	@if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], dbname='postgres', connect_timeout=3).close()" "$(TEST_POSTGRES_URL)" 2>/dev/null; then \
		echo "=== the close at scale, on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/python -m pytest tests/bench/test_bench_close.py -s -p no:cacheprovider -o addopts=""; \
	else \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): the close benchmark was skipped."; \
	fi

# Rebuild the translation catalogues after changing strings (needs GNU gettext); commit .po and .mo.
messages: install
	$(BIN)/python manage.py makemessages --locale sv --ignore ".venv/*" --ignore "var/*" --ignore "staticfiles/*"
	$(BIN)/python manage.py compilemessages --locale sv --ignore ".venv/*"
