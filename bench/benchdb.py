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

import django  # noqa: E402

django.setup()
