# The project's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format accuracy migrate clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_content
	@if [ -n "$$HCPCS_FILE" ]; then $(PY) manage.py import_hcpcs "$$HCPCS_FILE"; fi

run: migrate
	@command -v tesseract >/dev/null || echo "Note: Tesseract is not installed, so photos and scanned PDFs cannot be read." \
	  "Install it with: sudo apt-get install -y tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa"
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

accuracy: migrate
	$(PY) tests/bench/accuracy.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

.PHONY: bench serve

# Speed and memory figures with their targets (tests/bench/bench.py): a measurement, not a test.
bench: $(STAMP)
	$(PY) tests/bench/bench.py

# The production stack on this machine: DEBUG off, collected static files, gunicorn (gunicorn.conf.py),
# on SQLite or on DATABASE_URL. load_content adds missing rows only, so a restart never overwrites
# what staff edited.
serve: $(STAMP)
	@set -e; \
	if [ -z "$$SECRET_KEY" ]; then \
	  echo "WARNING: SECRET_KEY is not set: using a random throwaway key. For a local trial only." >&2; \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	fi; \
	export SECRET_KEY DEBUG=false; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}"; \
	$(PY) manage.py collectstatic --noinput --verbosity 0; \
	$(PY) manage.py migrate --verbosity 0; \
	$(PY) manage.py load_content; \
	if [ -n "$$HCPCS_FILE" ]; then $(PY) manage.py import_hcpcs "$$HCPCS_FILE"; fi; \
	echo "Serving on http://$${GUNICORN_BIND:-127.0.0.1:8000} (DEBUG off, SECURE_SSL_REDIRECT=$$SECURE_SSL_REDIRECT)"; \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

.PHONY: loadtest

# gunicorn on 127.0.0.1 under wrk: 60 s at 32 connections posting a bill, then a deliberate burst
# against the rate limit, then a check that the server still answers (tests/bench/loadtest.py).
loadtest: $(STAMP)
	$(PY) tests/bench/loadtest.py
