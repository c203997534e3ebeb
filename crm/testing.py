"""Loaded by pytest (`-p crm.testing`) before Django starts: the environment tests run in.

Real environment values win, so CI can point DATABASE_URL at PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("MEDIA_ROOT", "/tmp/crm-test-media")
# A connection per request, as before persistent ones were the default: a test database is
# dropped at the end, which a connection kept open by a server thread would block.
os.environ.setdefault("CONN_MAX_AGE", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests and
# live_server around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _migrations_digest():
    """A digest of every migration file (and Django's version): what a test database holds."""
    import hashlib
    from pathlib import Path

    import django

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(root.glob("**/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def pytest_configure(config):
    """On PostgreSQL, reuse the test database between runs (creating it and migrating takes
    longer than most test modules) while the migrations are the same: the database is named
    after their digest, so a changed or new migration gets a fresh one. `--create-db` forces a
    new one. SQLite tests run in memory, where there is nothing to keep."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    if not config.getoption("create_db", default=False):
        config.option.reuse_db = True


# Settings are read before pytest_configure runs, so the name is set here, at import.
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ.setdefault("TEST_DATABASE_SUFFIX", _migrations_digest())
