"""Keep the data directory, databases, key files and uploads readable by their owner only (DESIGN R12).

Two layers, so that neither a forgotten call nor an unusual entry point leaves a file open to other users:

- Entry points (`shequ` command, WSGI) set the process umask to 0o077 before anything is created, so every
  file and directory the process makes (SQLite databases and their -wal/-shm, the task queue, keys,
  collected static files, exports) is created 0600/0700.
- Where the project creates such files itself it sets the mode explicitly, whatever the umask: the data
  and key directories 0700, key files 0600 (created with that mode, never widened first), uploads via
  FILE_UPLOAD_PERMISSIONS; and the SQLite files are tightened whenever Django opens a connection, and at
  start-up together with the data directory, which also tightens files an older version left open.
  SQLite creates -wal/-shm files with the mode of their database file, so a 0600 database stays 0600.

Failing to change the mode of a file owned by someone else is logged, not fatal.
"""

import logging
import os
import stat
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def restrict_umask() -> int:
    """Make files and directories this process creates private to its user; return the previous umask."""
    return os.umask(PRIVATE_UMASK)


def make_private(path: Path | str, mode: int = PRIVATE_FILE_MODE) -> None:
    """Set `path` to `mode` if it exists and has a different one (directories: PRIVATE_DIR_MODE)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        mode = PRIVATE_DIR_MODE
    if stat.S_IMODE(st.st_mode) == mode:
        return
    try:
        os.chmod(path, mode)
    except PermissionError:
        logger.warning("cannot make %s private (mode %o): it belongs to another user", path, mode)


def make_private_dir(path: Path | str) -> Path:
    """Create the directory `path` (and missing parents) if needed and leave it 0700, even if it existed.

    Only for directories that belong to shequ alone, such as the data directory.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    make_private(path, PRIVATE_DIR_MODE)
    return path


def create_private_dir(path: Path | str) -> Path:
    """Create the directory `path` 0700 if it is missing; an existing one is left as it is.

    For directories an operator may choose (the parent of a key file moved elsewhere could be /etc).
    """
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        make_private(path, PRIVATE_DIR_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return path


def write_private_file(path: Path | str, data: str) -> None:
    """Write `data` to a new file created 0600 (never readable by others, not even for a moment)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), PRIVATE_FILE_MODE)  # O_CREAT's mode does not apply to an existing file
        fh.write(data)


def make_sqlite_private(name: Path | str) -> None:
    """Make an on-disk SQLite database and its -wal/-shm/-journal companions 0600; ignore in-memory ones."""
    name = str(name)
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return
    for suffix in ("", *SQLITE_COMPANIONS):
        make_private(name + suffix)


def protect_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: make the database files of a new SQLite connection private."""
    if connection.vendor == "sqlite":
        make_sqlite_private(connection.settings_dict["NAME"])


def protect_data_dir(settings: Any) -> None:
    """Make the data directory, its key directory and files, and the SQLite files in use private.

    Run at start-up: it covers files created before the process could act (the SQLite task queue opens
    while the apps load) and files left open by versions before this rule.
    """
    data_dir = Path(settings.DATA_DIR)
    if not data_dir.is_dir():
        return
    make_private(data_dir, PRIVATE_DIR_MODE)
    keys = data_dir / "keys"
    if keys.is_dir():
        make_private(keys, PRIVATE_DIR_MODE)
        for entry in keys.iterdir():
            if entry.is_file():
                make_private(entry)
    make_private(data_dir / "secret_key")
    for db in settings.DATABASES.values():
        if db.get("ENGINE", "").endswith("sqlite3"):
            make_sqlite_private(db.get("NAME") or "")
    huey = getattr(settings, "HUEY", None)
    if isinstance(huey, dict) and huey.get("filename"):
        make_sqlite_private(huey["filename"])
