"""Login with lockout, second factor, token endpoint, password policy, idle timeout."""

import pyotp
import pytest
from django.test import override_settings
from django.urls import reverse

from shequ.accounts import services
from shequ.accounts.models import ApiToken, User
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.core.actors import DEMO_LOADER
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def worker(tree):
    return staff("community_worker", tree["c1"], username="worker")


@pytest.fixture
def sysadmin(tree):
    user = staff("system_admin", tree["district"], username="sysadmin")
    services.totp_set_secret(actor=DEMO_LOADER, user=user, secret=SECRET)
    return user


def _post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_success_reaches_workbench(client, worker):
    """A correct password logs a community worker in and records the login in the audit log."""
    response = _post_login(client, "worker", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200
    assert AuditRecord.objects.filter(action="accounts.login", object_id=str(worker.public_id)).count() == 1


def test_wrong_password_is_generic_error(client, worker):
    """A wrong password and an unknown user give the same message."""
    r1 = _post_login(client, "worker", "wrong-password")
    r2 = _post_login(client, "nobody", "wrong-password")
    assert "用户名或密码错误" in r1.content.decode()
    assert "用户名或密码错误" in r2.content.decode()


@override_settings(SHEQU_LOCKOUT_THRESHOLD=3, SHEQU_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures_even_with_right_password(client, worker, clock):
    """After 3 failures the account is locked: the right password is refused until the lock ends."""
    for _ in range(3):
        _post_login(client, "worker", "wrong-password")
    response = _post_login(client, "worker", PASSWORD)
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    clock.advance(minutes=16)
    assert _post_login(client, "worker", PASSWORD).status_code == 302
    assert AuditRecord.objects.filter(action="accounts.locked").count() == 1


@override_settings(SHEQU_LOCKOUT_THRESHOLD=3)
def test_token_endpoint_counts_towards_lockout(client, worker):
    """The API token endpoint shares the lockout."""
    url = reverse("api-token")
    bad = {"username": "worker", "password": "bad"}
    codes = [client.post(url, bad, content_type="application/json").status_code for _ in range(3)]
    assert codes == [400, 400, 403]
    response = client.post(url, {"username": "worker", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "locked"


def test_token_issue_and_use(client, worker, tree):
    """A token from /api/v1/auth/token/ authenticates API calls; only its digest is stored."""
    response = client.post(
        reverse("api-token"), {"username": "worker", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    assert not ApiToken.objects.filter(key_digest=key).exists()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "worker"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nonsense").status_code == 401


def test_token_endpoint_requires_otp_where_second_factor_is_on(client, sysadmin, clock):
    """A system admin must add `otp`; a wrong code fails, the current code succeeds."""
    url = reverse("api-token")
    body = {"username": "sysadmin", "password": PASSWORD}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "otp_required"
    response = client.post(url, {**body, "otp": "000000"}, content_type="application/json")
    assert response.status_code == 400
    code = pyotp.TOTP(SECRET).at(clock.now)
    response = client.post(url, {**body, "otp": code}, content_type="application/json")
    assert response.status_code == 200, response.json()


def test_totp_code_cannot_be_replayed(sysadmin, clock):
    """The same 30-second code is accepted once."""
    code = pyotp.TOTP(SECRET).at(clock.now)
    first = services.authenticate_credentials(username="sysadmin", password=PASSWORD, otp=code)
    second = services.authenticate_credentials(username="sysadmin", password=PASSWORD, otp=code)
    assert first.outcome == services.AuthOutcome.OK
    assert second.outcome == services.AuthOutcome.OTP_INVALID


def test_web_login_asks_for_otp_then_logs_in(client, sysadmin, clock):
    """Password first, then the TOTP step; only then is the session authenticated."""
    response = _post_login(client, "sysadmin", PASSWORD)
    assert response.url == reverse("accounts:login_otp")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:login_otp"), {"otp": pyotp.TOTP(SECRET).at(clock.now)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sysadmin.pk)


def test_required_second_factor_forces_enrolment(client, tree, clock):
    """An auditor without TOTP is sent to enrolment and logged in only after confirming a code."""
    user = staff("auditor", tree["district"], username="auditor")
    response = _post_login(client, "auditor", PASSWORD)
    assert response.url == reverse("accounts:enrol")
    page = client.get(reverse("accounts:enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    user.refresh_from_db()
    secret = services.totp_pending_secret_of(user)
    response = client.post(reverse("accounts:enrol"), {"otp": pyotp.TOTP(secret).at(clock.now)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_enabled
    assert client.session["_auth_user_id"] == str(user.pk)


def test_first_login_must_change_password(client, tree):
    """An account created by an admin is sent to the password page until it changes the password."""
    admin = staff("security_admin", tree["district"], username="sec")
    user, temp = services.user_create(
        actor=admin, username="newbie", display_name="新人", role="community_worker", area=tree["c1"]
    )
    response = _post_login(client, "newbie", temp)
    assert response.url == reverse("accounts:password_change")
    assert client.get(reverse("web:home")).url == reverse("accounts:password_change")
    assert client.get("/api/v1/me/").status_code == 403
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": temp, "new_password": "Anoth3r-Secret!", "new_password2": "Anoth3r-Secret!"},
    )
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!", "密码长度太短"),
        ("password123", "这个密码太常见了"),
        ("alllowercaseletters", "至少三类"),
    ],
)
def test_password_policy(worker, password, message):
    """Length, common-password and character-class rules give Chinese messages; nothing changes."""
    with pytest.raises(Exception) as exc:
        services.password_change(actor=worker, old_password=PASSWORD, new_password=password)
    assert message in str(exc.value)
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)


@override_settings(SHEQU_IDLE_TIMEOUT_SECONDS=60)
def test_idle_session_times_out(client, worker, monkeypatch):
    """After the idle timeout the next request logs the user out."""
    import shequ.accounts.middleware as mw

    now = [1_000_000.0]
    monkeypatch.setattr(mw.time, "time", lambda: now[0])
    client.post(reverse("accounts:login"), {"username": "worker", "password": PASSWORD})
    session = client.session
    session["last_activity"] = int(now[0])
    session.save()
    assert client.get(reverse("web:home")).status_code == 200
    now[0] += 61
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_deactivation_ends_sessions_and_tokens_at_once(client, tree, worker):
    """Deactivating an account logs out its browser session and revokes its API tokens immediately."""
    admin = staff("security_admin", tree["district"], username="sec")
    _post_login(client, "worker", PASSWORD)
    key, _ = services.token_issue(actor=worker)
    assert client.get(reverse("web:home")).status_code == 200
    services.user_deactivate(actor=admin, user=worker, reason="离职")
    assert client.get(reverse("web:home")).status_code == 302
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert ApiToken.objects.filter(user=worker).count() == 0
    assert User.objects.get(pk=worker.pk).is_active is False


def test_opening_enrolment_keeps_existing_factor(client, sysadmin, clock):
    """Starting to replace the authenticator does not switch the current one off until a code confirms."""
    client.force_login(sysadmin)
    assert client.get(reverse("accounts:enrol")).status_code == 200
    sysadmin.refresh_from_db()
    assert sysadmin.totp_enabled and services.totp_secret_of(sysadmin) == SECRET
    new_secret = services.totp_pending_secret_of(sysadmin)
    client.post(reverse("accounts:enrol"), {"otp": pyotp.TOTP(new_secret).at(clock.now)})
    sysadmin.refresh_from_db()
    assert services.totp_secret_of(sysadmin) == new_secret and not sysadmin.totp_pending_encrypted
