"""Development and demo settings: `make demo` uses these. Never deploy them."""

from .base import *
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-secret-key-do-not-deploy-0123456789abcdef"
JICENG_FIELD_KEY = JICENG_FIELD_KEY or "dev-only-field-key-do-not-deploy"
ALLOWED_HOSTS = ["*"]
# The demo may let administrator roles skip TOTP, but only while DEBUG is on (the screen says so).
JICENG_DEMO_ALLOW_ADMIN_WITHOUT_OTP = DEBUG
VAR_DIR.mkdir(parents=True, exist_ok=True)
# DEBUG on would answer a 404 with Django's English page listing the URLs (and a 400 with a traceback):
# the demo shows jiceng's Chinese error pages instead, like production (jiceng/core/demo_errors.py).
if DEBUG:
    MIDDLEWARE = [*MIDDLEWARE, "jiceng.core.demo_errors.ChineseErrorPagesMiddleware"]
