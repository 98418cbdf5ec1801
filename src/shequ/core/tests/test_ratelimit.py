"""core.ratelimit: fixed-window counters shared across processes, one audit record per key per window."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings

from shequ.core import ratelimit
from shequ.core.models import AuditRecord

DB_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shequ_cache_test",
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
}
REDIS_URL = "redis://127.0.0.1:6379/15"
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}


LONG = 10**9  # a window so long that no test straddles two of them


def _counts(scope: str, key: str, n: int, limit: int = 3, window: int = 60) -> list[tuple[bool, int]]:
    return [(d.allowed, d.count) for d in (ratelimit.hit(scope, key, limit=limit, window=window) for _ in range(n))]


def test_hit_counts_and_refuses_past_the_limit():
    """The fourth request of a 3-per-minute limit is refused with a wait of at most the window; keys are separate."""
    assert _counts("t.unit", "a", 4) == [(True, 1), (True, 2), (True, 3), (False, 4)]
    refused = ratelimit.hit("t.unit", "a", limit=3, window=60)
    assert not refused.allowed and 1 <= refused.retry_after <= 60
    assert ratelimit.hit("t.unit", "b", limit=3, window=60).count == 1


@pytest.mark.django_db
def test_enforce_audits_once_per_key_per_window_and_masks_the_label():
    """Only the first refused request of a window writes an audit record, and a mobile in the label is masked."""
    for _ in range(2):
        ratelimit.enforce("t.enforce", "k", label="13912345678", limit=2, window=60)
    for _ in range(3):
        with pytest.raises(ratelimit.RateLimited) as exc:
            ratelimit.enforce("t.enforce", "k", label="13912345678", limit=2, window=60)
    assert 1 <= exc.value.retry_after <= 60
    records = list(AuditRecord.objects.filter(action="core.rate_limited").values("object_id", "after"))
    assert records == [
        {"object_id": "t.enforce", "after": {"scope": "t.enforce", "key": "139****5678", "limit": 2, "window": 60}}
    ]


def test_message_says_seconds_then_minutes():
    """The refusal tells people when to try again, in seconds under a minute and in minutes beyond."""
    assert ratelimit.RateLimited("s", retry_after=30).message() == "请求过于频繁，请 30 秒后再试。"
    assert ratelimit.RateLimited("s", retry_after=61).message() == "请求过于频繁，请 2 分钟后再试。"


def test_page_and_api_dialects_carry_retry_after():
    """A page answers a Chinese HTML page with 429 and Retry-After; /api/ answers {"detail": ...}."""
    exc = ratelimit.RateLimited("s", retry_after=42)
    page = ratelimit.limited_response(RequestFactory().get("/accounts/login/"), exc)
    assert page.status_code == 429 and page["Retry-After"] == "42"
    assert "请求过于频繁，请 42 秒后再试。" in page.content.decode()
    api = ratelimit.limited_response(RequestFactory().get("/api/v1/x/"), exc)
    assert api.status_code == 429 and api["Retry-After"] == "42"
    assert json.loads(api.content) == {"detail": "请求过于频繁，请 42 秒后再试。"}


@pytest.mark.django_db
def test_database_cache_backend_counts():
    """With Django's database cache (the default without Redis) the counter lives in the cache table."""
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", verbosity=0)
        assert _counts("t.db", uuid.uuid4().hex, 4) == [(True, 1), (True, 2), (True, 3), (False, 4)]


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_the_count_through_the_database_cache(tmp_path):
    """A second process counting the same key continues this process's count (database cache, committed)."""
    key = uuid.uuid4().hex
    with override_settings(CACHES=DB_CACHE):
        call_command("createcachetable", verbosity=0)
        assert _counts("t.shared", key, 2, window=LONG) == [(True, 1), (True, 2)]
        script = (
            "import sys, django\n"
            "from django.conf import settings\n"
            "settings.DATABASES['default']['NAME'] = sys.argv[1]\n"
            f"settings.CACHES = {DB_CACHE!r}\n"
            "django.setup()\n"
            "from shequ.core import ratelimit\n"
            f"print(ratelimit.hit('t.shared', sys.argv[2], limit=3, window={LONG}).count)\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shequ.config.settings.test"}
        name = connection.settings_dict["NAME"]
        out = subprocess.run(
            [sys.executable, "-c", script, str(name), key], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "3", (name, out.stderr)
        assert _counts("t.shared", key, 1, window=LONG) == [(False, 4)]
        caches["default"].clear()


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis at 127.0.0.1:6379")
def test_redis_cache_backend_counts_atomically():
    """With Redis (REDIS_URL) the counter is an atomic INCR; a second connection sees the same count."""
    key = uuid.uuid4().hex
    with override_settings(CACHES=REDIS_CACHE):
        assert _counts("t.redis", key, 3, window=LONG) == [(True, 1), (True, 2), (True, 3)]
        other = caches.create_connection("default")
        assert other.incr(ratelimit._cache_key("t.redis", key, int(time.time() // LONG))) == 4
        assert _counts("t.redis", key, 1, window=LONG) == [(False, 5)]
        other.delete(ratelimit._cache_key("t.redis", key, int(time.time() // LONG)))
