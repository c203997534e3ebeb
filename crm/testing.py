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
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests and
# live_server around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
