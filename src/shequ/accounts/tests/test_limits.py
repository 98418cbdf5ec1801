"""Limits on guessing: login page and token endpoint per address and per account, unknown usernames audited and
locked out like real accounts, and "log out everywhere" revoking API tokens too."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.models import ApiToken, UserSession
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

LIMITS = {
    "login.ip": (3, 300),
    "login.account": (100, 300),
    "token.ip": (100, 60),
}


@pytest.fixture
def worker():
    return staff("community_worker", make_tree()["c1"], username="worker")


def _post_login(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def _limited_records():
    return list(AuditRecord.objects.filter(action="core.rate_limited").values_list("object_id", "after"))


@override_settings(SHEQU_RATE_LIMITS=LIMITS, SHEQU_LOCKOUT_THRESHOLD=100)
def test_login_page_limited_per_address_with_clear_page_and_one_audit_record(client, worker):
    """The 4th login attempt from one address within the window is a 429 page with Retry-After; one audit record."""
    codes = [_post_login(client, "worker", "wrong-password").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    for _ in range(2):
        response = _post_login(client, "worker", PASSWORD)
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 300
        assert "请求过于频繁" in response.content.decode()
        assert "_auth_user_id" not in client.session
    assert _limited_records() == [("login.ip", {"scope": "login.ip", "key": "127.0.0.1", "limit": 3, "window": 300})]
    # Another address is not affected.
    assert _post_login(client, "worker", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


@override_settings(SHEQU_RATE_LIMITS={**LIMITS, "login.ip": (100, 300), "login.account": (2, 300)})
def test_login_limited_per_account_across_addresses_and_token_endpoint(client, worker):
    """Guesses at one username are counted together from any address and on the token endpoint too."""
    assert _post_login(client, "worker", "bad", REMOTE_ADDR="198.51.100.1").status_code == 200
    token = client.post(
        reverse("api-token"), {"username": "worker", "password": "bad"}, content_type="application/json"
    )
    assert token.status_code == 400
    response = _post_login(client, "worker", PASSWORD, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 429
    (record,) = _limited_records()
    assert record == ("login.account", {"scope": "login.account", "key": "worker", "limit": 2, "window": 300})


@override_settings(SHEQU_RATE_LIMITS={**LIMITS, "token.ip": (2, 60)}, SHEQU_LOCKOUT_THRESHOLD=100)
def test_token_endpoint_limited_per_address_in_api_dialect(client, worker):
    """The token endpoint answers the 3rd request from one address with 429 {"detail": ...} and Retry-After."""
    url = reverse("api-token")
    bad = {"username": "worker", "password": "bad"}
    assert [client.post(url, bad, content_type="application/json").status_code for _ in range(2)] == [400, 400]
    response = client.post(url, {"username": "worker", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert response.json()["detail"].startswith("请求过于频繁，请 ")
    assert not ApiToken.objects.exists()
    assert [r[0] for r in _limited_records()] == ["token.ip"]


@override_settings(SHEQU_TRUSTED_PROXIES=["10.0.0.0/8"], SHEQU_RATE_LIMITS=LIMITS, SHEQU_LOCKOUT_THRESHOLD=100)
def test_forged_forwarded_for_does_not_escape_the_address_limit(client, worker):
    """Behind a trusted proxy, a client changing the left part of X-Forwarded-For is still one address."""
    codes = [
        _post_login(
            client, "worker", "bad", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.5"
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert _limited_records()[0][1]["key"] == "203.0.113.5"


@override_settings(SHEQU_LOCKOUT_THRESHOLD=3, SHEQU_LOCKOUT_MINUTES=15)
def test_unknown_username_gets_the_same_lockout_as_a_real_account(client, worker, clock):
    """Failures for a username nobody holds are audited (masked) and lock it out after the same number of tries,
    with the same message, so the answers do not tell which accounts exist."""
    real = [_post_login(client, "worker", "bad").content.decode() for _ in range(4)]
    ghost = [_post_login(client, "13912345678", "bad").content.decode() for _ in range(4)]
    for page in (real, ghost):
        assert ["用户名或密码错误" in p for p in page] == [True, True, False, False]
    locked = [
        re.findall(r"连续登录失败次数过多，账号已锁定，请 \d+ 分钟后再试或联系安全管理员。", p)
        for p in real[2:] + ghost[2:]
    ]
    assert len(locked[0]) == 1 and locked == [locked[0]] * 4
    unknown = AuditRecord.objects.filter(action="accounts.login_failed", after__reason="unknown_user")
    assert [r.after for r in unknown] == [{"reason": "unknown_user", "username": "139****5678"}] * 3
    clock.advance(minutes=16)
    assert "用户名或密码错误" in _post_login(client, "13912345678", "bad").content.decode()


def test_log_out_everywhere_ends_sessions_and_revokes_tokens(client, worker):
    """The security page's "log out everywhere" ends every session (this one too) and revokes all API tokens."""
    other = client.__class__()
    assert _post_login(other, "worker", PASSWORD).status_code == 302
    assert _post_login(client, "worker", PASSWORD).status_code == 302
    key = client.post(
        reverse("api-token"), {"username": "worker", "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    page = client.get(reverse("accounts:security")).content.decode()
    assert reverse("accounts:logout_everywhere") in page and "在所有设备上退出" in page

    response = client.post(reverse("accounts:logout_everywhere"), follow=True)
    assert "已在所有设备上退出：结束会话 2 个，吊销 API 令牌 1 个" in response.content.decode()
    assert not ApiToken.objects.filter(user=worker).exists()
    assert not UserSession.objects.filter(user=worker).exists()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert other.get(reverse("accounts:security")).status_code == 302
    record = AuditRecord.objects.get(action="accounts.logged_out_everywhere")
    assert record.after == {"sessions_ended": 2, "tokens_revoked": 1}


def test_log_out_everywhere_needs_a_signed_in_post(client, worker):
    """GET is refused and an anonymous POST goes to the login page; no token is touched."""
    assert _post_login(client, "worker", PASSWORD).status_code == 302
    client.post(reverse("api-token"), {"username": "worker", "password": PASSWORD}, content_type="application/json")
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    anonymous = client.__class__()
    assert anonymous.post(reverse("accounts:logout_everywhere")).status_code == 302
    assert ApiToken.objects.filter(user=worker).count() == 1
