"""Account pages: the security admin's user management, and every user's security and password pages.

Every management page answers 404 to anyone but a security admin (and to a security admin for an account
outside their subtree); a denied request changes nothing.
"""

import datetime as dt
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from shequ.accounts import services
from shequ.accounts.models import ApiToken, RoleAssignment, User, UserSession
from shequ.accounts.tests.factories import PASSWORD, UserFactory, staff
from shequ.core.actors import DEMO_LOADER
from shequ.core.models import AuditRecord
from shequ.territory.models import Area
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
REQUIRED = "该字段是必填项。"
OUT_OF_SCOPE = "辖区代码不存在或不在您的管理范围内"


@pytest.fixture
def tree():
    t = make_tree()
    # A second district under the same city: outside the district security admin's subtree.
    t["other_district"] = Area.objects.create(
        parent=t["city"], level="district", code="510104000000", name="锦江区", is_official_code=True
    )
    t["other_street"] = Area.objects.create(
        parent=t["other_district"], level="street", code="510104020000", name="春熙路街道", is_official_code=True
    )
    t["other_community"] = Area.objects.create(
        parent=t["other_street"], level="community", code="510104020001", name="和平社区", is_official_code=True
    )
    return t


@pytest.fixture
def secadmin(tree):
    return staff("security_admin", tree["district"], username="sec")


@pytest.fixture
def admin_client(client, secadmin):
    client.force_login(secadmin)
    return client


def _audit(action):
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


def _assignments(user):
    return sorted(RoleAssignment.objects.filter(user=user).values_list("role", "area__code"))


def _open_session(user):
    """Log `user` in on a second client and register the session, as the login view does; issue a token."""
    other = Client()
    other.force_login(user)
    services.session_register(actor=user, session_key=other.session.session_key, ip="10.0.0.8", user_agent="pytest")
    services.token_issue(actor=user)
    return other


# --- user list ------------------------------------------------------------------------------------


@pytest.fixture
def population(tree, secadmin):
    staff("grid_worker", tree["g11"], username="wang.wei", display_name="王伟")
    staff("community_worker", tree["c1"], username="wang.fang", display_name="王芳")
    staff("community_worker", tree["c2"], username="li.na", display_name="李娜")
    UserFactory(username="zhao.lei", display_name="赵磊", home_area=tree["c1"])
    UserFactory(username="no.home", display_name="无归属")
    staff("community_worker", tree["other_community"], username="outsider", display_name="王五")


def _listed(response):
    return [u.username for u in response.context["page"].object_list]


def test_user_list_shows_accounts_in_scope_and_unassigned(admin_client, population):
    """The list holds accounts with an assignment in the admin's subtree, or without roles but with a home area
    there, ordered by username; a roleless account with no home area belongs to no security admin."""
    response = admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert _listed(response) == ["li.na", "sec", "wang.fang", "wang.wei", "zhao.lei"]


def test_user_list_search_matches_username_and_name(admin_client, population):
    """`q` matches username or display name, case-insensitively; accounts outside scope never match."""
    assert _listed(admin_client.get(reverse("accounts:user_list"), {"q": "王"})) == ["wang.fang", "wang.wei"]
    assert _listed(admin_client.get(reverse("accounts:user_list"), {"q": "WANG.F"})) == ["wang.fang"]
    assert _listed(admin_client.get(reverse("accounts:user_list"), {"q": "outsider"})) == []


def test_user_list_role_and_status_filters(admin_client, population):
    """`role` keeps holders of that role; `active=0` keeps deactivated accounts only."""
    url = reverse("accounts:user_list")
    assert _listed(admin_client.get(url, {"role": "community_worker"})) == ["li.na", "wang.fang"]
    assert _listed(admin_client.get(url, {"role": "grid_worker", "q": "wang"})) == ["wang.wei"]
    User.objects.filter(username="li.na").update(is_active=False)
    assert _listed(admin_client.get(url, {"active": "0"})) == ["li.na"]
    assert _listed(admin_client.get(url, {"active": "1", "role": "community_worker"})) == ["wang.fang"]


def test_user_list_paginates_by_25_and_keeps_filters(admin_client, secadmin, tree):
    """61 accounts make pages of 25, 25 and 11; an out-of-range page shows the last; links keep the filter."""
    for i in range(60):
        UserFactory(username=f"u{i:02d}", home_area=tree["c1"])
    url = reverse("accounts:user_list")
    first = admin_client.get(url)
    assert (first.context["page"].paginator.count, first.context["page"].paginator.num_pages) == (61, 3)
    assert len(first.context["page"].object_list) == 25
    third = admin_client.get(url, {"page": "3"})
    assert _listed(third) == [f"u{i:02d}" for i in range(49, 60)]
    assert _listed(admin_client.get(url, {"page": "99"})) == _listed(third)
    filtered = admin_client.get(url, {"q": "u", "page": "1"})
    assert filtered.context["page"].paginator.count == 60
    assert 'href="?q=u&amp;page=2"' in filtered.content.decode()


# --- create ---------------------------------------------------------------------------------------


def test_create_user_shows_temporary_password_once_and_audits(admin_client, secadmin, tree):
    """Creating an account shows its temporary password, stores one role, and records who created it."""
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "li.wei",
            "display_name": "李伟",
            "unit_name": "浆洗街街道",
            "role": "grid_worker",
            "area_code": tree["g11"].code,
        },
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "accounts/temp_password.html"
    temp = response.context["temp"]
    assert len(temp) == 16 and temp in response.content.decode()
    user = User.objects.get(username="li.wei")
    assert (user.display_name, user.unit_name, user.must_change_password, user.is_active) == (
        "李伟",
        "浆洗街街道",
        True,
        True,
    )
    assert user.check_password(temp)
    assert _assignments(user) == [("grid_worker", tree["g11"].code)]
    assert RoleAssignment.objects.get(user=user).granted_by == secadmin
    [entry] = _audit("accounts.user_created")
    assert (entry.actor_id, entry.actor_label, entry.object_type, entry.object_id, entry.ip) == (
        secadmin.pk,
        "sec",
        "accounts.user",
        str(user.public_id),
        "127.0.0.1",
    )
    assert entry.after == {
        "username": "li.wei",
        "display_name": "李伟",
        "role": "grid_worker",
        "area": "510107001002-01",
    }


def test_new_account_must_change_temporary_password_at_first_login(admin_client, tree):
    """The temporary password logs in, and the first page is the password change."""
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "li.wei", "display_name": "李伟", "role": "grid_worker", "area_code": tree["g11"].code},
    )
    newcomer = Client()
    login = newcomer.post(reverse("accounts:login"), {"username": "li.wei", "password": response.context["temp"]})
    assert (login.status_code, login.url) == (302, reverse("accounts:password_change"))
    home = newcomer.get(reverse("web:home"))
    assert (home.status_code, home.url) == (302, reverse("accounts:password_change"))


@pytest.mark.parametrize(
    ("code_key", "code"),
    [("other_community", None), (None, "510107999999")],
    ids=["outside-scope", "unknown-code"],
)
def test_create_user_outside_scope_is_form_error(admin_client, tree, code_key, code):
    """An area code outside the admin's subtree (or unknown) is a form error; no account is created."""
    users_before = User.objects.count()
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "li.wei",
            "display_name": "李伟",
            "role": "community_worker",
            "area_code": tree[code_key].code if code_key else code,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"area_code": [OUT_OF_SCOPE]}
    assert User.objects.count() == users_before
    assert not User.objects.filter(username="li.wei").exists()
    assert _audit("accounts.user_created") == []


def test_create_user_role_at_wrong_level_creates_nothing(admin_client, tree):
    """A grid worker at a community is refused with the level rule; the half-made account is rolled back."""
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "li.wei", "display_name": "李伟", "role": "grid_worker", "area_code": tree["c1"].code},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["角色“网格员”不能分配在“社区（村）”层级"]
    assert not User.objects.filter(username="li.wei").exists()
    assert _audit("accounts.user_created") == []


def test_create_user_duplicate_username_is_form_error(admin_client, tree):
    """A username already taken (in any case) is refused on the username field."""
    staff("grid_worker", tree["g11"], username="li.wei")
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "LI.WEI", "display_name": "李伟", "role": "grid_worker", "area_code": tree["g12"].code},
    )
    assert response.context["form"].errors == {"username": ["该用户名已被使用"]}
    assert User.objects.filter(username__iexact="li.wei").count() == 1


# --- assignments ----------------------------------------------------------------------------------


@pytest.fixture
def victim(tree):
    return staff("grid_worker", tree["g11"], username="wang.wei", display_name="王伟")


def _detail(user):
    return reverse("accounts:user_detail", args=[user.public_id])


def test_user_detail_page(admin_client, victim, tree):
    """The detail page shows the account and its assignments."""
    response = admin_client.get(_detail(victim))
    assert response.status_code == 200
    assert response.context["account"] == victim
    assert [(a.role, a.area.code) for a in response.context["assignments"]] == [("grid_worker", tree["g11"].code)]
    assert response.context["is_self"] is False


def test_add_assignment_through_form(admin_client, secadmin, victim, tree):
    """Assigning a role in scope adds it, redirects to the detail page and is audited."""
    response = admin_client.post(
        _detail(victim), {"op": "assign", "role": "grid_worker", "area_code": tree["g12"].code}
    )
    assert (response.status_code, response.url) == (302, _detail(victim))
    assert _assignments(victim) == [("grid_worker", tree["g11"].code), ("grid_worker", tree["g12"].code)]
    [entry] = _audit("accounts.role_assigned")
    assert (entry.actor_id, entry.object_id, entry.after) == (
        secadmin.pk,
        str(victim.public_id),
        {"role": "grid_worker", "area": "510107001002-02"},
    )


def test_add_assignment_outside_scope_is_form_error(admin_client, victim, tree):
    """An area code outside the admin's subtree is a form error on the assignment form; nothing changes."""
    response = admin_client.post(
        _detail(victim), {"op": "assign", "role": "community_worker", "area_code": tree["other_community"].code}
    )
    assert response.status_code == 200
    assert response.context["assignment_form"].errors == {"area_code": [OUT_OF_SCOPE]}
    assert _assignments(victim) == [("grid_worker", tree["g11"].code)]
    assert _audit("accounts.role_assigned") == []


def test_add_duplicate_assignment_is_form_error(admin_client, victim, tree):
    """Assigning a role the account already holds is refused on the role field."""
    response = admin_client.post(
        _detail(victim), {"op": "assign", "role": "grid_worker", "area_code": tree["g11"].code}
    )
    assert response.status_code == 200
    assert response.context["assignment_form"].errors == {"role": ["该账号已有此角色"]}
    assert _assignments(victim) == [("grid_worker", tree["g11"].code)]


def test_remove_assignment_through_form(admin_client, secadmin, victim, tree):
    """Withdrawing an assignment deletes it, redirects, and records what was removed."""
    extra = RoleAssignment.objects.create(user=victim, role="grid_worker", area=tree["g12"])
    response = admin_client.post(_detail(victim), {"op": "unassign", "assignment": str(extra.public_id)})
    assert (response.status_code, response.url) == (302, _detail(victim))
    assert _assignments(victim) == [("grid_worker", tree["g11"].code)]
    [entry] = _audit("accounts.role_removed")
    assert (entry.actor_id, entry.object_id, entry.before) == (
        secadmin.pk,
        str(victim.public_id),
        {"role": "grid_worker", "area": "510107001002-02"},
    )


def test_remove_unknown_assignment_is_404(admin_client, victim, tree):
    """An assignment id that is not this account's answers 404 and removes nothing."""
    other = staff("community_worker", tree["c1"])
    foreign = RoleAssignment.objects.get(user=other)
    for assignment in (str(uuid.uuid4()), str(foreign.public_id)):
        response = admin_client.post(_detail(victim), {"op": "unassign", "assignment": assignment})
        assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=foreign.pk).exists()
    assert _assignments(victim) == [("grid_worker", tree["g11"].code)]


# --- unlock, resets -------------------------------------------------------------------------------


def test_unlock(admin_client, victim, clock):
    """Unlocking clears the lock and the failure count, and is audited."""
    User.objects.filter(pk=victim.pk).update(locked_until=clock.now + dt.timedelta(minutes=10), failed_login_count=2)
    response = admin_client.post(_detail(victim), {"op": "unlock"})
    assert (response.status_code, response.url) == (302, _detail(victim))
    victim.refresh_from_db()
    assert (victim.locked_until, victim.failed_login_count) == (None, 0)
    assert [e.object_id for e in _audit("accounts.user_unlocked")] == [str(victim.public_id)]


def test_reset_password_shows_temporary_password_and_ends_access(admin_client, victim):
    """A reset shows a new temporary password once, invalidates the old one, ends sessions and tokens."""
    victim_client = _open_session(victim)
    response = admin_client.post(_detail(victim), {"op": "reset_password"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "accounts/temp_password.html"
    temp = response.context["temp"]
    assert temp in response.content.decode()
    victim.refresh_from_db()
    assert victim.check_password(temp) and not victim.check_password(PASSWORD)
    assert victim.must_change_password is True
    assert (UserSession.objects.filter(user=victim).count(), ApiToken.objects.filter(user=victim).count()) == (0, 0)
    assert victim_client.get(reverse("web:home")).status_code == 302
    assert [e.object_id for e in _audit("accounts.password_reset")] == [str(victim.public_id)]


def test_reset_second_factor(admin_client, victim):
    """Resetting 2FA removes the secret and switches the factor off; audited."""
    services.totp_set_secret(actor=DEMO_LOADER, user=victim, secret=SECRET)
    response = admin_client.post(_detail(victim), {"op": "reset_totp"})
    assert (response.status_code, response.url) == (302, _detail(victim))
    victim.refresh_from_db()
    assert (victim.totp_enabled, victim.totp_secret_encrypted, victim.totp_last_counter) == (False, "", 0)
    assert [e.object_id for e in _audit("accounts.totp_reset")] == [str(victim.public_id)]


def test_security_admin_cannot_reset_own_password(admin_client, secadmin):
    """Managing one's own account through these pages is refused (404) and changes nothing."""
    password = secadmin.password
    response = admin_client.post(_detail(secadmin), {"op": "reset_password"})
    assert response.status_code == 404
    secadmin.refresh_from_db()
    assert (secadmin.password, secadmin.must_change_password) == (password, False)
    assert _audit("accounts.password_reset") == []


# --- deactivate -----------------------------------------------------------------------------------


def test_deactivate_confirm_page_then_post(admin_client, secadmin, victim, clock):
    """GET shows the confirmation; POST with a reason deactivates, ends sessions and tokens, and is audited."""
    victim_client = _open_session(victim)
    url = reverse("accounts:user_deactivate", args=[victim.public_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "accounts/confirm_deactivate.html"
    assert User.objects.get(pk=victim.pk).is_active is True
    response = admin_client.post(url, {"reason": "离职"})
    assert (response.status_code, response.url) == (302, _detail(victim))
    victim.refresh_from_db()
    assert (victim.is_active, victim.deactivation_reason, victim.deactivated_at) == (False, "离职", clock.now)
    assert (UserSession.objects.filter(user=victim).count(), ApiToken.objects.filter(user=victim).count()) == (0, 0)
    assert victim_client.get(reverse("web:home")).status_code == 302
    [entry] = _audit("accounts.user_deactivated")
    assert (entry.actor_id, entry.object_id, entry.after) == (
        secadmin.pk,
        str(victim.public_id),
        {"reason": "离职", "sessions_ended": 1, "tokens_revoked": 1},
    )
    messages = [str(m) for m in admin_client.get(_detail(victim)).context["messages"]]
    assert messages == ["账号已停用，结束会话 1 个，吊销令牌 1 个"]


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_deactivate_without_reason_is_refused(admin_client, victim, reason):
    """An empty reason is a form error; the account stays active and nothing is audited."""
    response = admin_client.post(reverse("accounts:user_deactivate", args=[victim.public_id]), {"reason": reason})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": [REQUIRED]}
    victim.refresh_from_db()
    assert (victim.is_active, victim.deactivated_at, victim.deactivation_reason) == (True, None, "")
    assert _audit("accounts.user_deactivated") == []


# --- handover -------------------------------------------------------------------------------------


@pytest.fixture
def predecessor(tree):
    old = staff("community_worker", tree["c1"], username="old")
    RoleAssignment.objects.create(user=old, role="community_secretary", area=tree["c1"])
    return old


def test_handover_page_moves_assignments_and_deactivates(admin_client, secadmin, predecessor, tree):
    """The handover page lists the roles; POST moves them to the successor and deactivates the predecessor."""
    successor = staff("grid_worker", tree["g11"], username="new")
    url = reverse("accounts:user_handover", args=[predecessor.public_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert [(a.role, a.area.code) for a in page.context["assignments"]] == [
        ("community_secretary", tree["c1"].code),
        ("community_worker", tree["c1"].code),
    ]
    response = admin_client.post(url, {"to_username": "new", "reason": "调岗", "deactivate": "on"})
    assert (response.status_code, response.url) == (302, _detail(successor))
    assert _assignments(predecessor) == []
    assert _assignments(successor) == [
        ("community_secretary", tree["c1"].code),
        ("community_worker", tree["c1"].code),
        ("grid_worker", tree["g11"].code),
    ]
    predecessor.refresh_from_db()
    assert (predecessor.is_active, predecessor.deactivation_reason) == (False, "调岗")
    [entry] = _audit("accounts.handover")
    assert (entry.actor_id, entry.object_id, entry.after) == (
        secadmin.pk,
        str(predecessor.public_id),
        {"to": "new", "moved": {"accounts.assignments": 2}, "reason": "调岗"},
    )


def test_handover_without_deactivation_keeps_account_active(admin_client, predecessor, tree):
    """Unticked "deactivate": the roles move, the predecessor's account stays usable."""
    successor = staff("grid_worker", tree["g11"], username="new")
    url = reverse("accounts:user_handover", args=[predecessor.public_id])
    response = admin_client.post(url, {"to_username": "new", "reason": "调岗"})
    assert (response.status_code, response.url) == (302, _detail(successor))
    predecessor.refresh_from_db()
    assert (predecessor.is_active, _assignments(predecessor)) == (True, [])
    assert _audit("accounts.user_deactivated") == []


def test_handover_to_account_outside_scope_is_form_error(admin_client, predecessor, tree):
    """A successor the admin does not manage is reported on the form; nothing moves."""
    staff("community_worker", tree["other_community"], username="outsider")
    url = reverse("accounts:user_handover", args=[predecessor.public_id])
    for name in ("outsider", "nobody"):
        response = admin_client.post(url, {"to_username": name, "reason": "调岗", "deactivate": "on"})
        assert response.status_code == 200
        assert response.context["form"].errors == {"to_username": ["接替人账号不存在或不在您的管理范围内"]}
    assert _assignments(predecessor) == [
        ("community_secretary", tree["c1"].code),
        ("community_worker", tree["c1"].code),
    ]
    assert User.objects.get(pk=predecessor.pk).is_active is True
    assert _audit("accounts.handover") == []


# --- denials --------------------------------------------------------------------------------------


def _state():
    """Everything a management page could change."""
    users = list(
        User.objects.order_by("pk").values_list(
            "username",
            "is_active",
            "password",
            "must_change_password",
            "locked_until",
            "failed_login_count",
            "totp_enabled",
            "totp_secret_encrypted",
            "deactivation_reason",
        )
    )
    assignments = sorted(RoleAssignment.objects.values_list("user__username", "role", "area__code"))
    return {
        "users": users,
        "assignments": assignments,
        "sessions": sorted(UserSession.objects.values_list("session_key", flat=True)),
        "django_sessions": Session.objects.count(),
        "tokens": sorted(ApiToken.objects.values_list("prefix", flat=True)),
        "audit": AuditRecord.objects.count(),
    }


def _endpoints(target, successor, tree):
    detail = _detail(target)
    assignment = str(RoleAssignment.objects.get(user=target).public_id)
    create = {"username": "li.wei", "display_name": "李伟", "role": "grid_worker", "area_code": tree["g12"].code}
    deactivate = reverse("accounts:user_deactivate", args=[target.public_id])
    handover = reverse("accounts:user_handover", args=[target.public_id])
    return {
        "list": ("get", reverse("accounts:user_list"), {}),
        "list-filtered": ("get", reverse("accounts:user_list"), {"q": "wang", "role": "grid_worker", "page": "2"}),
        "create-form": ("get", reverse("accounts:user_create"), {}),
        "create": ("post", reverse("accounts:user_create"), create),
        "detail": ("get", detail, {}),
        "assign": ("post", detail, {"op": "assign", "role": "grid_worker", "area_code": tree["g12"].code}),
        "unassign": ("post", detail, {"op": "unassign", "assignment": assignment}),
        "unlock": ("post", detail, {"op": "unlock"}),
        "reset-password": ("post", detail, {"op": "reset_password"}),
        "reset-totp": ("post", detail, {"op": "reset_totp"}),
        "reactivate": ("post", detail, {"op": "reactivate"}),
        "deactivate-form": ("get", deactivate, {}),
        "deactivate": ("post", deactivate, {"reason": "离职"}),
        "handover-form": ("get", handover, {}),
        "handover": ("post", handover, {"to_username": successor.username, "reason": "调岗", "deactivate": "on"}),
    }


ENDPOINT_NAMES = [
    "list",
    "list-filtered",
    "create-form",
    "create",
    "detail",
    "assign",
    "unassign",
    "unlock",
    "reset-password",
    "reset-totp",
    "reactivate",
    "deactivate-form",
    "deactivate",
    "handover-form",
    "handover",
]
DENIED_ROLES = [("community_worker", "c1"), ("auditor", "district"), ("system_admin", "district")]


@pytest.fixture
def targets(tree, clock):
    """A locked account with a second factor, a session and a token, and a would-be successor."""
    target = staff("grid_worker", tree["g11"], username="wang.wei")
    User.objects.filter(pk=target.pk).update(locked_until=clock.now + dt.timedelta(minutes=10), failed_login_count=2)
    services.totp_set_secret(actor=DEMO_LOADER, user=target, secret=SECRET)
    _open_session(target)
    successor = staff("grid_worker", tree["g12"], username="new")
    return User.objects.get(pk=target.pk), successor


@pytest.mark.parametrize("endpoint", ENDPOINT_NAMES)
@pytest.mark.parametrize(("role", "node"), DENIED_ROLES, ids=[r for r, _ in DENIED_ROLES])
def test_management_pages_are_404_for_other_roles(client, tree, targets, role, node, endpoint):
    """Community workers, auditors and system admins get 404 on every management page; nothing changes."""
    target, successor = targets
    actor = staff(role, tree[node], username=f"actor-{role}")
    method, url, data = _endpoints(target, successor, tree)[endpoint]
    client.force_login(actor)
    before = _state()
    response = getattr(client, method)(url, data)
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("endpoint", ["detail", "unlock", "reset-password", "deactivate", "handover"])
def test_security_admin_of_another_district_gets_404(client, tree, targets, endpoint):
    """A security admin of another district cannot see or manage this district's accounts."""
    target, successor = targets
    other_admin = staff("security_admin", tree["other_district"], username="sec-jinjiang")
    method, url, data = _endpoints(target, successor, tree)[endpoint]
    client.force_login(other_admin)
    before = _state()
    assert getattr(client, method)(url, data).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("endpoint", ["list", "create", "detail", "deactivate", "handover"])
def test_management_pages_send_anonymous_to_login(client, tree, targets, endpoint):
    """Anonymous visitors are redirected to the login page; nothing changes."""
    target, successor = targets
    method, url, data = _endpoints(target, successor, tree)[endpoint]
    before = _state()
    response = getattr(client, method)(url, data)
    assert (response.status_code, response.url) == (302, f"{reverse('accounts:login')}?next={url}")
    assert _state() == before


# --- own security ---------------------------------------------------------------------------------


@pytest.fixture
def worker(tree):
    return staff("community_worker", tree["c1"], username="worker", display_name="张敏", unit_name="洗面桥社区")


def test_security_page_for_ordinary_user(client, worker):
    """After a password login the security page shows the account, 2FA off but not required, and the session."""
    client.post(reverse("accounts:login"), {"username": "worker", "password": PASSWORD})
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 200
    assert response.context["required"] is False
    assert [(s.user_id, s.ip) for s in response.context["sessions"]] == [(worker.pk, "127.0.0.1")]
    body = response.content.decode()
    assert "张敏" in body and "洗面桥社区" in body and "未启用" in body


def test_security_page_flags_required_second_factor(client, secadmin):
    """A security admin without TOTP is told that the second factor is required."""
    client.force_login(secadmin)
    response = client.get(reverse("accounts:security"))
    assert (response.status_code, response.context["required"]) == (200, True)
    assert "您的角色必须启用双因素认证" in response.content.decode()


def test_security_page_requires_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get(reverse("accounts:security"))
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/accounts/security/")


def test_password_change_page(client, worker, clock):
    """A user changes their own password: the session survives, the change is audited."""
    client.force_login(worker)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    new = "Neu-Kennwort-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": new, "new_password2": new},
    )
    assert (response.status_code, response.url) == (302, reverse("web:home"))
    worker.refresh_from_db()
    assert worker.check_password(new) and not worker.check_password(PASSWORD)
    assert (worker.must_change_password, worker.password_changed_at) == (False, clock.now)
    assert client.get(reverse("web:home")).status_code == 200
    assert [(e.actor_id, e.object_id) for e in _audit("accounts.password_changed")] == [
        (worker.pk, str(worker.public_id))
    ]


@pytest.mark.parametrize(
    ("old", "new", "new2", "errors"),
    [
        ("wrong-Passw0rd", "Neu-Kennwort-2026", "Neu-Kennwort-2026", {"old_password": ["原密码不正确"]}),
        (PASSWORD, "Neu-Kennwort-2026", "Neu-Kennwort-2027", {"new_password2": ["两次输入的新密码不一致"]}),
        (PASSWORD, PASSWORD, PASSWORD, {"new_password": ["新密码不能与原密码相同"]}),
        (
            PASSWORD,
            "abcdefghijk",
            "abcdefghijk",
            {"new_password": ["密码须包含大写字母、小写字母、数字、符号中的至少三类。"]},
        ),
    ],
    ids=["wrong-old", "mismatch", "same", "too-simple"],
)
def test_password_change_refusals(client, worker, old, new, new2, errors):
    """Each refusal is shown on its field; the password stays as it was and nothing is audited."""
    client.force_login(worker)
    response = client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password": new, "new_password2": new2}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert _audit("accounts.password_changed") == []
