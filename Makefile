.PHONY: run test lint format bench clean messages

# Start the app on SQLite with demo data, one background worker and the scheduler.
run:
	@bin/run

# Lint, format check, the whole suite on SQLite, then the browser tests (when Chromium is there).
test:
	@bin/test

lint:
	@bin/bootstrap requirements-dev.txt && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@bin/bootstrap requirements-dev.txt && .venv/bin/ruff check --fix . && .venv/bin/ruff format .

# The benchmarks in bench/ (SQLite, then PostgreSQL when it answers); results in bench/results/.
bench:
	@bin/bench

# The translation catalogue, brought up to date with the code and templates (needs GNU gettext's
# xgettext); translate what it adds in locale/$(LOCALE)/LC_MESSAGES/django.po.
LOCALE ?= da
messages:
	@DEBUG=1 .venv/bin/python manage.py makemessages -l $(LOCALE) --ignore=.venv --ignore=bench --ignore=e2e

clean:
	rm -rf .venv staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
