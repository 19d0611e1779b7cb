# The two commands: `make run` (portal with demo data on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Tests run against PostgreSQL: the local server unless DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/assister_portal)
PYTEST_WORKERS ?= 2

.PHONY: run run-full run-full-processes db-stop db-reset test lint check-migrations pytest e2e bench deps messages static clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

# The portal runs on PostgreSQL only. `make run` uses DATABASE_URL when set, else the server on
# 127.0.0.1:5432 when one answers, else the embedded PostgreSQL from .venv with its data in
# var/postgres (started for the run, stopped on Ctrl-C); it creates the database if missing and
# says which it uses. assister_portal/devdb.py has the details.
DEVDB := $(PY) -m assister_portal.devdb

run: deps
	DEBUG=1 $(DEVDB) run "$(PY) manage.py migrate --noinput" "$(PY) manage.py seed_demo" \
	  "$(PY) manage.py runserver 127.0.0.1:8000"

# The production shape on one machine: gunicorn, a Celery worker and beat, against
# PostgreSQL (chosen as for `make run`) and Redis (override CELERY_BROKER_URL as needed).
run-full: deps
	mkdir -p var
	test -f var/run-full.env || $(PY) -c "import secrets; from cryptography.fernet import Fernet; \
	  print('SECRET_KEY=' + secrets.token_urlsafe(50)); print('FIELD_ENCRYPTION_KEYS=' + Fernet.generate_key().decode())" \
	  > var/run-full.env
	set -a; . var/run-full.env; set +a; \
	export CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	       CACHE_URL=$${CACHE_URL:-redis://127.0.0.1:6379/1} HTTPS=$${HTTPS:-0}; \
	$(DEVDB) run "$(PY) manage.py migrate --noinput" "$(PY) manage.py collectstatic --noinput -v0" \
	  "$(PY) manage.py seed_demo --not-production" "$(MAKE) --no-print-directory run-full-processes"

# run-full's three processes, once its database is ready; Ctrl-C ends all three.
run-full-processes:
	trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A assister_portal worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A assister_portal beat --loglevel=INFO --schedule var/celerybeat-schedule & \
	$(VENV)/bin/gunicorn assister_portal.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -

# The embedded PostgreSQL of `make run`: stop it (when a run left it going), or stop it and delete var/postgres.
db-stop: deps
	$(DEVDB) stop

db-reset: deps
	$(DEVDB) reset

# ruff, then the layers of DESIGN.md §2 (.importlinter): an import from a lower app to a higher one fails.
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check-migrations: deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) manage.py makemigrations --check --dry-run

pytest: deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint check-migrations pytest

e2e: deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(VENV)/bin/pytest e2e

bench: deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m bench

messages: deps
	$(PY) manage.py makemessages -l es --ignore=node_modules --ignore=.venv --ignore=var --ignore=e2e --ignore="*/tests/*"
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf var/static .pytest_cache
