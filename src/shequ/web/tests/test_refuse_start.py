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


def test_serve_refuses_without_the_audit_key_and_with_another_one(tmp_path):
    """Without the audit keyring nothing could be sealed: `serve` refuses; with a different key it refuses too."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SHEQU_PII_KEYRING", "SHEQU_AUDIT_KEYRING", "REDIS_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="shequ.config.settings.dev", SHEQU_DATA_DIR=str(tmp_path), SHEQU_DEBUG="0")
    assert _shequ(["migrate", "-v0"], env).returncode == 0
    assert _shequ(["pii-key", "init"], env).returncode == 0
    missing = _shequ(["serve", "--port", "0"], env, timeout=60)
    assert missing.returncode != 0
    assert "shequ audit-key init" in missing.stderr and "refusing to start" in missing.stderr
    init = _shequ(["audit-key", "init"], env)
    assert init.returncode == 0 and "created audit keyring" in init.stdout
    assert (tmp_path / "keys" / "audit-keyring.json").stat().st_mode & 0o777 == 0o600
    # Rotation writes an audit row under the new key a2; verification seals it. Then a keyring with another a2.
    assert _shequ(["audit-key", "rotate"], env).returncode == 0
    verified = _shequ(["audit-verify"], env)
    assert verified.returncode == 0 and "1 record(s) verified" in verified.stdout
    original = (tmp_path / "keys" / "audit-keyring.json").read_text()
    wrong_env = dict(env)
    forged = original.replace(original.split('"a2": "')[1].split('"')[0], "B" * 43 + "=")
    wrong_env["SHEQU_AUDIT_KEYRING"] = forged
    wrong = _shequ(["serve", "--port", "0"], wrong_env, timeout=60)
    assert wrong.returncode != 0 and "does not open the newest seal" in wrong.stderr
