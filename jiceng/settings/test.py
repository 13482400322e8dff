"""Settings for the test suite."""

from .base import *

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijkl"
JICENG_FIELD_KEY = "test-field-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
JICENG_AUDIT_DB_TRIGGERS = False
# Serve static files straight from the app directories (no collectstatic in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = __import__("tempfile").mkdtemp(prefix="jiceng-test-media-")
# The shared progress cache in a directory of this test process, not the repository's var/.
if CACHES["progress"]["BACKEND"].endswith("FileBasedCache"):
    CACHES = {
        **CACHES,
        "progress": {**CACHES["progress"], "LOCATION": __import__("tempfile").mkdtemp(prefix="jiceng-test-cache-")},
    }
