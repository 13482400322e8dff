"""Settings for the browser tests' live server (tests/browser/conftest.py starts it in a subprocess).

The test settings (fast MD5 hashing, jobs run inline) on their own database given by DATABASE_URL,
but served the way production serves: DEBUG off, static files through WhiteNoise, audit triggers on.
"""

from .test import *

DEBUG = False
ALLOWED_HOSTS = ["*"]
# No collectstatic step: WhiteNoise serves straight from the finders (jiceng/static and the apps).
WHITENOISE_USE_FINDERS = True
# The live server has its own throwaway database, so the append-only triggers can be installed as in production.
JICENG_AUDIT_DB_TRIGGERS = True
# One media directory for every gunicorn worker of the live server (the test settings' per-process
# temporary directory would let one worker save a photo that the other cannot find).
MEDIA_ROOT = VAR_DIR / "media"  # JICENG_VAR_DIR is the e2e run's own directory
