"""Run the web server (gunicorn) and the background worker (huey) together until Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Gunicorn settings module: drops the `Server: gunicorn` banner (see shequ/config/gunicorn_conf.py).
GUNICORN_CONFIG = "python:shequ.config.gunicorn_conf"


class Command(BaseCommand):
    help = "Serve the application and run the background worker in the foreground; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args, **options) -> None:
        from shequ.core.audit_keys import AuditKeyError, ensure_audit_keyring_usable
        from shequ.core.crypto import KeyringError
        from shequ.core.keyring import ensure_keyring_usable

        try:
            ensure_keyring_usable()
            ensure_audit_keyring_usable()
        except (KeyringError, AuditKeyError) as exc:
            raise CommandError(str(exc)) from exc
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "shequ.config.settings.dev"),
        )
        bind = f"{options['host']}:{options['port']}"
        web = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "shequ.config.wsgi:application",
                "--config",
                GUNICORN_CONFIG,
                "--bind",
                bind,
                "--workers",
                str(options["workers"]),
                "--threads",
                "4",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                # Path only, never the query string: a number typed into a search box must not reach the logs.
                "--access-logformat",
                '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
            ],
            env=env,
        )
        worker = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [sys.executable, "-m", "shequ.cli", "run_huey", "--workers", "1", "--max-delay", "1", "--flush-locks"],
            env=env,
        )
        children = [web, worker]
        stopping = False

        def stop(signum=None, frame=None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"web server on http://{bind}/ and background worker started (Ctrl-C stops both)")
        try:
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for c in children:
                if c.poll() is None:
                    c.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for c in children:
                try:
                    c.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    c.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write("a process exited unexpectedly; stopped the other")
            sys.exit(1)
        _ = settings  # settings loaded so configuration errors surface before the children start
