"""Set up Django for a benchmark script: a throw-away data directory and database, then django.setup().

SQLite in a temporary directory by default; with SHEQU_BENCH_DATABASE_URL (PostgreSQL) that database is
dropped and created anew. Import this module before anything from Django or shequ.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TMP = tempfile.mkdtemp(prefix="shequ-bench-")
os.environ["SHEQU_DATA_DIR"] = TMP
os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.config.settings.dev"
os.environ["SHEQU_DEBUG"] = "0"
URL = os.environ.get("SHEQU_BENCH_DATABASE_URL")
if URL:
    import psycopg

    _base, _name = URL.rsplit("/", 1)
    with psycopg.connect(f"{_base}/postgres", autocommit=True) as _conn:
        _conn.execute(f'DROP DATABASE IF EXISTS "{_name}"')
        _conn.execute(f'CREATE DATABASE "{_name}"')
    os.environ["DATABASE_URL"] = URL
else:
    os.environ.pop("DATABASE_URL", None)

import base64  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402

# A throw-away audit key: audit records cannot be written or sealed without one.
_audit_key = base64.b64encode(secrets.token_bytes(32)).decode()
os.environ["SHEQU_AUDIT_KEYRING"] = json.dumps(
    {"version": 1, "active": "a1", "legacy_max_id": 0, "keys": {"a1": _audit_key}}
)

import django  # noqa: E402

django.setup()
