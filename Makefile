.PHONY: run test lint format bench clean

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

clean:
	rm -rf .venv staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
