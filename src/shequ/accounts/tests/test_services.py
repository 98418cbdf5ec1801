"""Account management services: roles, separation of duties, handover, permission denials change nothing."""

import pytest
from django.core.exceptions import ValidationError

from shequ.accounts import services
from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def secadmin(tree):
    return staff("security_admin", tree["district"], username="sec")


def test_user_create_gives_temporary_password_and_audits(secadmin, tree):
    """A new account gets one role, must change its password, and the creation is audited."""
    user, temp = services.user_create(
        actor=secadmin, username="li.wei", display_name="李伟", role="grid_worker", area=tree["g11"]
    )
    assert user.must_change_password and user.check_password(temp)
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "area__code")) == [
        ("grid_worker", tree["g11"].code)
    ]
    assert AuditRecord.objects.filter(action="accounts.user_created", object_id=str(user.public_id)).exists()


def test_role_at_wrong_level_is_refused(secadmin, tree):
    """A grid worker cannot be assigned to a community."""
    user = staff("grid_worker", tree["g11"])
    with pytest.raises(ValidationError, match="不能分配"):
        services.assignment_add(actor=secadmin, user=user, role="grid_worker", area=tree["c1"])
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_separated_admin_roles_cannot_be_combined(tree):
    """An auditor cannot also become system admin (等保 三员分立)."""
    admin = staff("security_admin", tree["city"], username="cityadmin")
    auditor = staff("auditor", tree["district"])
    with pytest.raises(ValidationError, match="不能由同一账号兼任"):
        services.assignment_add(actor=admin, user=auditor, role="system_admin", area=tree["district"])
    assert list(RoleAssignment.objects.filter(user=auditor).values_list("role", flat=True)) == ["auditor"]


@pytest.mark.parametrize("role", ["community_worker", "district_officer", "auditor", "system_admin"])
def test_only_security_admin_manages_accounts(tree, role):
    """Any other role is denied and nothing changes."""
    area = tree["district"] if role != "community_worker" else tree["c1"]
    actor = staff(role, area)
    victim = staff("grid_worker", tree["g11"])
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=actor, user=victim, reason="x")
    with pytest.raises(PermissionDenied):
        services.assignment_add(actor=actor, user=victim, role="grid_worker", area=tree["g12"])
    victim.refresh_from_db()
    assert victim.is_active and RoleAssignment.objects.filter(user=victim).count() == 1


def test_security_admin_cannot_manage_self(secadmin):
    """A security admin cannot deactivate or re-role their own account."""
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=secadmin, user=secadmin, reason="x")


def test_street_security_admin_cannot_assign_outside_street(tree):
    """Assignments must lie in the admin's subtree."""
    admin = staff("security_admin", tree["district"], username="d-admin")
    street_admin = staff("security_admin", tree["s1"], username="s-admin")
    user = staff("grid_worker", tree["g11"])
    services.assignment_add(actor=street_admin, user=user, role="grid_worker", area=tree["g12"])
    with pytest.raises(PermissionDenied):
        services.assignment_add(actor=street_admin, user=user, role="community_worker", area=tree["c2"])
    assert admin  # the district admin exists but is not the actor


def test_handover_moves_assignments_and_deactivates(secadmin, tree):
    """Handover moves every assignment to the successor in one step and ends the predecessor's access."""
    old = staff("community_worker", tree["c1"], username="old")
    RoleAssignment.objects.create(user=old, role="community_secretary", area=tree["c1"])
    new = staff("grid_worker", tree["g11"], username="new")
    counts = services.staff_handover(actor=secadmin, from_user=old, to_user=new, deactivate=True, reason="调岗")
    assert counts["accounts.assignments"] == 2
    assert set(RoleAssignment.objects.filter(user=new).values_list("role", flat=True)) == {
        "grid_worker",
        "community_worker",
        "community_secretary",
    }
    assert not RoleAssignment.objects.filter(user=old).exists()
    old.refresh_from_db()
    assert not old.is_active
    assert AuditRecord.objects.filter(action="accounts.handover").count() == 1


def test_handover_is_all_or_nothing(secadmin, tree):
    """If one assignment cannot move (successor is an auditor), nothing moves."""
    old = staff("system_admin", tree["district"], username="old-admin")
    RoleAssignment.objects.create(user=old, role="district_officer", area=tree["district"])
    auditor = staff("auditor", tree["district"], username="aud")
    with pytest.raises(ValidationError):
        services.staff_handover(actor=secadmin, from_user=old, to_user=auditor, deactivate=True, reason="x")
    assert RoleAssignment.objects.filter(user=old).count() == 2
    assert list(RoleAssignment.objects.filter(user=auditor).values_list("role", flat=True)) == ["auditor"]
    old.refresh_from_db()
    assert old.is_active


def test_roleless_account_stays_with_the_admins_of_its_home_area(tree):
    """After a handover empties an account, only security admins over the area it served may manage it."""
    s1_admin = staff("security_admin", tree["s1"], username="s1-admin")
    s2_admin = staff("security_admin", tree["s2"], username="s2-admin")
    old = staff("community_worker", tree["c1"], username="old")
    new = staff("community_worker", tree["c1"], username="new")
    services.staff_handover(actor=s1_admin, from_user=old, to_user=new, deactivate=True, reason="调岗")
    old.refresh_from_db()
    assert old.home_area_id == tree["c1"].pk
    with pytest.raises(PermissionDenied):
        services.user_reactivate(actor=s2_admin, user=old)
    services.user_reactivate(actor=s1_admin, user=old)
    old.refresh_from_db()
    assert old.is_active


def test_a_known_second_factor_is_installed_only_by_the_demo_loader(secadmin, tree):
    """No person and no job but the demo loader may give an account a TOTP secret someone else knows."""
    from shequ.core.actors import COMMAND_LINE, DEMO_LOADER

    target = staff("auditor", tree["district"])
    for actor in (secadmin, COMMAND_LINE, None):
        with pytest.raises(PermissionDenied):
            services.totp_set_secret(actor=actor, user=target, secret="JBSWY3DPEHPK3PXP")
        target.refresh_from_db()
        assert not target.totp_enabled and not target.totp_secret_encrypted
    services.totp_set_secret(actor=DEMO_LOADER, user=target, secret="JBSWY3DPEHPK3PXP")
    target.refresh_from_db()
    assert target.totp_enabled and services.totp_secret_of(target) == "JBSWY3DPEHPK3PXP"


def test_own_account_services_refuse_another_account_and_jobs(secadmin, tree):
    """Logging out everywhere, enrolling a second factor and issuing a token are for one's own account only."""
    from shequ.accounts.models import ApiToken
    from shequ.core.actors import COMMAND_LINE

    other = staff("grid_worker", tree["g11"])
    with pytest.raises(PermissionDenied):
        services.sessions_end_everywhere(actor=secadmin, user=other)
    for call in (
        lambda: services.token_issue(actor=COMMAND_LINE),
        lambda: services.totp_begin_enrolment(actor=COMMAND_LINE),
        lambda: services.session_register(actor=None, session_key="k", ip="10.0.0.1", user_agent="x"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not ApiToken.objects.exists()
    written = AuditRecord.objects.filter(action__in=["accounts.logged_out_everywhere", "accounts.token_issued"])
    assert not written.exists()
