"""The server refuses to start when encrypted data exists but its keyring is missing or wrong."""

import os
import subprocess
import sys


def _shequ(args, env, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "shequ.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def test_serve_refuses_without_the_key_and_with_another_key(tmp_path):
    """After `pii-key init`, removing the keyring or replacing it makes `shequ serve` exit with an error."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SHEQU_PII_KEYRING", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="shequ.config.settings.dev", SHEQU_DATA_DIR=str(tmp_path), SHEQU_DEBUG="0")
    assert _shequ(["migrate", "-v0"], env).returncode == 0
    init = _shequ(["pii-key", "init"], env)
    assert init.returncode == 0 and "created keyring" in init.stdout
    ring = tmp_path / "keys" / "pii-keyring.json"
    original = ring.read_text()
    ring.unlink()
    missing = _shequ(["serve", "--port", "0"], env, timeout=60)
    assert missing.returncode != 0
    assert "refusing to start" in missing.stderr
    again = _shequ(["pii-key", "init"], env)
    assert again.returncode != 0 and "restore the keyring" in again.stderr
    ring.parent.mkdir(exist_ok=True)
    ring.write_text(original.replace(original.split('"enc": "')[1].split('"')[0], "A" * 43 + "="))
    wrong = _shequ(["serve", "--port", "0"], env, timeout=60)
    assert wrong.returncode != 0 and "wrong key" in wrong.stderr
    ring.write_text(original)
    assert _shequ(["pii-key", "status"], env).returncode == 0
