"""Development and demo settings: `make run`."""

import os

from shequ.core.filemodes import make_private_dir, write_private_file

from .base import *  # noqa: F403
from .base import DATA_DIR

# Off by default: the demo behaves like production (no tracebacks with data in them); SHEQU_DEBUG=1 to debug.
DEBUG = os.environ.get("SHEQU_DEBUG", "0") == "1"
make_private_dir(DATA_DIR)
_key_file = DATA_DIR / "secret_key"
if not os.environ.get("SHEQU_SECRET_KEY"):
    if not _key_file.exists():
        import secrets

        write_private_file(_key_file, secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = ["*"]
