"""Resident portal sign-in with a mobile number and a one-time SMS code.

Residents are registered through the registry service, SMS go to the LocmemBackend (the outside world), and
time moves with the `clock` fixture. Messages are asserted exactly, in Simplified Chinese.
"""

import json
import logging
import re
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.portal import services
from shequ.portal.models import LoginCode
from shequ.portal.sms import LocmemBackend, get_backend
from shequ.registry import services as registry
from shequ.registry.services import ResidentInput
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"
MASKED = "138****5678"
UNKNOWN = "13900001111"
IP = "203.0.113.7"
SMS_TEXT = "您正在登录社区居民服务，验证码 {code}，5 分钟内有效。请勿告诉他人。"
WRONG = "验证码不正确，还可以再试 {n} 次。"
EXHAUSTED = "验证码输错次数过多，已失效，请重新获取。"
EXPIRED = "验证码已过期，请重新获取。"
INVALID = "验证码无效，请重新获取。"


class FailingBackend:
    """An SMS gateway that refuses, quoting the number in its error (as real gateways sometimes do)."""

    def send(self, mobile: str, text: str) -> None:
        raise ConnectionError(f"gateway refused {mobile}")


@pytest.fixture(autouse=True)
def outbox():
    """Every test sends SMS to a fresh LocmemBackend; yields its outbox."""
    with override_settings(SHEQU_SMS_BACKEND="shequ.portal.sms.LocmemBackend"):
        backend = get_backend()
        assert isinstance(backend, LocmemBackend)
        yield backend.outbox


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def worker(tree):
    return staff("community_worker", tree["c1"])


@pytest.fixture
def household(tree, worker):
    return registry.household_create(actor=worker, community=tree["c1"], number="H-0101", dwelling=tree["d1"])


def register(tree, worker, name, *, mobile=MOBILE, household=None, relation="", **kw):
    data = ResidentInput(
        name=name,
        community=tree["c1"],
        id_type="none",
        mobile=mobile,
        household=household,
        relation=relation,
        dwelling=tree["d1"] if household is not None else None,
        **kw,
    )
    return registry.resident_register(actor=worker, data=data)


@pytest.fixture
def resident(tree, worker, household):
    """张建国, head of household H-0101 at 锦苑小区 1栋 1单元 1-301, with his wife 李秀英 (no mobile)."""
    head = register(tree, worker, "张建国", household=household, relation="head")
    register(tree, worker, "李秀英", mobile="", household=household, relation="spouse")
    return head


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Run a block and then its on-commit side effects (the SMS), as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def code_in(text: str) -> str:
    return re.search(r"\d{6}", text).group(0)


def ask(deliver, mobile=MOBILE, ip=IP):
    with deliver():
        services.request_code(mobile=mobile, ip=ip)


def portal_actions():
    return list(AuditRecord.objects.filter(action__startswith="portal.").order_by("id").values_list("action", "after"))


def sign_in(client, deliver, outbox, mobile=MOBILE):
    with deliver():
        client.post(reverse("portal:login"), {"mobile": mobile})
    return client.post(reverse("portal:verify"), {"code": code_in(outbox[-1][1])})


# --- the journey --------------------------------------------------------------------------------------


def test_full_sign_in_journey(client, resident, deliver, outbox):
    """Number → SMS → code → home with the resident's own entry (masked number) → sign out; audited."""
    assert client.get(reverse("portal:home")).url == "/portal/login/"
    page = client.get(reverse("portal:login"))
    assert page.status_code == 200
    assert "居民登录" in page.content.decode()

    with deliver():
        response = client.post(reverse("portal:login"), {"mobile": "138 1234 5678"})
    assert response.status_code == 302 and response.url == "/portal/login/verify/"
    assert len(outbox) == 1
    code = code_in(outbox[0][1])
    assert outbox == [(MOBILE, SMS_TEXT.format(code=code))]

    verify_page = client.get(reverse("portal:verify")).content.decode()
    assert f"如该号码已在社区登记，验证码已发送至 {MASKED}，5 分钟内有效。" in verify_page

    key_before = client.session.session_key
    response = client.post(reverse("portal:verify"), {"code": code})
    assert response.status_code == 302 and response.url == "/portal/"
    assert client.session.session_key != key_before
    assert client.session["portal_resident"] == str(resident.public_id)
    assert "portal_pending" not in client.session

    home = client.get(reverse("portal:home"))
    body = home.content.decode()
    assert home.status_code == 200
    assert "您好，张建国" in body
    assert MASKED in body and MOBILE not in body
    assert "洗面桥社区 锦苑小区 1栋 1单元 1-301" in body
    assert "户号：H-0101" in body
    assert re.findall(r"<li>(.*?)</li>", body) == [
        '张建国<span class="tag">户主</span><span class="tag tag-self">本人</span>',
        '李秀英<span class="tag">配偶</span>',
    ]
    assert "no-store" in home["Cache-Control"]

    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302 and response.url == "/portal/login/"
    assert "portal_resident" not in client.session
    assert client.get(reverse("portal:home")).url == "/portal/login/"

    assert portal_actions() == [
        ("portal.code_requested", {"mobile": MASKED, "sent": True}),
        ("portal.login", {"mobile": MASKED}),
        ("portal.logout", None),
    ]
    login = AuditRecord.objects.get(action="portal.login")
    assert (login.actor_kind, login.actor_ref, login.object_type, login.object_id) == (
        "resident",
        str(resident.public_id),
        "registry.resident",
        str(resident.public_id),
    )
    logout = AuditRecord.objects.get(action="portal.logout")
    assert (logout.actor_kind, logout.actor_ref) == ("resident", str(resident.public_id))
    assert logout.object_id == login.object_id
    requested = AuditRecord.objects.get(action="portal.code_requested")
    assert (requested.actor_kind, requested.actor_ref, requested.actor_label) == ("anonymous", "", "")


def test_verify_page_without_a_pending_number_goes_back_to_step_one(client, resident):
    """Opening the code page directly (no number asked for in this session) leads to the number form."""
    assert client.get(reverse("portal:verify")).url == "/portal/login/"
    assert client.post(reverse("portal:verify"), {"code": "123456"}).url == "/portal/login/"
    assert LoginCode.objects.count() == 0


def test_malformed_number_is_refused_in_chinese(client, resident, outbox):
    """A malformed number re-shows the form with the validator's Chinese message; nothing is issued."""
    response = client.post(reverse("portal:login"), {"mobile": "1234"})
    assert response.status_code == 200
    assert '<p class="error" id="mobile-error">手机号码应为11位数字，以13–19开头</p>' in response.content.decode()
    assert LoginCode.objects.count() == 0 and outbox == []
    with pytest.raises(services.ValidationError) as exc:
        services.request_code(mobile="0281234567", ip=IP)
    assert exc.value.message_dict == {"mobile": ["手机号码应为11位数字，以13–19开头"]}


def test_code_form_asks_for_six_digits(client, resident, deliver):
    """A code that is not six digits is refused by the form and does not use up a try."""
    with deliver():
        client.post(reverse("portal:login"), {"mobile": MOBILE})
    response = client.post(reverse("portal:verify"), {"code": "12a"})
    assert '<p class="error" id="code-error">请输入短信中的6位数字验证码。</p>' in response.content.decode()
    assert LoginCode.objects.get().attempts == 0


def test_full_width_code_is_accepted(resident, deliver, outbox):
    """Digits typed full-width by a Chinese input method, with spaces, still match."""
    ask(deliver)
    code = code_in(outbox[0][1])
    full_width = " ".join(chr(ord(c) + 0xFEE0) for c in code)
    assert services.verify_code(mobile=MOBILE, code=full_width, ip=IP) == resident


# --- wrong, exhausted, expired, used codes ----------------------------------------------------------------


def test_wrong_code_is_refused_and_counted(client, resident, deliver, outbox):
    """A wrong code re-shows the code form with the tries left; the try is counted and audited (masked)."""
    with deliver():
        client.post(reverse("portal:login"), {"mobile": MOBILE})
    wrong = f"{(int(code_in(outbox[0][1])) + 1) % 1_000_000:06d}"
    response = client.post(reverse("portal:verify"), {"code": wrong})
    assert response.status_code == 200
    assert f'<p class="error" id="code-error">{WRONG.format(n=4)}</p>' in response.content.decode()
    assert "portal_resident" not in client.session
    assert LoginCode.objects.get().attempts == 1
    assert portal_actions()[-1] == ("portal.login_failed", {"mobile": MASKED, "reason": "wrong_code", "attempts": 1})


def test_five_wrong_tries_void_the_code(resident, deliver, outbox):
    """After five wrong tries the code is void: even the right code is then refused."""
    ask(deliver)
    code = code_in(outbox[0][1])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = []
    for _ in range(5):
        with pytest.raises(services.CodeRejected) as exc:
            services.verify_code(mobile=MOBILE, code=wrong, ip=IP)
        messages.append(exc.value.message)
    assert messages == [WRONG.format(n=4), WRONG.format(n=3), WRONG.format(n=2), WRONG.format(n=1), EXHAUSTED]

    with pytest.raises(services.CodeRejected) as exc:
        services.verify_code(mobile=MOBILE, code=code, ip=IP)
    assert (exc.value.message, exc.value.reason) == (EXHAUSTED, "exhausted")
    assert LoginCode.objects.get().attempts == 5


def test_expired_code_is_refused(clock, resident, deliver, outbox):
    """A code is good for five minutes: at 4:59 it signs in, at 5:00 it has expired."""
    ask(deliver)
    clock.advance(minutes=5)
    with pytest.raises(services.CodeRejected) as exc:
        services.verify_code(mobile=MOBILE, code=code_in(outbox[0][1]), ip=IP)
    assert (exc.value.message, exc.value.reason) == (EXPIRED, "expired")

    clock.advance(minutes=1)
    ask(deliver)
    clock.advance(minutes=4, seconds=59)
    assert services.verify_code(mobile=MOBILE, code=code_in(outbox[1][1]), ip=IP) == resident


def test_code_signs_in_once_and_only_the_latest_code_counts(clock, resident, deliver, outbox):
    """A used code is refused; asking for a new code voids the previous one."""
    ask(deliver)
    clock.advance(seconds=61)
    ask(deliver)
    first, second = code_in(outbox[0][1]), code_in(outbox[1][1])
    if first != second:
        with pytest.raises(services.CodeRejected):
            services.verify_code(mobile=MOBILE, code=first, ip=IP)
    assert services.verify_code(mobile=MOBILE, code=second, ip=IP) == resident
    with pytest.raises(services.CodeRejected) as exc:
        services.verify_code(mobile=MOBILE, code=second, ip=IP)
    assert (exc.value.message, exc.value.reason) == (INVALID, "no_code")


# --- rate limits ----------------------------------------------------------------------------------------


def test_one_code_a_minute_per_number(clock, client, resident, deliver, outbox):
    """A second code within 60 s is refused with the seconds to wait (page: 429); after 60 s it is issued."""
    ask(deliver)
    clock.advance(seconds=10)
    with pytest.raises(services.RateLimited) as exc:
        services.request_code(mobile=MOBILE, ip="198.51.100.1")
    assert (exc.value.message, exc.value.retry_after) == ("获取验证码太频繁，请 50 秒后再试。", 50)

    response = client.post(reverse("portal:login"), {"mobile": MOBILE})
    assert response.status_code == 429
    assert (
        '<div class="alert" role="alert"><p>获取验证码太频繁，请 50 秒后再试。</p></div>' in response.content.decode()
    )

    clock.advance(seconds=50)
    ask(deliver)
    assert len(outbox) == 2
    assert portal_actions()[1] == ("portal.code_rate_limited", {"mobile": MASKED, "limit": "mobile_minute"})


def test_five_codes_an_hour_per_number(clock, resident, deliver, outbox):
    """The sixth code within an hour is refused with the minutes to wait, until the first is an hour old."""
    for _ in range(5):
        ask(deliver)
        clock.advance(seconds=60)
    with pytest.raises(services.RateLimited) as exc:
        services.request_code(mobile=MOBILE, ip=IP)
    assert (exc.value.message, exc.value.retry_after) == ("该号码获取验证码次数过多，请 55 分钟后再试。", 3300)
    assert len(outbox) == 5

    clock.advance(seconds=3299)
    with pytest.raises(services.RateLimited) as exc:
        services.request_code(mobile=MOBILE, ip=IP)
    assert exc.value.message == "该号码获取验证码次数过多，请 1 分钟后再试。"
    clock.advance(seconds=1)
    ask(deliver)
    assert len(outbox) == 6


def test_twenty_codes_an_hour_per_address(clock, resident, deliver, outbox):
    """One address gets at most 20 codes an hour, whatever the numbers; another address is not affected."""
    for i in range(20):
        ask(deliver, mobile=f"1370000{i:04d}")
        clock.advance(seconds=1)
    with pytest.raises(services.RateLimited) as exc:
        services.request_code(mobile=MOBILE, ip=IP)
    assert (exc.value.message, exc.value.retry_after) == ("当前网络获取验证码次数过多，请 60 分钟后再试。", 3580)
    assert outbox == []

    ask(deliver, ip="198.51.100.1")
    assert len(outbox) == 1


def test_unknown_number_is_limited_like_a_registered_one(clock, resident, deliver, outbox):
    """Limits do not tell registered numbers apart: an unknown number is refused the same way."""
    ask(deliver, mobile=UNKNOWN)
    clock.advance(seconds=10)
    with pytest.raises(services.RateLimited) as exc:
        services.request_code(mobile=UNKNOWN, ip=IP)
    assert exc.value.message == "获取验证码太频繁，请 50 秒后再试。"


def test_resend_from_the_code_page_obeys_the_limit(clock, client, resident, deliver, outbox):
    """ "Send again" uses the number kept in the session and is refused inside the minute."""
    with deliver():
        client.post(reverse("portal:login"), {"mobile": MOBILE})
    response = client.post(reverse("portal:resend"), follow=True)
    assert '<li class="msg msg-error">获取验证码太频繁，请 60 秒后再试。</li>' in response.content.decode()
    clock.advance(seconds=60)
    with deliver():
        response = client.post(reverse("portal:resend"), follow=True)
    assert '<li class="msg msg-success">如该号码已在社区登记，新的验证码已发送。</li>' in response.content.decode()
    assert len(outbox) == 2
    assert client.post(reverse("portal:verify"), {"code": code_in(outbox[1][1])}).url == "/portal/"


# --- no enumeration, register state -------------------------------------------------------------------


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_unknown_number_gets_the_same_answer_and_no_sms(client, resident, deliver, outbox):
    """An unregistered number sees the same redirect and page as a registered one, and no SMS leaves."""
    other = client.__class__()
    with deliver():
        known = client.post(reverse("portal:login"), {"mobile": MOBILE})
    with deliver():
        unknown = other.post(reverse("portal:login"), {"mobile": UNKNOWN})
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    known_page = _without_tokens(client.get(reverse("portal:verify")).content.decode())
    unknown_page = _without_tokens(other.get(reverse("portal:verify")).content.decode())
    assert unknown_page == known_page.replace(MASKED, "139****1111")
    assert [m for m, _ in outbox] == [MOBILE]
    assert LoginCode.objects.count() == 2
    assert portal_actions()[-1] == ("portal.code_requested", {"mobile": "139****1111", "sent": False})

    response = other.post(reverse("portal:verify"), {"code": "000000"})
    assert f'<p class="error" id="code-error">{WRONG.format(n=4)}</p>' in response.content.decode()


def test_moved_out_resident_cannot_sign_in(resident, worker, deliver, outbox):
    """A resident who moved out gets no code; a code asked for before moving out no longer signs in."""
    ask(deliver)
    registry.resident_move_out(actor=worker, resident=resident, on=date.today())
    with pytest.raises(services.CodeRejected) as exc:
        services.verify_code(mobile=MOBILE, code=code_in(outbox[0][1]), ip=IP)
    assert (exc.value.message, exc.value.reason) == (INVALID, "no_active_resident")

    LoginCode.objects.all().delete()
    ask(deliver)
    assert len(outbox) == 1
    assert portal_actions()[-1] == ("portal.code_requested", {"mobile": MASKED, "sent": False})


def test_withdrawn_resident_cannot_sign_in(tree, worker, deliver, outbox):
    """A resident who withdrew consent gets no code."""
    person = register(tree, worker, "王小红", mobile="13700001234", legal_basis="consent")
    registry.consent_withdraw(actor=worker, resident=person)
    ask(deliver, mobile="13700001234")
    assert outbox == []
    assert portal_actions()[-1] == ("portal.code_requested", {"mobile": "137****1234", "sent": False})


def test_portal_session_ends_when_the_resident_moves_out(client, resident, worker, deliver, outbox):
    """A signed-in resident who is then recorded as moved out is sent back to the sign-in page."""
    sign_in(client, deliver, outbox)
    assert client.get(reverse("portal:home")).status_code == 200
    registry.resident_move_out(actor=worker, resident=resident, on=date.today())
    assert client.get(reverse("portal:home")).url == "/portal/login/"
    assert "portal_resident" not in client.session


def test_shared_number_signs_in_the_household_head(tree, worker, household, deliver, outbox):
    """A number registered for several residents signs in the household head among them."""
    register(tree, worker, "阿明", household=household, relation="child")
    head = register(tree, worker, "赵大海", household=household, relation="head")
    ask(deliver)
    assert services.verify_code(mobile=MOBILE, code=code_in(outbox[0][1]), ip=IP) == head


# --- personal information stays out of logs, audit, URLs and the session store ------------------------


def test_logs_audit_and_database_never_hold_the_clear_number(client, resident, deliver, outbox, caplog):
    """Through a whole journey (with one wrong try) no log line, audit record, code row or session holds it."""
    caplog.set_level(logging.DEBUG)
    with override_settings(SHEQU_SMS_BACKEND="shequ.portal.sms.ConsoleBackend"):
        with deliver():
            client.post(reverse("portal:login"), {"mobile": MOBILE})
    sms_lines = [r.getMessage() for r in caplog.records if r.name == "shequ.portal.sms"]
    assert len(sms_lines) == 1
    code = code_in(sms_lines[0])
    assert sms_lines == [f"SMS to {MASKED}: {SMS_TEXT.format(code=code)}"]
    pending = json.dumps(dict(client.session.items()))

    client.post(reverse("portal:verify"), {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    client.post(reverse("portal:verify"), {"code": code})
    client.get(reverse("portal:home"))
    client.post(reverse("portal:logout"))

    assert MOBILE not in caplog.text
    audit = json.dumps(list(AuditRecord.objects.values()), default=str, ensure_ascii=False)
    assert MOBILE not in audit and MASKED in audit
    row = json.dumps(list(LoginCode.objects.values()), default=str)
    assert MOBILE not in row and code not in row
    assert MOBILE not in pending
    sessions = "".join(s.session_data + json.dumps(s.get_decoded()) for s in Session.objects.all())
    assert MOBILE not in sessions


def test_failed_sms_is_logged_masked(resident, deliver, caplog):
    """A gateway error that quotes the number is logged with the number masked and re-raised without it."""
    caplog.set_level(logging.DEBUG)
    with override_settings(SHEQU_SMS_BACKEND="shequ.portal.tests.test_portal.FailingBackend"):
        payload = services.crypto.encrypt(
            json.dumps({"mobile": MOBILE, "text": "x"}), purpose=services.SMS_PAYLOAD_PURPOSE
        )
        with pytest.raises(services.SmsDeliveryFailed) as exc:
            services.deliver_sms(payload)
        assert str(exc.value) == "ConnectionError"
        ask(deliver)  # through the task queue: the failure is logged, the resident's answer is unchanged
    assert MOBILE not in caplog.text
    assert f"SMS to {MASKED} failed: ConnectionError" in caplog.text


def test_number_never_appears_in_a_url(client, resident, deliver, outbox):
    """No URL requested or redirected to during the journey carries the number, clear or masked."""
    urls = []
    with deliver():
        r = client.post(reverse("portal:login"), {"mobile": MOBILE}, follow=True)
    urls += [r.request["PATH_INFO"] + "?" + r.request.get("QUERY_STRING", "")] + [u for u, _ in r.redirect_chain]
    r = client.post(reverse("portal:verify"), {"code": code_in(outbox[0][1])}, follow=True)
    urls += [r.request["PATH_INFO"] + "?" + r.request.get("QUERY_STRING", "")] + [u for u, _ in r.redirect_chain]
    body = r.content.decode()
    urls += re.findall(r'(?:href|action)="([^"]*)"', body)
    r = client.post(reverse("portal:logout"), follow=True)
    urls += [u for u, _ in r.redirect_chain]
    assert urls[:2] == ["/portal/login/verify/?", "/portal/login/verify/"]
    assert "/portal/" in urls and "/portal/login/" in urls
    assert not [u for u in urls if MOBILE in u or "5678" in u or "1381" in u]


# --- sessions ---------------------------------------------------------------------------------------------


def test_staff_login_does_not_open_the_portal_and_portal_does_not_open_the_workbench(
    client, tree, resident, deliver, outbox
):
    """A staff session is no portal session, and a resident's portal session is no staff session."""
    client.force_login(staff("community_worker", tree["c1"]))
    assert client.get(reverse("portal:home")).url == "/portal/login/"

    resident_client = client.__class__()
    assert sign_in(resident_client, deliver, outbox).url == "/portal/"
    workbench = resident_client.get(reverse("web:home"))
    assert workbench.status_code == 302 and workbench.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in resident_client.session


def test_idle_portal_session_ends(clock, client, resident, deliver, outbox, settings):
    """Like staff sessions, a portal session idle longer than SHEQU_IDLE_TIMEOUT_SECONDS ends."""
    sign_in(client, deliver, outbox)
    clock.advance(seconds=settings.SHEQU_IDLE_TIMEOUT_SECONDS - 1)
    assert client.get(reverse("portal:home")).status_code == 200
    clock.advance(seconds=settings.SHEQU_IDLE_TIMEOUT_SECONDS - 1)
    assert client.get(reverse("portal:home")).status_code == 200  # activity a moment ago kept it alive
    clock.advance(seconds=settings.SHEQU_IDLE_TIMEOUT_SECONDS + 1)
    response = client.get(reverse("portal:home"), follow=True)
    assert response.redirect_chain == [("/portal/login/", 302)]
    assert '<li class="msg msg-info">由于长时间未操作，您已自动退出，请重新登录。</li>' in response.content.decode()
    assert "portal_resident" not in client.session


def test_old_code_rows_are_purged(clock, resident, deliver):
    """Code rows (the rate-limit ledger) are deleted once they are a day old."""
    ask(deliver)
    clock.advance(hours=23)
    assert services.purge_login_codes(actor=services.CODE_PURGE) == 0
    clock.advance(hours=1, seconds=1)
    assert services.purge_login_codes(actor=services.CODE_PURGE) == 1
    assert LoginCode.objects.count() == 0


def test_login_page_first_load_is_light(client):
    """The sign-in page and its stylesheet together stay far under the 200 KB H5 budget (DESIGN §5)."""
    from django.contrib.staticfiles import finders

    html = client.get(reverse("portal:login")).content
    css = [finders.find(path) for path in re.findall(r'href="/static/([^"]+)"', html.decode())]
    assert len(css) == 1 and b"<script" not in html
    total = len(html) + sum(len(open(path, "rb").read()) for path in css)
    assert total < 20 * 1024, total


def test_code_expiry_is_five_minutes(clock, resident, deliver):
    """The issued row expires five minutes after it was created."""
    ask(deliver)
    row = LoginCode.objects.get()
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    assert row.created_at == clock.now


def test_only_a_job_purges_codes(clock, tree, resident, deliver):
    """Forgetting old codes is the background task's: a resident or a staff member is refused, nothing deleted."""
    from shequ.core.actors import ResidentActor
    from shequ.core.errors import PermissionDenied

    ask(deliver)
    clock.advance(days=2)
    for actor in (ResidentActor(resident), staff("system_admin", tree["district"])):
        with pytest.raises(PermissionDenied):
            services.purge_login_codes(actor=actor)
    assert LoginCode.objects.count() == 1
