"""Production settings pass Django's deployment checklist."""

import os
import secrets
import subprocess
import sys


def test_check_deploy_is_clean_under_production_settings():
    """`shequ check --deploy --fail-level WARNING` reports no issue with production settings."""
    env = dict(
        {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        DJANGO_SETTINGS_MODULE="shequ.config.settings.prod",
        SHEQU_SECRET_KEY=secrets.token_urlsafe(60),
        SHEQU_ALLOWED_HOSTS="shequ.example.gov.cn",
    )
    result = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    """Without SHEQU_SECRET_KEY the production settings refuse to load."""
    env = {k: v for k, v in os.environ.items() if k != "SHEQU_SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "shequ.config.settings.prod"
    result = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "check"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode != 0
    assert "SHEQU_SECRET_KEY must be set" in result.stderr
