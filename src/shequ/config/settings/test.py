"""Test settings: fast hashing, tasks run inline, fixed data directory under /tmp."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "huey.MemoryHuey", "name": "shequ-test", "immediate": True}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATA_DIR = Path(os.environ.get("SHEQU_TEST_DATA_DIR", tempfile.gettempdir())) / "shequ-test"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    DATA_DIR.mkdir(parents=True, exist_ok=True)

# A fixed personal-information keyring for tests (never used outside the test suite).
SHEQU_PII_KEYRING = (
    '{"version": 1, "active": "k1", "keys": {"k1": {"enc": "dGVzdC1lbmMta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTI=", '
    '"mac": "dGVzdC1tYWMta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTI="}}}'
)
SHEQU_PII_KEY_RELOAD_SECONDS = 0.0  # tests see a rewritten key file at once (and rotation does not wait)

# A fixed audit keyring and anchor file for tests (never used outside the test suite).
SHEQU_AUDIT_KEYRING = (
    '{"version": 1, "active": "a1", "legacy_max_id": 0, "keys": {"a1": "dGVzdC1hdWRpdC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA="}}'
)
SHEQU_AUDIT_ANCHOR_FILE = str(DATA_DIR / f"audit-anchors-{os.getpid()}.jsonl")  # each test gets its own (conftest)
