# The two commands: `make run` (set up and serve the demo) and `make test` (set up and run every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint messages catalogues lock clean-venv worker beat backup restore bench fuzz-api test-clocks

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# Compiled catalogues are build output: made from locale/*/LC_MESSAGES/django.po on every setup.
# Management commands here only need settings to load, hence DEBUG=1 (no SECRET_KEY required).
messages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then DEBUG=1 $(PY) manage.py compilemessages --verbosity 0 --ignore '.venv/*'; \
	elif [ "$(REQUIRE_SERVICES)" = "1" ]; then echo "REQUIRE_SERVICES=1 but msgfmt (Debian package gettext) is missing." >&2; exit 1; \
	else echo "msgfmt (gettext) not found: pages stay in English until it is installed."; fi

# Refresh the four catalogues from the source: new strings come in empty (or fuzzy) for translators;
# tests/i18n fails until every one is translated. English is the source: its catalogue repeats each msgid.
catalogues: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages --no-obsolete -l en -l es -l pt -l fr \
	  --ignore=.venv --ignore=staticfiles --ignore=media --ignore=tests --ignore=scripts
	msgfilter --keep-header -i locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po sed -e d
	msgattrib --clear-fuzzy -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	msgen -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po

run: export DEBUG ?= 1
# Links in e-mails and PDFs point at the server started here, unless SITE_URL says otherwise.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Every test, on both cores (pytest-xdist): each module's tests, and the accessibility package's, stay
# on one worker, so fixtures they share are set up once (tests/conftest.py); each worker has a test
# database and Celery queues of its own. PYTEST_XDIST=-n0 (or PYTEST_ARGS=-n0) runs in one process.
PYTEST_XDIST ?= -n 2 --dist loadscope
test: $(STAMP)
	./scripts/ensure-system-packages.sh
	$(MAKE) --no-print-directory messages
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# The tests that build data from today or read the clock, run as if today were each of these days
# (README, "Testing"): a leap day, a New Year's Day and a day years ahead. CLOCKS=… to choose others.
CLOCKS ?= 2028-02-29 2027-01-01 2034-07-15
test-clocks: $(STAMP) messages
	set -e; for day in $(CLOCKS); do \
	  $(PY) -m pytest -m clock_sensitive --clock=$$day $(PYTEST_ARGS); \
	done

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The benchmark (README, "Performance"): gunicorn as in production over PostgreSQL and Redis at two
# data sizes; tables on stdout and in bench/results.json. BENCH_ARGS=--quick for a short try.
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# Schema fuzzing of the API (README, "Security"): the test `make test` runs with a few examples per
# operation, here with many and every boundary case. FUZZ_EXAMPLES=… to change the budget.
FUZZ_EXAMPLES ?= 200
fuzz-api: $(STAMP)
	HYPOTHESIS_PROFILE=explore SCHEMATHESIS_MAX_EXAMPLES=$(FUZZ_EXAMPLES) SCHEMATHESIS_PHASES=examples,coverage,fuzzing \
	  $(PY) -m pytest tests/security/test_api_fuzz.py $(PYTEST_ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A ta_portal worker -Q default,pdf -l info --max-tasks-per-child 50

beat: $(STAMP)
	$(VENV)/bin/celery -A ta_portal beat -l info

# Re-resolve the lock from pyproject.toml in a fresh environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(p['dependencies'] + p['optional-dependencies']['test']))" > .lock-venv/wanted.txt
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -r .lock-venv/wanted.txt
	(echo "# Exact versions of every package (direct and transitive), from a clean install of pyproject.toml"; \
	 echo "# with its [test] extra on Python 3.11. Regenerate: make lock"; \
	 .lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .lock-venv

clean-venv:
	rm -rf $(VENV)

# Back up the database and uploaded files to backups/ta-portal-<time>.tar (BACKUP_DIR=… elsewhere).
backup: $(STAMP)
	./scripts/backup.sh $(BACKUP_DIR)

# Restore one: make restore BACKUP=backups/ta-portal-<time>.tar (asks before replacing anything).
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/ta-portal-<time>.tar"; exit 2; }
	./scripts/restore.sh $(BACKUP)
