"""The demo district: real 武侯区 divisions, generated places and one staff account per role and level.

Loading takes several seconds, so one test loads it once and checks everything.
"""

import csv
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The web layer reaches models only through services (import-linter); this data check reads them via the registry.
User = apps.get_model("accounts", "User")
RoleAssignment = apps.get_model("accounts", "RoleAssignment")
AuditRecord = apps.get_model("core", "AuditRecord")
Area, Building, Compound, Dwelling = (
    apps.get_model("territory", m) for m in ("Area", "Building", "Compound", "Dwelling")
)
DEMO_PASSWORD = "shequ-demo-2026"
STAFF_ROLES = {
    "micro_grid_worker",
    "grid_worker",
    "community_worker",
    "community_secretary",
    "street_officer",
    "district_officer",
    "department_officer",
    "org_staff",
    "party_organiser",
    "auditor",
    "security_admin",
    "system_admin",
}
ADMINS = {"auditor1", "secadmin1", "sysadmin1"}
CODE_BY_ROLE = {
    "micro_grid_worker": re.compile(r"^\d{12}-\d{2}-\d{2}$"),
    "grid_worker": re.compile(r"^\d{12}-\d{2}$"),
}
OFFICIAL_CODE = re.compile(r"^\d{12}$")


def _counts():
    return {
        "areas": Area.objects.count(),
        "compounds": Compound.objects.count(),
        "buildings": Building.objects.count(),
        "dwellings": Dwelling.objects.count(),
        "users": User.objects.count(),
        "assignments": RoleAssignment.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


def test_demo_district():
    """`demo` loads 武侯区 (17 streets, 128 communities) with 30–100 households per micro-grid, buildings placed in
    their own community, every staff role, a CSV account list, TOTP on the three admins; it refuses a second load.
    """
    out = io.StringIO()
    call_command("demo", stdout=out)
    staff_count = User.objects.count()
    assert re.fullmatch(rf"demo loaded in \d+\.\ds: {staff_count} staff accounts\n", out.getvalue())

    # Territory: the real district with its official divisions.
    district = Area.objects.get(code="510107000000")
    assert (district.name, district.level, district.parent.code) == ("武侯区", "district", "510100000000")
    assert Area.objects.filter(parent=district, level="street").count() == 17
    assert Area.objects.filter(path__startswith=district.path, level="community").count() == 128
    assert not Area.objects.filter(level="community").annotate(n=Count("children")).filter(n=0).exists()

    # Every micro-grid holds 30-100 households.
    households = dict(
        Area.objects.filter(level="micro_grid").annotate(n=Count("buildings__dwellings")).values_list("code", "n")
    )
    assert households and {code: n for code, n in households.items() if not 30 <= n <= 100} == {}

    # Micro-grid boundaries never overlap, city-wide, in the stored GCJ-02 or the WGS-84 lookup copy; neither do
    # the grids of one community. Shared edges are fine (and plentiful).
    from shequ.territory.spatial import find_overlaps

    for field in ("geometry", "geometry_wgs84"):
        micro = list(Area.objects.filter(level="micro_grid").order_by("code").values_list("code", field))
        assert len(micro) == len(households) and all(g is not None for _, g in micro)
        assert find_overlaps(micro) == []
        grids = Area.objects.filter(level="grid").order_by("code").values_list("parent_id", "code", field)
        by_community: dict[int, list] = {}
        for parent_id, code, geometry in grids:
            by_community.setdefault(parent_id, []).append((code, geometry))
        assert [o for items in by_community.values() for o in find_overlaps(items)] == []

    # Every building sits in a micro-grid of its own compound's community.
    placements = Building.objects.values_list("micro_grid__level", "micro_grid__path", "compound__community__path")
    misplaced = [p for p in placements if p[0] != "micro_grid" or not p[1].startswith(p[2])]
    assert placements.count() > 0 and misplaced == []

    # Every staff role appears; the three admins (and only they) have TOTP switched on.
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == STAFF_ROLES
    admins = dict(
        RoleAssignment.objects.filter(role__in=["auditor", "security_admin", "system_admin"]).values_list(
            "user__username", "role"
        )
    )
    assert admins == {"auditor1": "auditor", "secadmin1": "security_admin", "sysadmin1": "system_admin"}
    assert set(User.objects.filter(totp_enabled=True).values_list("username", flat=True)) == ADMINS

    # Department and organisation accounts belong to units, which hold dispatched cases with helpers.
    from shequ.cases.models import Case, CaseAssignment, CaseRequest

    assert RoleAssignment.objects.get(user__username="dept1").unit.name == "武侯区住房和城乡建设局"
    assert RoleAssignment.objects.get(user__username="org1").unit.kind == "property_company"
    assert Case.objects.filter(holder_unit__isnull=False).count() >= 5
    assert CaseAssignment.objects.filter(role="helper", active=True, unit__isnull=False).exists()
    assert set(CaseRequest.objects.values_list("status", flat=True)) >= {"pending", "approved"}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses >= {
        "submitted",
        "accepted",
        "dispatched",
        "in_progress",
        "resolved",
        "closed",
        "merged",
        "suspended",
    }
    assert Case.objects.filter(malicious_status="proposed").exists()
    assert Case.objects.filter(supervised=True).exists()
    # Hotline messages the classifier cannot place wait in 待分拣, so the triage queue has work to show.
    assert Case.objects.filter(needs_triage=True, channel="hotline").count() >= 3
    from shequ.analysis.hotspots import hotspots_for

    assert any("噪音" in h.message for h in hotspots_for(User.objects.get(username="community1")))
    # Every street has cases, and cases that arrived today: each leader sees a living district.
    from django.utils import timezone

    streets = Area.objects.filter(level="street")
    with_cases = set(Case.objects.values_list("community__parent", flat=True))
    today = set(
        Case.objects.filter(submitted_at__date=timezone.localdate()).values_list("community__parent", flat=True)
    )
    assert set(streets.values_list("pk", flat=True)) <= with_cases & today
    # The warnings are stored; the default threshold lists a minority of the open cases.
    from shequ.analysis.selectors import listed_warnings
    from shequ.cases.domain import OPEN_STATUSES

    open_cases = Case.objects.filter(status__in=[s.value for s in OPEN_STATUSES]).count()
    listed = listed_warnings(RoleAssignment.objects.filter(role="district_officer").first().user).count()
    assert 0 < listed < open_cases / 2, (listed, open_cases)

    # The Party tree: a committee in every community under its street's working committee; secretary1 reaches the
    # first community's tree, organiser1 its first branch and groups; the first community is better covered than
    # the district; both have meetings due.
    from shequ.party import selectors as party

    PartyOrg = apps.get_model("party", "PartyOrg")
    committees = PartyOrg.objects.filter(level="committee", unit__area__level="community")
    assert committees.count() == 128 and not committees.exclude(parent__unit__area__level="street").exists()
    secretary1, organiser1 = User.objects.get(username="secretary1"), User.objects.get(username="organiser1")
    first = secretary1.assignments.get().area
    assert set(party.orgs_reached(secretary1)) == set(PartyOrg.objects.filter(unit__area__path__startswith=first.path))
    branch = organiser1.assignments.get().unit.party_org
    assert set(party.orgs_reached(organiser1)) == set(PartyOrg.objects.filter(tree_path__startswith=branch.tree_path))
    assert branch.unit.area == first and branch.level == "branch"
    assert party.coverage_of(first).compounds.share > party.coverage_of(district).compounds.share
    assert party.due_for(organiser1, timezone.localdate()) and party.due_for(secretary1, timezone.localdate())

    # A year of 双报到, hub households, volunteers and joint meetings; the portal's demo resident takes part.
    from shequ.registry.selectors import demo_portal_resident

    portal = demo_portal_resident()
    party_models = {m: apps.get_model("party", m) for m in ("InServiceMember", "ServiceNeed", "ServiceEntry", "Hub")}
    assert party_models["InServiceMember"].objects.filter(resident=portal, status="active").exists()
    assert party_models["ServiceNeed"].objects.filter(status="open").exists()
    assert set(party_models["ServiceEntry"].objects.values_list("status", flat=True)) >= {"pending", "confirmed"}
    assert party_models["Hub"].objects.filter(active=True).exists()
    vol = {m: apps.get_model("volunteers", m) for m in ("Volunteer", "Activity", "ServiceRecord", "GuardianConsent")}
    assert vol["Volunteer"].objects.filter(resident=portal).exists()
    assert vol["ServiceRecord"].objects.filter(volunteer__resident=portal).exists()
    assert vol["Activity"].objects.filter(status="open", starts_at__gt=timezone.now()).exists()
    assert vol["GuardianConsent"].objects.exists()
    follow_ups = apps.get_model("coordination", "FollowUp").objects.values_list("kind", flat=True)
    assert set(follow_ups) >= {"case", "proposal"}

    # demo_users: CSV with the exact header and one row per staff account.
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "username,role,scope_code,scope_name"
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == staff_count
    assert {r["username"] for r in rows} == set(User.objects.values_list("username", flat=True))
    names = dict(Area.objects.values_list("code", "name"))
    for row in rows:
        first = RoleAssignment.objects.filter(user__username=row["username"]).get()
        assert (row["role"], row["scope_code"]) == (first.role, first.area.code), row
        assert row["scope_name"] == names[row["scope_code"]], row
        assert CODE_BY_ROLE.get(row["role"], OFFICIAL_CODE).fullmatch(row["scope_code"]), row

    # A second load: --if-empty does nothing, a bare `demo` refuses.
    before = _counts()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert out.getvalue() == "demo: the database already holds territory data, nothing to do\n"
    with pytest.raises(CommandError, match="already holds the demo district"):
        call_command("demo")
    assert _counts() == before

    # The demo password logs in: straight to the workbench, or to the second factor for an admin.
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "district1", "password": DEMO_PASSWORD})
    assert (response.status_code, response.url) == (302, reverse("web:home"))
    assert client.get(reverse("web:home")).status_code == 200
    admin = Client()
    response = admin.post(reverse("accounts:login"), {"username": "sysadmin1", "password": DEMO_PASSWORD})
    assert (response.status_code, response.url) == (302, reverse("accounts:login_otp"))
    out = io.StringIO()
    call_command("demo_otp", "sysadmin1", stdout=out)
    assert re.fullmatch(r"\d{6}\n", out.getvalue())
    response = admin.post(reverse("accounts:login_otp"), {"otp": out.getvalue().strip()})
    assert (response.status_code, response.url) == (302, reverse("web:home"))
    assert admin.get("/admin/").status_code == 200
