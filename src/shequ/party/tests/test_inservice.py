"""In-service members reporting to their residence community (在职党员双报到): the claim transition table, the
rules of registrations, needs, claims and services, the quarterly record for the employer, and who may do what
(a refusal writes nothing)."""

import datetime
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.utils import timezone

from shequ.core.actors import ResidentActor
from shequ.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.permissions import can
from shequ.party import domain
from shequ.party import inservice_selectors as sel
from shequ.party import inservice_services as svc
from shequ.party.domain import ClaimEvent, ClaimStatus
from shequ.party.models import InServiceMember, NeedClaim, ServiceEntry, ServiceNeed
from shequ.party.tests.factories import make_party_world, organiser
from shequ.registry.tests.factories import make_resident

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 10, 0))


# --- the claim table, without a database -----------------------------------------------------------------------


@pytest.mark.parametrize(("row", "result"), list(domain.CLAIM_TRANSITIONS.items()))
def test_every_claim_transition(row, result):
    """Each row of the table gives its status."""
    assert domain.next_claim_status(*row) is result


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (ClaimStatus.WITHDRAWN, ClaimEvent.SERVE),
        (ClaimStatus.WITHDRAWN, ClaimEvent.WITHDRAW),
        (ClaimStatus.DONE, ClaimEvent.WITHDRAW),
    ],
)
def test_claim_transitions_not_in_the_table_are_refused(status, event):
    """A withdrawn claim is not served, a served one is not withdrawn."""
    with pytest.raises(InvalidTransition):
        domain.next_claim_status(status, event)


def test_need_open_on_its_period_only():
    """A need takes claims while open, from its first day to its last (inclusive); no last day: until closed."""
    first, last = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    assert domain.need_open_on("open", first, last, first)
    assert domain.need_open_on("open", first, last, last)
    assert not domain.need_open_on("open", first, last, datetime.date(2026, 12, 1))
    assert not domain.need_open_on("open", first, last, datetime.date(2026, 10, 31))
    assert domain.need_open_on("open", first, None, datetime.date(2030, 1, 1))
    assert not domain.need_open_on("closed", first, None, TODAY)


def test_places_left():
    assert domain.places_left(3, 1) == 2
    assert domain.places_left(3, 3) == 0
    assert domain.places_left(3, 4) == 0


# --- the world ------------------------------------------------------------------------------------------------


def _world() -> dict[str, Any]:
    w = make_party_world()
    w["organiser0"] = organiser(w["committee"], "organiser0")
    w["alice"] = make_resident(w["c1"], w["d1"], name="程丽")
    w["bob"] = make_resident(w["c1"], w["d1"], name="王建国")
    w["carol"] = make_resident(w["c2"], w["d3"], name="李秀英")
    return w


def _register(actor: Any, resident: Any, **kw: Any) -> InServiceMember:
    kw.setdefault("registered_on", datetime.date(2026, 1, 5))
    data = svc.RegistrationInput(
        own_org_name=kw.pop("own_org_name", "某区教育局机关党支部"), employer=kw.pop("employer", "某区教育局"), **kw
    )
    return svc.registration_create(actor=actor, resident=resident, data=data, now=NOW)


def _need(actor: Any, community: Any, wanted: int = 2, **kw: Any) -> ServiceNeed:
    data = svc.NeedInput(
        title=kw.pop("title", "周末课业辅导"),
        kind=kw.pop("kind", "tutoring"),
        wanted=wanted,
        open_from=kw.pop("open_from", datetime.date(2026, 11, 1)),
        **kw,
    )
    return svc.need_publish(actor=actor, community=community, data=data, now=NOW)


def _state() -> tuple[Any, ...]:
    return (
        InServiceMember.objects.count(),
        sorted(InServiceMember.objects.values_list("id", "status")),
        ServiceNeed.objects.count(),
        sorted(ServiceNeed.objects.values_list("id", "status")),
        sorted(NeedClaim.objects.values_list("id", "status")),
        sorted(ServiceEntry.objects.values_list("id", "status")),
        AuditRecord.objects.count(),
    )


def _refused(call: Any, error: type[Exception] = PermissionDenied) -> None:
    before = _state()
    with pytest.raises(error):
        call()
    assert _state() == before


# --- registrations ---------------------------------------------------------------------------------------------


def test_a_resident_registers_with_their_community():
    """The slip keeps the name encrypted and masked; the community is the resident's; audited without the name."""
    w = _world()
    member = _register(
        ResidentActor(w["alice"]), w["alice"], job_title="科员", preferred_kinds=["tutoring"], registered_on=None
    )
    assert (member.community, member.name_masked, member.status) == (w["c1"], "程*", "active")
    assert "程丽" not in member.name_encrypted
    assert member.registered_on == TODAY
    assert sel.preferred_kinds(member) == ["tutoring"]
    record = AuditRecord.objects.get(action="party.inservice_registered")
    assert "程丽" not in str(record.after)
    assert sel.registration_of(w["alice"]) == member


def test_a_second_active_registration_is_refused():
    w = _world()
    _register(ResidentActor(w["alice"]), w["alice"])
    with pytest.raises(ValidationError) as exc:
        _register(ResidentActor(w["alice"]), w["alice"])
    assert exc.value.error_dict["resident"][0].code == "party.registration_duplicate"


def test_registration_requires_the_own_organisation_and_employer():
    w = _world()
    with pytest.raises(ValidationError) as exc:
        _register(ResidentActor(w["alice"]), w["alice"], own_org_name=" ", employer="")
    assert set(exc.value.error_dict) == {"own_org_name", "employer"}


def test_a_resident_cannot_register_someone_else():
    w = _world()
    _refused(lambda: _register(ResidentActor(w["alice"]), w["bob"]))


def test_staff_register_on_behalf_only_in_communities_they_reach():
    """The community secretary and an organiser of the community committee may; a branch organiser and the
    secretary of another community may not."""
    w = _world()
    _register(w["organiser0"], w["alice"])
    for actor in (w["organiser1"], w["other_secretary"], w["worker"]):
        _refused(lambda actor=actor: _register(actor, w["bob"]))
    _register(w["secretary"], w["bob"])


def test_registration_end_withdraws_unserved_claims():
    w = _world()
    member = _register(ResidentActor(w["alice"]), w["alice"])
    claim = svc.need_claim(actor=ResidentActor(w["alice"]), need=_need(w["secretary"], w["c1"]), member=member, now=NOW)
    svc.registration_end(actor=ResidentActor(w["alice"]), member=member, now=NOW)
    claim.refresh_from_db()
    member.refresh_from_db()
    assert (member.status, member.ended_on, claim.status) == ("ended", TODAY, "withdrawn")


def test_reveal_is_audited_and_for_staff_reaching_the_community():
    w = _world()
    member = _register(ResidentActor(w["alice"]), w["alice"])
    assert svc.registration_reveal(actor=w["secretary"], member=member, reason="出具反馈") == {"name": "程丽"}
    assert AuditRecord.objects.filter(action="party.inservice_revealed").count() == 1
    _refused(lambda: svc.registration_reveal(actor=w["organiser1"], member=member, reason="看看"))
    _refused(lambda: svc.registration_reveal(actor=ResidentActor(w["alice"]), member=member, reason="看看"))


# --- needs and claims --------------------------------------------------------------------------------------------


def test_needs_are_published_by_the_community_party_organisation():
    w = _world()
    need = _need(w["organiser0"], w["c1"], wanted=3, open_until=datetime.date(2026, 12, 31), place="社区活动室")
    assert (need.status, need.wanted, need.posted_by) == ("open", 3, w["organiser0"])
    for actor in (w["organiser1"], w["worker"], w["other_secretary"], ResidentActor(w["alice"])):
        _refused(lambda actor=actor: _need(actor, w["c1"]))


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"wanted": 0}, "wanted"),
        ({"wanted": 201}, "wanted"),
        ({"kind": "points"}, "kind"),
        ({"title": ""}, "title"),
        ({"open_until": datetime.date(2026, 10, 1)}, "open_until"),
    ],
)
def test_bad_needs_are_refused(kw, field):
    w = _world()
    with pytest.raises(ValidationError) as exc:
        _need(w["secretary"], w["c1"], **kw)
    assert field in exc.value.error_dict


def test_claims_stop_at_the_wanted_count_and_a_withdrawal_frees_a_place():
    w = _world()
    need = _need(w["secretary"], w["c1"], wanted=1)
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    bob = _register(ResidentActor(w["bob"]), w["bob"])
    claim = svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
    with pytest.raises(ValidationError) as exc:
        svc.need_claim(actor=ResidentActor(w["bob"]), need=need, member=bob, now=NOW)
    assert exc.value.error_dict["need"][0].code == "party.need_full"
    svc.claim_withdraw(actor=ResidentActor(w["alice"]), claim=claim)
    svc.need_claim(actor=ResidentActor(w["bob"]), need=need, member=bob, now=NOW)
    assert sel.places_left(sel.get_need_for(w["secretary"], need.public_id)) == 0


def test_a_member_claims_a_need_once():
    w = _world()
    need = _need(w["secretary"], w["c1"], wanted=5)
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
    with pytest.raises(ValidationError) as exc:
        svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
    assert exc.value.error_dict["need"][0].code == "party.claim_duplicate"


def test_claims_only_while_open():
    """A closed need, and one whose period has not begun or is over, takes no claim."""
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    closed = svc.need_close(actor=w["secretary"], need=_need(w["secretary"], w["c1"]))
    later = _need(w["secretary"], w["c1"], open_from=datetime.date(2026, 12, 1))
    over = _need(w["secretary"], w["c1"], open_from=datetime.date(2026, 10, 1), open_until=datetime.date(2026, 10, 31))
    for need in (closed, later, over):
        with pytest.raises(ValidationError) as exc:
            svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
        assert exc.value.error_dict["need"][0].code == "party.need_not_open"


def test_a_resident_claims_only_for_themself_and_in_their_community():
    w = _world()
    need = _need(w["secretary"], w["c1"])
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    carol = _register(ResidentActor(w["carol"]), w["carol"])
    _refused(lambda: svc.need_claim(actor=ResidentActor(w["bob"]), need=need, member=alice, now=NOW))
    _refused(lambda: svc.need_claim(actor=ResidentActor(w["carol"]), need=need, member=carol, now=NOW))
    # staff claim on a member's behalf
    claim = svc.need_claim(actor=w["secretary"], need=need, member=alice, now=NOW)
    assert claim.status == "claimed"


# --- services -------------------------------------------------------------------------------------------------


def _entry(actor: Any, member: Any, hours: Any = "2.5", **kw: Any) -> ServiceEntry:
    data = svc.EntryInput(
        served_on=kw.pop("served_on", datetime.date(2026, 11, 15)),
        hours=hours,
        content=kw.pop("content", "辅导三名小学生数学作业"),
        **kw,
    )
    return svc.entry_record(actor=actor, member=member, data=data, now=NOW)


@pytest.mark.parametrize("hours", ["24.01", "25", "0", "-1", "1.255", "abc"])
def test_hours_beyond_a_day_or_malformed_are_refused(hours):
    """More than a day's 24 hours, nothing, negative, three decimals or not a number: refused, nothing written."""
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    before = _state()
    with pytest.raises(ValidationError) as exc:
        _entry(ResidentActor(w["alice"]), alice, hours=hours)
    assert exc.value.error_dict["hours"][0].code == "party.hours_invalid"
    assert _state() == before


def test_a_full_day_is_accepted():
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    assert _entry(ResidentActor(w["alice"]), alice, hours="24").hours == Decimal("24")


def test_service_days_are_not_in_the_future_nor_before_the_registration():
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    for day in (datetime.date(2026, 11, 21), datetime.date(2026, 11, 19)):
        alice.registered_on = datetime.date(2026, 11, 20)
        with pytest.raises(ValidationError) as exc:
            _entry(ResidentActor(w["alice"]), alice, served_on=day)
        assert "served_on" in exc.value.error_dict


def test_a_member_records_on_their_claim_and_the_community_confirms():
    """The member's own record waits for confirmation and marks the claim served; staff confirm it once; a served
    claim can no longer be withdrawn."""
    w = _world()
    need = _need(w["secretary"], w["c1"])
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    claim = svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
    entry = _entry(ResidentActor(w["alice"]), alice, claim=claim)
    claim.refresh_from_db()
    assert (entry.status, entry.recorded_by, claim.status) == ("pending", None, "done")
    assert sel.pending_count(w["secretary"]) == 1
    assert sel.pending_count(w["organiser1"]) == 0
    _refused(lambda: svc.entry_confirm(actor=w["organiser1"], entry=entry))
    _refused(lambda: svc.entry_confirm(actor=ResidentActor(w["alice"]), entry=entry))
    svc.entry_confirm(actor=w["secretary"], entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.confirmed_by) == ("confirmed", w["secretary"])
    with pytest.raises(ValidationError):
        svc.entry_confirm(actor=w["secretary"], entry=entry)
    with pytest.raises(ValidationError) as exc:
        svc.claim_withdraw(actor=ResidentActor(w["alice"]), claim=claim)
    assert exc.value.error_dict["claim"][0].code == "party.claim_status"


def test_staff_records_are_confirmed_at_once():
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    entry = _entry(w["organiser0"], alice, hours="3")
    assert (entry.status, entry.recorded_by, entry.confirmed_by) == ("confirmed", w["organiser0"], w["organiser0"])


def test_a_resident_records_only_their_own_services_and_claims():
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    bob = _register(ResidentActor(w["bob"]), w["bob"])
    claim = svc.need_claim(actor=ResidentActor(w["bob"]), need=_need(w["secretary"], w["c1"]), member=bob, now=NOW)
    _refused(lambda: _entry(ResidentActor(w["bob"]), alice))
    _refused(lambda: _entry(ResidentActor(w["alice"]), alice, claim=claim), ValidationError)


# --- reads ------------------------------------------------------------------------------------------------------


def test_registrations_are_seen_only_within_reach():
    """The secretary and the committee's organiser see c1's registrations; a branch organiser, community workers
    and another community's secretary see none; a resident sees only their own."""
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    carol = _register(ResidentActor(w["carol"]), w["carol"])
    assert list(sel.registrations_for(w["secretary"])) == [alice]
    assert list(sel.registrations_for(w["organiser0"])) == [alice]
    assert list(sel.registrations_for(w["other_secretary"])) == [carol]
    for actor in (w["organiser1"], w["organiser2"], w["worker"], w["street"]):
        assert list(sel.registrations_for(actor)) == []
        with pytest.raises(NotFound):
            sel.get_registration_for(actor, alice.public_id)
    assert sel.registration_of(w["bob"]) is None
    assert list(sel.registrations_for(w["secretary"], text="程丽")) == [alice]
    assert list(sel.registrations_for(w["secretary"], text="王建国")) == []


def test_permission_table():
    """party.service: the community's secretary and organisers of its committee or above; party.service_self: the
    member themself too."""
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    street_org_owner = None  # no street committee in this world
    assert street_org_owner is None
    table = {
        "secretary": (True, True),
        "organiser0": (True, True),
        "organiser1": (False, False),
        "organiser2": (False, False),
        "worker": (False, False),
        "street": (False, False),
        "other_secretary": (False, False),
    }
    for key, (service, self_) in table.items():
        assert bool(can(w[key], "party.service", alice)) is service, key
        assert bool(can(w[key], "party.service_self", alice)) is self_, key
    assert not can(ResidentActor(w["alice"]), "party.service", alice)
    assert can(ResidentActor(w["alice"]), "party.service_self", alice)
    assert not can(ResidentActor(w["bob"]), "party.service_self", alice)


# --- the quarterly record ---------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_the_quarterly_record_lists_confirmed_services_and_the_total():
    """Confirmed services of the quarter with date, need, content and hours, the total, the full name, employer,
    community and its Party organisation; a pending service and one of another quarter are not on it. Audited."""
    w = _world()
    need = _need(w["secretary"], w["c1"], title="周末课业辅导")
    alice = _register(ResidentActor(w["alice"]), w["alice"], employer="武侯区教育局")
    claim = svc.need_claim(actor=ResidentActor(w["alice"]), need=need, member=alice, now=NOW)
    svc.entry_confirm(actor=w["secretary"], entry=_entry(ResidentActor(w["alice"]), alice, "2.5", claim=claim))
    _entry(w["secretary"], alice, "1.25", served_on=datetime.date(2026, 10, 3), content="看望独居老人")
    _entry(ResidentActor(w["alice"]), alice, "4", served_on=datetime.date(2026, 11, 16), content="未确认的服务")
    _entry(w["secretary"], alice, "6", served_on=datetime.date(2026, 9, 30), content="上季度的服务")
    data = svc.quarterly_record(actor=ResidentActor(w["alice"]), member=alice, year=2026, quarter=4, now=NOW)
    text = _pdf_text(data)
    for expected in (
        "在职党员到社区报到服务情况反馈",
        "2026年第4季度",
        "程丽",
        "武侯区教育局",
        "洗面桥社区",
        "洗面桥社区党委",
        "2026年10月3日",
        "看望独居老人",
        "1.25",
        "周末课业辅导",
        "2.5",
        "合计3.75小时",
        "共服务2次",
    ):
        assert expected in text, expected
    assert "未确认的服务" not in text and "上季度的服务" not in text
    assert AuditRecord.objects.filter(action="party.service_record_issued").count() == 1


def test_the_quarterly_record_is_for_the_member_and_staff_reaching_the_community():
    w = _world()
    alice = _register(ResidentActor(w["alice"]), w["alice"])
    assert svc.quarterly_record(actor=w["organiser0"], member=alice, year=2026, quarter=4, now=NOW).startswith(b"%PDF")
    for actor in (ResidentActor(w["bob"]), w["organiser1"], w["other_secretary"]):
        _refused(lambda actor=actor: svc.quarterly_record(actor=actor, member=alice, year=2026, quarter=4, now=NOW))
    with pytest.raises(ValidationError):
        svc.quarterly_record(actor=w["secretary"], member=alice, year=2026, quarter=5, now=NOW)
