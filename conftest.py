"""Suite-wide fixtures and policy.

- Under CI=true a skipped test fails the run: a browser or data test that silently skips proves nothing.
- `clock` fixes "now" (holiday data exists only up to 2026).
"""

import datetime as dt
import os

import pytest

FIXED_NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)  # a Monday, working day


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(f"CI=true: {skipped} skipped test(s) count as failures", red=True)
        session.exitstatus = 1


@pytest.fixture
def clock(monkeypatch):
    """Freeze django.utils.timezone.now at FIXED_NOW; call clock.advance(seconds=...) to move it."""
    from django.utils import timezone

    class Clock:
        now = FIXED_NOW

        def advance(self, **kwargs):
            self.now = self.now + dt.timedelta(**kwargs)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture(autouse=True)
def _chinese_interface():
    """Tests assert the interface's default language, Simplified Chinese."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def flushable_audit(transactional_db):
    """Let a transactional test's final flush empty the append-only audit table on SQLite.

    PostgreSQL flushes with TRUNCATE, which the row triggers do not see; SQLite flushes with DELETE, so the
    triggers are dropped at teardown and re-created at the next set-up.
    """
    from shequ.core.tests.audit_guards import install_guards, remove_sqlite_guards

    install_guards()
    yield
    remove_sqlite_guards()
