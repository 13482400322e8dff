"""Settings for tests/test_multiprocess.py: production-like app processes sharing one PostgreSQL (and
Redis when REDIS_URL is set) — database sessions, the axes database handler, django-tasks' database
backend (``manage.py db_worker``). Only what a laboratory needs differs from prod: no TLS, fixed keys."""

from jiceng.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "multiprocess-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
JICENG_FIELD_KEY = "multiprocess-test-field-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
JICENG_EXPORT_SYNC_ROWS = 5  # any real list goes to the background worker
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
