"""Settings for `make bench` (bench/run.py): production-like (DEBUG off, same middleware), plus a
middleware that reports SQL queries and peak memory per response, and the floor view."""

from .base import *
from .base import MIDDLEWARE

DEBUG = False
SECRET_KEY = SECRET_KEY or "bench-only-secret-key-not-for-production-0123456789abcdefghij"
JICENG_FIELD_KEY = JICENG_FIELD_KEY or "bench-only-field-key"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.BenchMiddleware", *MIDDLEWARE]
JICENG_EXPORT_SYNC_ROWS = 10**9  # the bench measures the writer itself, in the request
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
