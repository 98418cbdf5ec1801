"""Suite-wide fixtures and policy.

- Under CI=true a skipped test fails the run: a browser or data test that silently skips proves nothing.
- `clock` fixes "now" (holiday data exists only up to 2026).
- `calendar` loads the official working-day calendar, `categories` the shipped category tree (both per test,
  bulk-created; the case factories are in `shequ.cases.tests.factories`).
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


def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium carries the `browser` marker, so `-m "not browser"` (SKIP_BROWSER=1 make
    test) leaves them all out of the inner loop; CI never sets it."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture
def calendar(db):
    """The official calendar (what `seed_official_calendar` loads), with the cached calendar dropped around it."""
    from shequ.core.calendar import invalidate
    from shequ.core.tests.calendar_seed import seed_calendar

    seed_calendar()
    yield
    invalidate()


@pytest.fixture
def categories(db):
    """The shipped category tree (what `categories_seed` loads), as a dict by code."""
    from shequ.cases.tests.factories import seed_categories

    return seed_categories()


@pytest.fixture(autouse=True)
def _chinese_interface():
    """Tests assert the interface's default language, Simplified Chinese."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty rate-limit counters (core.ratelimit counts in the cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings, tmp_path):
    """Each test starts with no audit anchors: the anchor file lives outside the database it describes, so a
    file shared between tests would describe another test's (rolled back) chain."""
    settings.SHEQU_AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test stores its uploads (sealed ballot scans, photos, import files) in its own folder: sealed files
    left in a shared folder name keys of other tests' keyrings, and key rotation looks at every sealed file."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="session", autouse=True)
def _flush_past_truncate_guard():
    """Let the test runner's flush (TRUNCATE on PostgreSQL) empty the audit table between transactional tests.

    The statement trigger that refuses TRUNCATE of the audit table is disabled for the flush alone and enabled
    again right after; the application never runs this path.
    """
    from django.core.management.commands import flush

    original = flush.Command.handle

    def handle(self, **options):
        from django.db import connections

        conn = connections[options.get("database") or "default"]
        if conn.vendor != "postgresql":
            return original(self, **options)
        with conn.cursor() as cur:
            cur.execute("ALTER TABLE core_auditrecord DISABLE TRIGGER core_auditrecord_no_truncate")
        try:
            return original(self, **options)
        finally:
            with conn.cursor() as cur:
                cur.execute("ALTER TABLE core_auditrecord ENABLE TRIGGER core_auditrecord_no_truncate")

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture
def flushable_audit(transactional_db):
    """Let a transactional test's final flush empty the append-only audit table on SQLite.

    PostgreSQL flushes with TRUNCATE, which the row triggers do not see (the TRUNCATE guard is lifted for the
    flush, see above); SQLite flushes with DELETE, so the triggers are dropped at teardown and re-created at
    the next set-up.
    """
    from shequ.core.tests.audit_guards import install_guards, remove_sqlite_guards

    install_guards()
    yield
    remove_sqlite_guards()
