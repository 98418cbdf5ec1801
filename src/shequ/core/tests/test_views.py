"""Auditor pages: the audit log with filters and pages, and chain verification (itself audited).

Only auditors reach them (三员分立); everyone else gets 404 and changes nothing (not even sealing).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core import audit
from shequ.core.actors import system_job
from shequ.core.models import AuditRecord
from shequ.core.tests.audit_guards import drop_guards, install_guards
from shequ.territory.tests.factories import make_tree

TESTER = system_job("test.tester", "test.tester")

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _guards_installed(db):
    """Browser tests drop the SQLite guards before their flush; make sure they are in place here."""
    install_guards()


def _write(n):
    return [audit.record(actor=TESTER, action=f"test.action{i}", object_type="x", object_id=str(i)) for i in range(n)]


def _entry(when, actor_label, action, object_label="", object_id=""):
    """Insert a record at a given local (Asia/Shanghai) time; `record()` always stamps the real clock."""
    return AuditRecord.objects.create(
        created_at=when.replace(tzinfo=SHANGHAI),
        actor_label=actor_label,
        action=action,
        object_label=object_label,
        object_id=object_id,
    )


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def auditor(tree):
    return staff("auditor", tree["district"], username="aud")


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


# --- list -----------------------------------------------------------------------------------------


@pytest.fixture
def entries():
    return {
        "r1": _entry(dt.datetime(2026, 3, 14, 10, 0), "zhang", "accounts.login", "张伟（zhang）"),
        "r2": _entry(dt.datetime(2026, 3, 15, 23, 59, 59), "li", "accounts.user_created", "李娜（li.na）"),
        "r3": _entry(dt.datetime(2026, 3, 16, 0, 0), "zhang", "accounts.password_reset", "锦苑小区", "abc-123"),
        "r4": _entry(dt.datetime(2026, 3, 17, 9, 0), "system", "territory.divisions_imported", "区划导入"),
    }


def _shown(response):
    return [r.pk for r in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["r4", "r3", "r2", "r1"]),
        ({"actor": "ZHANG"}, ["r3", "r1"]),
        ({"action": "accounts."}, ["r3", "r2", "r1"]),
        ({"action": "accounts.login"}, ["r1"]),
        ({"object": "锦苑"}, ["r3"]),
        ({"object": "abc-123"}, ["r3"]),
        ({"since": "2026-03-16"}, ["r4", "r3"]),
        ({"until": "2026-03-15"}, ["r2", "r1"]),
        ({"since": "2026-03-15", "until": "2026-03-15"}, ["r2"]),
        ({"since": "2026-03-15", "actor": "zhang"}, ["r3"]),
        ({"since": "2026-13-01", "until": "yesterday"}, ["r4", "r3", "r2", "r1"]),
    ],
    ids=[
        "all",
        "actor",
        "action-prefix",
        "action-exact",
        "object-label",
        "object-id",
        "since",
        "until",
        "one-day",
        "since-and-actor",
        "malformed-dates-ignored",
    ],
)
def test_audit_list_filters(auditor_client, entries, params, expected):
    """Filters narrow the newest-first list; dates are whole local (Beijing time) days, both ends included."""
    response = auditor_client.get(reverse("core:audit_list"), params)
    assert response.status_code == 200
    assert _shown(response) == [entries[k].pk for k in expected]


def test_audit_list_renders_rows(auditor_client, entries):
    """Each row shows the actor, the action in words with its code beside, and the object; unsealed rows are
    marked pending."""
    body = auditor_client.get(reverse("core:audit_list"), {"action": "accounts.user_created"}).content.decode()
    assert '<span class="audit-words">创建账号</span> <code class="muted small">accounts.user_created</code>' in body
    assert "李娜（li.na）" in body
    assert "待封存" in body
    assert "2026-03-15 23:59:59" in body


def test_audit_list_filters_by_words_and_names_staff(auditor_client, entries, tree):
    """The action filter takes words too ("登录" finds accounts.login); staff read as their name, username beside."""
    staff("community_worker", tree["c1"], username="zhang", display_name="张伟")
    response = auditor_client.get(reverse("core:audit_list"), {"action": "登录"})
    assert _shown(response) == [entries["r1"].pk]
    body = response.content.decode()
    assert '<td>张伟 <code class="muted small">zhang</code></td>' in body
    AuditRecord.objects.create(actor_label="zhang", action="accounts.locked", object_type="accounts.user")
    body = auditor_client.get(reverse("core:audit_list"), {"action": "accounts.locked"}).content.decode()
    assert '<td>账号 <code class="muted small">accounts.user</code></td>' in body
    unknown = auditor_client.get(reverse("core:audit_list"), {"action": "territory.divisions_imported"})
    assert '<span class="audit-words">导入行政区划</span>' in unknown.content.decode()


def test_audit_list_paginates_by_50_and_keeps_filters(auditor_client):
    """120 matching records make pages of 50, 50 and 20, newest first; page links keep the filters."""
    rows = [_entry(dt.datetime(2026, 3, 1, 8, 0) + dt.timedelta(minutes=i), "bulk", "test.bulk") for i in range(120)]
    _entry(dt.datetime(2026, 3, 2, 8, 0), "other", "test.other")
    url = reverse("core:audit_list")
    first = auditor_client.get(url, {"action": "test.bulk"})
    assert (first.context["page"].paginator.count, first.context["page"].paginator.num_pages) == (120, 3)
    assert _shown(first) == [r.pk for r in reversed(rows[70:])]
    third = auditor_client.get(url, {"action": "test.bulk", "page": "3"})
    assert _shown(third) == [r.pk for r in reversed(rows[:20])]
    assert _shown(auditor_client.get(url, {"action": "test.bulk", "page": "99"})) == _shown(third)
    assert 'href="?action=test.bulk&amp;page=2"' in first.content.decode()


# --- verification ---------------------------------------------------------------------------------


def test_verify_page_get_shows_form_only(auditor_client):
    """GET shows the button and no result; it neither seals nor writes an audit record."""
    _write(2)
    response = auditor_client.get(reverse("core:audit_verify"))
    assert response.status_code == 200
    assert response.context["result"] is None
    assert AuditRecord.objects.filter(seq__isnull=False).count() == 0
    assert AuditRecord.objects.count() == 2


def test_verify_intact_chain_and_the_check_is_audited(auditor_client, auditor):
    """POST seals pending rows, reports the chain intact, and appends a record of the verification."""
    _write(3)
    response = auditor_client.post(reverse("core:audit_verify"))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.ok, result.checked, result.unsealed, result.first_bad_seq) == (True, 3, 0, None)
    assert "审计链完整：共校验 3 条，待封存 0 条" in response.content.decode()
    [entry] = AuditRecord.objects.filter(action="core.audit_verified")
    assert (entry.actor_id, entry.actor_label, entry.object_type, entry.object_label, entry.seq) == (
        auditor.pk,
        "aud",
        "core.auditrecord",
        "audit chain",
        None,
    )
    # No worker anchored anything in this test: the chain is intact, anchoring counts as stopped.
    assert entry.after == {
        "ok": True,
        "checked": 3,
        "first_bad_seq": None,
        "anchors_ok": True,
        "anchoring_stale": True,
    }
    assert "尚无锚定记录" in response.content.decode()
    again = auditor_client.post(reverse("core:audit_verify"))
    assert "审计链完整：共校验 4 条，待封存 0 条" in again.content.decode()
    assert AuditRecord.objects.filter(action="core.audit_verified").count() == 2


def test_verify_reports_edited_row(auditor_client, auditor):
    """A sealed row edited behind the triggers' back is named; the failed check is audited too."""
    _write(4)
    audit.seal_pending()
    drop_guards()
    target = AuditRecord.objects.get(seq=2)
    AuditRecord.objects.filter(pk=target.pk).update(action="forged")
    response = auditor_client.post(reverse("core:audit_verify"))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.ok, result.checked, result.first_bad_seq, result.first_bad_id) == (False, 1, 2, target.pk)
    body = response.content.decode()
    assert "审计链已断开" in body
    assert "content does not match its seal (row edited, or re-sealed without the audit key)" in body
    [entry] = AuditRecord.objects.filter(action="core.audit_verified")
    assert (entry.actor_id, entry.after["ok"], entry.after["checked"], entry.after["first_bad_seq"]) == (
        auditor.pk,
        False,
        1,
        2,
    )


def test_verify_page_shows_anchors_and_a_cut_tail(auditor_client):
    """The page shows the newest anchor; rows deleted after it are reported from the anchors."""
    from shequ.core.audit_anchor import append_anchor

    _write(4)
    append_anchor()
    page = auditor_client.get(reverse("core:audit_verify"))
    assert page.context["anchors"].ok and not page.context["anchors"].stale
    assert "尚无锚定记录" not in page.content.decode()
    drop_guards()
    AuditRecord.objects.filter(seq=4).delete()
    body = auditor_client.post(reverse("core:audit_verify")).content.decode()
    assert "审计链已断开" in body
    assert "rows missing at the end: anchors reach seq 4, the table ends at seq 3" in body


def test_verify_reports_deleted_row(auditor_client):
    """A deleted sealed row leaves a gap: the row after it is named."""
    _write(4)
    audit.seal_pending()
    drop_guards()
    AuditRecord.objects.filter(seq=2).delete()
    result = auditor_client.post(reverse("core:audit_verify")).context["result"]
    assert (result.ok, result.checked, result.first_bad_seq) == (False, 1, 3)
    assert result.problem == "sequence gap: expected 2, found 3 (a row was deleted)"


# --- denials --------------------------------------------------------------------------------------

DENIED = [
    ("security_admin", "district"),
    ("system_admin", "district"),
    ("district_officer", "district"),
    ("community_worker", "c1"),
]
PAGES = [("get", "core:audit_list"), ("get", "core:audit_verify"), ("post", "core:audit_verify")]


def _state():
    return list(AuditRecord.objects.order_by("id").values_list("id", "action", "seq", "hash"))


@pytest.mark.parametrize(("method", "name"), PAGES, ids=["list", "verify-get", "verify-post"])
@pytest.mark.parametrize(("role", "node"), DENIED, ids=[r for r, _ in DENIED])
def test_audit_pages_are_404_for_non_auditors(client, tree, role, node, method, name):
    """Anyone but an auditor gets 404; a POST neither seals the chain nor writes a record."""
    _write(2)
    client.force_login(staff(role, tree[node]))
    before = _state()
    response = getattr(client, method)(reverse(name), {"actor": "tester"} if method == "get" else {})
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize(("method", "name"), PAGES, ids=["list", "verify-get", "verify-post"])
def test_audit_pages_send_anonymous_to_login(client, method, name):
    """Anonymous visitors are redirected to the login page."""
    _write(1)
    before = _state()
    response = getattr(client, method)(reverse(name))
    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={reverse(name)}")
    assert _state() == before
