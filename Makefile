# The two commands: `make run` (portal with demo data on http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Tests run against PostgreSQL: the local server unless DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/assister_portal)
PYTEST_WORKERS ?= 2

.PHONY: run run-full test lint check-migrations pytest e2e bench deps messages static clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

# The portal runs on PostgreSQL only (the directory's search is PostgreSQL SQL); `make run`
# uses the local server's assister_portal_dev database unless DATABASE_URL says otherwise.
RUN_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/assister_portal_dev)

run: deps
	DATABASE_URL=$(RUN_DATABASE_URL) $(PY) -m assister_portal.createdb
	DEBUG=1 DATABASE_URL=$(RUN_DATABASE_URL) $(PY) manage.py migrate --noinput
	DEBUG=1 DATABASE_URL=$(RUN_DATABASE_URL) $(PY) manage.py seed_demo
	DEBUG=1 DATABASE_URL=$(RUN_DATABASE_URL) $(PY) manage.py runserver 127.0.0.1:8000

# The production shape on one machine: gunicorn, a Celery worker and beat, against
# PostgreSQL and Redis (override DATABASE_URL / CELERY_BROKER_URL as needed).
run-full: deps
	test -f var/run-full.env || $(PY) -c "import secrets; from cryptography.fernet import Fernet; \
	  print('SECRET_KEY=' + secrets.token_urlsafe(50)); print('FIELD_ENCRYPTION_KEYS=' + Fernet.generate_key().decode())" \
	  > var/run-full.env
	set -a; . var/run-full.env; set +a; \
	export DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/assister_portal_dev} \
	       CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	       CACHE_URL=$${CACHE_URL:-redis://127.0.0.1:6379/1} HTTPS=$${HTTPS:-0}; \
	createdb -h 127.0.0.1 -U postgres assister_portal_dev 2>/dev/null; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py seed_demo && \
	trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A assister_portal worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A assister_portal beat --loglevel=INFO --schedule var/celerybeat-schedule & \
	$(VENV)/bin/gunicorn assister_portal.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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
