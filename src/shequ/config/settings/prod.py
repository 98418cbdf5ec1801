"""Production settings: everything secret comes from the environment; refuses to start without it."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

SECRET_KEY = os.environ.get("SHEQU_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SHEQU_SECRET_KEY must be set to at least 50 random characters")
DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("SHEQU_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SHEQU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
