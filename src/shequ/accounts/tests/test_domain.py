"""Role rules without a database."""

import pytest

from shequ.accounts.domain import (
    ROLE_SPECS,
    SEPARATED_ADMIN_ROLES,
    Role,
    level_allowed,
    requires_second_factor,
    separation_conflict,
)


@pytest.mark.parametrize("existing", sorted(SEPARATED_ADMIN_ROLES))
@pytest.mark.parametrize("new", sorted(SEPARATED_ADMIN_ROLES))
def test_separated_admin_roles_never_combine(existing, new):
    """System admin, security admin and auditor exclude each other; the same role twice is no conflict."""
    assert separation_conflict({existing}, new) == (None if existing == new else existing)


def test_ordinary_roles_combine_freely():
    """A community worker may also be a community secretary."""
    assert separation_conflict({"community_worker"}, "community_secretary") is None
    assert separation_conflict({"auditor"}, "community_worker") is None


def test_second_factor_required_for_admin_roles_only():
    """TOTP is mandatory exactly for the three separated admin roles."""
    for role in Role:
        assert requires_second_factor({role.value}) == (role in SEPARATED_ADMIN_ROLES)


@pytest.mark.parametrize(
    ("role", "level", "ok"),
    [
        ("micro_grid_worker", "micro_grid", True),
        ("micro_grid_worker", "grid", False),
        ("grid_worker", "grid", True),
        ("community_worker", "community", True),
        ("community_worker", "street", False),
        ("street_officer", "street", True),
        ("district_officer", "district", True),
        ("auditor", "community", False),
    ],
)
def test_levels(role, level, ok):
    """Each role sits at the levels it is meant for."""
    assert level_allowed(role, level) is ok


def test_every_role_has_a_label():
    assert all(str(spec.label) for spec in ROLE_SPECS.values())
