"""Settings for tests/test_sqlite_concurrency.py: the embedded default exactly as ``make demo`` runs it
(the SQLite file under ``JICENG_VAR_DIR``, options from ``jiceng.settings.base``), with fixed keys."""

from jiceng.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "sqlite-concurrency-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
JICENG_FIELD_KEY = "sqlite-concurrency-test-field-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
