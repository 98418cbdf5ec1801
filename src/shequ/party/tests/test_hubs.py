"""Party-member hub households (党员中心户): the mapping hub → linked members → households of the micro-grid;
sizes above the local settings are recorded with warnings; real errors are refused and write nothing; only those
who reach the host's organisation see and manage hubs."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.party import hub_selectors as sel
from shequ.party import hub_services as svc
from shequ.party.models import Hub, HubHousehold, HubLink
from shequ.party.tests.factories import make_party_world, member
from shequ.registry import services as registry_services
from shequ.registry.tests.factories import registrar_of
from shequ.territory.models import BuildingUnit, Dwelling

pytestmark = pytest.mark.django_db

SINCE = datetime.date(2025, 3, 1)


def _world() -> dict[str, Any]:
    w = make_party_world()
    w["host"] = member(w["secretary"], w["group1"], "周华")
    w["m2"] = member(w["secretary"], w["group1"], "吴敏")
    w["m3"] = member(w["secretary"], w["branch1"], "郑强")
    w["other"] = member(w["secretary"], w["branch2"], "王芳")
    registrar = registrar_of(w["c1"])
    unit = BuildingUnit.objects.create(building=w["b2"], number=1, name="1单元")
    d2 = Dwelling.objects.create(unit=unit, building=w["b2"], floor=5, number="1-502", floor_area=Decimal("90"))
    for i in range(3):
        w[f"h{i}"] = registry_services.household_create(
            actor=registrar, community=w["c1"], number=f"H00{i}", dwelling=w["d1"] if i else w["d1"]
        )
    w["outside"] = registry_services.household_create(actor=registrar, community=w["c1"], number="H900", dwelling=d2)
    return w


def _state() -> tuple[Any, ...]:
    return (
        sorted(Hub.objects.values_list("id", "active")),
        HubLink.objects.count(),
        HubHousehold.objects.count(),
        AuditRecord.objects.filter(action__startswith="party.hub").count(),
    )


def _refused(call: Any, error: type[Exception]) -> Any:
    before = _state()
    with pytest.raises(error) as exc:
        call()
    assert _state() == before
    return exc.value


def _hub(w: dict[str, Any], actor: Any = None) -> Hub:
    hub, warnings = svc.hub_create(
        actor=actor or w["organiser1"], area=w["m111"], host=w["host"], name="周华党员中心户", since=SINCE
    )
    assert warnings == ("第 1 名党员尚未联系群众户",)  # advice, the hub is set up
    return hub


def test_the_mapping_hub_members_households():
    """The host is the first linked member; each linked member keeps in touch with households of the micro-grid."""
    w = _world()
    hub = _hub(w)
    assert (hub.org, hub.area, hub.active) == (w["group1"], w["m111"], True)
    link2, warnings = svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"])
    assert warnings == ("第 1 名党员尚未联系群众户", "第 2 名党员尚未联系群众户")
    host_link = HubLink.objects.get(hub=hub, member=w["host"])
    svc.hub_household_add(actor=w["organiser1"], link=host_link, household=w["h0"])
    svc.hub_household_add(actor=w["organiser1"], link=link2, household=w["h1"])
    svc.hub_household_add(actor=w["organiser1"], link=link2, household=w["h2"])
    row = sel.hub_row(sel.hubs_for(w["organiser1"]).get())
    assert [lk.member.name_masked for lk in row.links] == ["周*", "吴*"]
    assert [[h.household.number for h in lk.households.all()] for lk in row.links] == [["H000"], ["H001", "H002"]]
    assert (row.households, row.warnings) == (3, ())


@override_settings(SHEQU_HUB_MAX_MEMBERS=2, SHEQU_HUB_MAX_HOUSEHOLDS=1)
def test_sizes_above_the_settings_are_warnings_not_refusals():
    w = _world()
    hub = _hub(w)
    svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"])
    link3, warnings = svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m3"])
    assert warnings[0] == "中心户联系党员 3 名，超过本地设定的 2 名"
    svc.hub_household_add(actor=w["organiser1"], link=link3, household=w["h0"])
    _row, warnings = svc.hub_household_add(actor=w["organiser1"], link=link3, household=w["h1"])
    assert "第 3 名党员联系 2 户，超过本地设定的 1 户" in warnings
    assert HubLink.objects.filter(hub=hub).count() == 3
    assert HubHousehold.objects.filter(link=link3).count() == 2


def test_a_household_outside_the_micro_grid_is_refused():
    w = _world()
    hub = _hub(w)
    link = HubLink.objects.get(hub=hub)
    exc = _refused(
        lambda: svc.hub_household_add(actor=w["organiser1"], link=link, household=w["outside"]), ValidationError
    )
    assert exc.error_dict["household"][0].code == "party.household_outside"


def test_a_household_kept_by_another_member_is_refused():
    w = _world()
    hub = _hub(w)
    link2, _ = svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"])
    svc.hub_household_add(actor=w["organiser1"], link=link2, household=w["h1"])
    host_link = HubLink.objects.get(hub=hub, member=w["host"])
    exc = _refused(
        lambda: svc.hub_household_add(actor=w["organiser1"], link=host_link, household=w["h1"]), ValidationError
    )
    assert exc.error_dict["household"][0].code == "party.household_taken"


def test_a_member_linked_twice_is_refused():
    w = _world()
    hub = _hub(w)
    svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"])
    exc = _refused(lambda: svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"]), ValidationError)
    assert exc.error_dict["member"][0].code == "party.hub_member_linked"
    exc = _refused(
        lambda: svc.hub_create(actor=w["organiser1"], area=w["m111"], host=w["m2"], name="另一中心户"),
        ValidationError,
    )
    assert exc.error_dict["host"][0].code == "party.hub_member_linked"


def test_a_member_who_left_is_refused():
    w = _world()
    hub = _hub(w)
    from shequ.party import services as party_services

    party_services.member_transfer(
        actor=w["secretary"], member=w["m3"], on=datetime.date(2025, 6, 1), outside_org="某公司党支部"
    )
    w["m3"].refresh_from_db()
    exc = _refused(lambda: svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m3"]), ValidationError)
    assert exc.error_dict["member"][0].code == "party.member_inactive"


def test_a_hub_is_on_a_micro_grid():
    w = _world()
    exc = _refused(
        lambda: svc.hub_create(actor=w["organiser1"], area=w["c1"], host=w["host"], name="社区中心户"),
        ValidationError,
    )
    assert exc.error_dict["area"][0].code == "party.hub_place_invalid"


def test_ending_a_hub_frees_its_members():
    w = _world()
    hub = _hub(w)
    svc.hub_end(actor=w["organiser1"], hub=hub)
    assert sel.hubs_for(w["organiser1"]).count() == 0
    hub2, _ = svc.hub_create(actor=w["organiser1"], area=w["m111"], host=w["host"], name="新中心户")
    assert hub2.active
    _refused(lambda: svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"]), ValidationError)


def test_who_reaches_hubs():
    """Organisers of the host's organisation or above and the community secretary see and manage hubs; an
    organiser of another branch, community workers and another community see none and change nothing."""
    w = _world()
    hub = _hub(w, actor=w["secretary"])
    for actor in ("secretary", "organiser1"):
        assert list(sel.hubs_for(w[actor])) == [hub]
    for actor in ("organiser2", "worker", "street", "other_secretary"):
        assert list(sel.hubs_for(w[actor])) == []
        with pytest.raises(NotFound):
            sel.get_hub_for(w[actor], hub.public_id)
        _refused(lambda actor=actor: svc.hub_link(actor=w[actor], hub=hub, member=w["m2"]), PermissionDenied)
        _refused(lambda actor=actor: svc.hub_end(actor=w[actor], hub=hub), PermissionDenied)
    # organiser2 reaches the member but not the hub; organiser1 reaches the hub but not branch2's member
    _refused(lambda: svc.hub_link(actor=w["organiser1"], hub=hub, member=w["other"]), PermissionDenied)


def test_unlinking_keeps_the_host():
    w = _world()
    hub = _hub(w)
    link2, _ = svc.hub_link(actor=w["organiser1"], hub=hub, member=w["m2"])
    svc.hub_unlink(actor=w["organiser1"], link=link2)
    host_link = HubLink.objects.get(hub=hub)
    _refused(lambda: svc.hub_unlink(actor=w["organiser1"], link=host_link), ValidationError)
