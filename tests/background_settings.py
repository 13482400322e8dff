"""Settings for tests/test_background.py: the real database task backend with real ``db_worker`` and
``run_scheduler`` processes (no immediate backend), otherwise as deployed — the base settings, with
its shared progress cache (files under JICENG_VAR_DIR, or Redis with REDIS_URL). Only what a laboratory
needs differs: fixed keys, fast password hashing, small thresholds so small files take the background path."""

from jiceng.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "background-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
JICENG_FIELD_KEY = "background-test-field-key"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
JICENG_EXPORT_SYNC_ROWS = 5  # any real list goes to the background worker
JICENG_IMPORT_BATCH_SIZE = 100  # progress is published after every batch
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
