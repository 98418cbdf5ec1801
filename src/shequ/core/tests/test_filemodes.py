"""Database files, key files, uploads and the data directory are readable by their owner only.

Each test starts a fresh process on a new data directory under a permissive umask (0o022, the usual
default), so it is the project's own code, not the test environment, that sets the modes.
"""

import json
import os
import subprocess
import sys
import textwrap

from shequ.core import filemodes

# Creates everything through the real code paths: the SQLite database (WAL mode) on first connection, the
# personal-information keyring file, a case photo through the default storage, as an upload arrives.
CREATE_AND_REPORT = textwrap.dedent(
    """
    import json, stat
    from pathlib import Path

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from shequ.core import crypto

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE probe (x integer)")
        cursor.execute("INSERT INTO probe VALUES (1)")
    crypto.write_keyring_file(crypto.Keyring(active="k1", keys={"k1": crypto.new_key("k1")}))
    photo = default_storage.save("case-photos/2026/01/photo.jpg", SimpleUploadedFile("photo.jpg", b"jpeg"))
    data = Path(settings.DATA_DIR)
    paths = {
        "data dir": data,
        "database": data / "shequ.sqlite3",
        "database -wal": data / "shequ.sqlite3-wal",
        "database -shm": data / "shequ.sqlite3-shm",
        "task queue": data / "tasks.sqlite3",
        "secret key": data / "secret_key",
        "keys dir": data / "keys",
        "keyring": data / "keys" / "pii-keyring.json",
        "media dir": data / "media",
        "photo dir": Path(default_storage.path(photo)).parent,
        "photo": Path(default_storage.path(photo)),
    }
    print(json.dumps({name: oct(stat.S_IMODE(path.stat().st_mode)) for name, path in paths.items()}))
    """
)
EXPECTED = {
    "data dir": "0o700",
    "database": "0o600",
    "database -wal": "0o600",
    "database -shm": "0o600",
    "task queue": "0o600",
    "secret key": "0o600",
    "keys dir": "0o700",
    "keyring": "0o600",
    "media dir": "0o700",
    "photo dir": "0o700",
    "photo": "0o600",
}


def _run(argv, data_dir):
    """Run `argv` with development settings on `data_dir` (SQLite, file keyring) under umask 0o022."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SHEQU_SECRET_KEY", "SHEQU_PII_KEYRING", "SHEQU_PII_KEY_FILE"}
    }
    env.update(DJANGO_SETTINGS_MODULE="shequ.config.settings.dev", SHEQU_DATA_DIR=str(data_dir))
    result = subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_shequ_command_creates_databases_keys_and_uploads_for_the_owner_only(tmp_path):
    """Through the `shequ` command (which sets umask 0o077) a new data directory, the SQLite database with its
    -wal and -shm, the task queue, the secret key, the keyring and its directory, and an uploaded photo with
    its directories are all created 0600 (files) and 0700 (directories)."""
    modes = _run([sys.executable, "-m", "shequ.cli", "shell", "-c", CREATE_AND_REPORT], tmp_path / "var")
    assert modes == EXPECTED


def test_modes_hold_without_the_command_umask(tmp_path):
    """Loaded without the `shequ` command (a plain script, umask 0o022 left alone), the explicit modes alone give
    the same result: data and key directories 0700, key files 0600, uploads via FILE_UPLOAD_PERMISSIONS, the
    SQLite files tightened on connection and the task queue at start-up."""
    modes = _run([sys.executable, "-c", CREATE_AND_REPORT], tmp_path / "var")
    assert modes == EXPECTED


def test_start_up_tightens_files_an_older_version_left_open(tmp_path):
    """A data directory made before this rule (0755 directory, 0644 database and key files) is made private
    when the application starts."""
    data = tmp_path / "var"
    (data / "keys").mkdir(parents=True)
    files = ["shequ.sqlite3", "shequ.sqlite3-wal", "tasks.sqlite3", "secret_key", "keys/pii-keyring.json"]
    for name in files:
        (data / name).write_text("x")
        (data / name).chmod(0o644)
    data.chmod(0o755)
    (data / "keys").chmod(0o755)
    report = textwrap.dedent(
        f"""
        import json, stat
        from pathlib import Path
        import django
        django.setup()
        data = Path({str(data)!r})
        names = ["", "keys", *{files!r}]
        print(json.dumps({{n: oct(stat.S_IMODE((data / n).stat().st_mode)) for n in names}}))
        """
    )
    modes = _run([sys.executable, "-c", report], data)
    assert modes == {"": "0o700", "keys": "0o700", **dict.fromkeys(files, "0o600")}


def test_in_memory_databases_and_missing_files_are_left_alone(tmp_path):
    """An in-memory SQLite database has no file to protect, and a path that does not exist is not created."""
    filemodes.make_sqlite_private(":memory:")
    filemodes.make_sqlite_private("file:memorydb_default?mode=memory&cache=shared")
    filemodes.make_private(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


def test_a_file_of_another_user_is_reported_not_fatal(tmp_path, monkeypatch, caplog):
    """When the operating system refuses the change (the file belongs to another user), a warning is logged
    and start-up goes on."""
    probe = tmp_path / "shequ.sqlite3"
    probe.write_text("x")
    probe.chmod(0o644)

    def refuse(path, mode):
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chmod", refuse)
    filemodes.make_sqlite_private(probe)
    assert f"cannot make {probe} private (mode 600): it belongs to another user" in caplog.text


def test_a_key_file_moved_elsewhere_leaves_its_existing_directory_alone(tmp_path):
    """The keyring's directory is created 0700 when missing, but a directory the operator chose (say /etc for
    SHEQU_PII_KEY_FILE) keeps its mode; only the data directory itself is always tightened."""
    shared = tmp_path / "etc"
    shared.mkdir()
    shared.chmod(0o755)
    filemodes.create_private_dir(shared)
    filemodes.create_private_dir(tmp_path / "new" / "keys")
    filemodes.make_private_dir(tmp_path / "data")
    (tmp_path / "data").chmod(0o755)
    filemodes.make_private_dir(tmp_path / "data")
    modes = {p: oct(os.stat(tmp_path / p).st_mode & 0o777) for p in ("etc", "new/keys", "data")}
    assert modes == {"etc": "0o755", "new/keys": "0o700", "data": "0o700"}
