"""Registry services: registration and its refusals, dated changes read back as of past dates, ownership
transfers, consent withdrawal and erasure, audited reveal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.registry import encryption, selectors, services
from shequ.registry.models import Residence, Resident, ResidentEvent
from shequ.registry.tests.factories import (
    LISI_ID,
    LISI_MOBILE,
    WANG_ID,
    ZSF_ID,
    ZSF_MOBILE,
    make_resident,
    make_world,
    valid_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _as_of(actor, community, on: str) -> list[str]:
    return sorted(r.name for r in selectors.residents_as_of(actor, community, date.fromisoformat(on)))


def _household_on(resident, on: str) -> str | None:
    d = date.fromisoformat(on)
    stay = (
        Residence.objects.filter(resident=resident, valid_from__lte=d)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=d))
        .first()
    )
    return stay.household.number if stay and stay.household_id else None


# --- registration ------------------------------------------------------------------------------------------


def test_register_stores_only_encrypted_hashed_and_masked_values(w):
    """Registration keeps the ID, mobile and birth date encrypted (ID and mobile with a lookup hash and a masked
    form, the birth date with its decade); nothing of them is in clear in the row; the audit is masked."""
    r = w["zsf"]
    assert (r.id_number_masked, r.mobile_masked) == (f"{ZSF_ID[:4]}**********{ZSF_ID[-4:]}", "138****5678")
    assert encryption.decrypt_document(r.id_number_encrypted) == ZSF_ID
    assert encryption.decrypt_mobile(r.mobile_encrypted) == ZSF_MOBILE
    birth = encryption.decrypt_birth_date(r.birth_date_encrypted)
    assert (birth, r.birth_decade, r.gender, r.pinyin_index) == (date(1980, 1, 1), 1980, "M", "|zsf|zhangsanfeng|")
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {Resident._meta.db_table} WHERE id = %s", [r.pk])  # noqa: S608
        raw = " ".join(str(v) for v in cur.fetchone())
    assert ZSF_ID not in raw and ZSF_MOBILE not in raw and "行动不便" not in raw and "disabled" not in raw
    assert "1980-01-01" not in raw and "19800101" not in raw
    record = AuditRecord.objects.filter(action="registry.resident_registered", object_id=str(r.public_id)).get()
    assert (record.after["id_number"], record.after["mobile"]) == (r.id_number_masked, "138****5678")


def test_register_child_without_document_or_mobile(w):
    """A child with no document and no mobile is registrable; several such children do not collide."""
    a = make_resident(w["c1"], w["d1"], name="小红")
    b = make_resident(w["c1"], w["d1"], name="小刚")
    assert [(r.id_type, r.id_number_hash, r.mobile_hash) for r in (a, b)] == [("none", "", ""), ("none", "", "")]


def test_register_duplicate_in_same_community_is_refused(w):
    """A second registration of the same document in the same community is refused with a clear message."""
    with pytest.raises(ValidationError) as exc:
        make_resident(w["c1"], w["d2"], name="张三", id_number=ZSF_ID)
    assert exc.value.message_dict == {"id_number": ["该证件号码已在本社区登记"]}
    assert Resident.objects.filter(id_number_hash=w["zsf"].id_number_hash).count() == 1


def test_register_elsewhere_is_refused_without_saying_where(w):
    """A person registered in another community is refused with the street-office message; the other record stays."""
    with pytest.raises(ValidationError) as exc:
        make_resident(w["c1"], w["d1"], name="王五", id_number=WANG_ID, mobile="13500000000")
    assert exc.value.message_dict == {"id_number": ["该居民已在其他社区登记，请联系街道办事处"]}
    assert "玉林" not in str(exc.value)
    wang = Resident.objects.get(pk=w["wang"].pk)
    assert (wang.community_id, wang.mobile_hash) == (w["c2"].pk, w["wang"].mobile_hash)


def test_register_validates_fields_in_chinese(w):
    """A bad checksum, a bad mobile and an unknown tag come back as field errors; nothing is written."""
    bad_id = ZSF_ID[:-1] + ("0" if ZSF_ID[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        make_resident(w["c1"], w["d1"], name="赵六", id_number=bad_id, mobile="123", care_tags=["nonsense"])
    assert sorted(exc.value.message_dict) == ["care_tags", "id_number", "mobile"]
    assert exc.value.message_dict["care_tags"] == ["未知的关怀标签：nonsense"]
    assert not Resident.objects.filter(name="赵六").exists()


def test_register_refused_to_view_only_roles(w):
    """A street officer may not register: PermissionDenied, nothing written."""
    with pytest.raises(PermissionDenied):
        make_resident(w["c1"], w["d1"], name="赵六", actor=staff("street_officer", w["s1"]))
    assert not Resident.objects.filter(name="赵六").exists()


def test_update_corrects_particulars_and_audits_masked(w):
    """An update changes the particulars; the audit record's before/after hold masked identifiers only."""
    data = services.ResidentInput(
        name="李思",
        community=w["c1"],
        dwelling=w["d2"],
        id_number=LISI_ID,
        mobile="13512345678",
        legal_basis="consent",
        residence_type="registered",
    )
    services.resident_update(actor=w["registrar1"], resident=w["lisi"], data=data)
    r = Resident.objects.get(pk=w["lisi"].pk)
    assert (r.name, r.mobile_masked, r.pinyin_index) == ("李思", "135****5678", "|ls|lisi|")
    record = AuditRecord.objects.get(action="registry.resident_updated")
    assert (record.before["mobile"], record.after["mobile"]) == ("139****4321", "135****5678")
    assert LISI_MOBILE not in str(record.before) and LISI_ID not in str(record.after)


def test_update_to_another_residents_document_is_refused(w):
    """Changing a document to one registered for someone else is refused."""
    data = services.ResidentInput(name="李四", community=w["c1"], dwelling=w["d2"], id_number=ZSF_ID)
    with pytest.raises(ValidationError) as exc:
        services.resident_update(actor=w["registrar1"], resident=w["lisi"], data=data)
    assert exc.value.message_dict == {"id_number": ["该证件号码已登记为另一位居民"]}


# --- dated changes -----------------------------------------------------------------------------------------


def test_move_out_keeps_history_and_reads_as_of(w):
    """After a move-out the stay is closed on that date: the register as of earlier dates still has the person."""
    actor = w["registrar1"]
    services.resident_move_out(actor=actor, resident=w["lisi"], on=date(2024, 6, 30), note="去外地")
    assert _as_of(actor, w["c1"], "2021-05-31") == ["小明", "张三丰"]
    assert _as_of(actor, w["c1"], "2024-06-29") == ["小明", "张三丰", "李四"]
    assert _as_of(actor, w["c1"], "2024-06-30") == ["小明", "张三丰"]
    stay = Residence.objects.get(resident=w["lisi"])
    assert (stay.valid_from, stay.valid_to) == (date(2021, 6, 1), date(2024, 6, 30))
    assert list(ResidentEvent.objects.filter(resident=w["lisi"]).values_list("kind", flat=True)) == [
        "move_out",
        "move_in",
    ]
    assert [r.name for r in selectors.residents_for(actor)] == ["小明", "张三丰"]


def test_move_out_in_the_future_is_refused(w):
    """A move-out dated after today is refused; nothing changes."""
    with pytest.raises(ValidationError):
        services.resident_move_out(actor=w["registrar1"], resident=w["lisi"], on=date.today() + timedelta(days=2))
    assert Resident.objects.get(pk=w["lisi"].pk).status == "active"


def test_death_reads_as_of(w):
    """A death closes the stay; the person is on the register before the date and not from it."""
    actor = w["registrar1"]
    services.resident_death(actor=actor, resident=w["zsf"], on=date(2025, 1, 10))
    assert _as_of(actor, w["c1"], "2025-01-09") == ["小明", "张三丰", "李四"]
    assert _as_of(actor, w["c1"], "2025-01-10") == ["小明", "李四"]
    r = Resident.objects.get(pk=w["zsf"].pk)
    assert (r.status, r.died_on) == ("deceased", date(2025, 1, 10))


def test_household_change_keeps_the_old_stay(w):
    """A household change from a date closes the old stay and opens a new one; both dates read back correctly."""
    actor = w["registrar1"]
    h2 = services.household_create(actor=actor, community=w["c1"], number="H002", dwelling=w["d2"])
    services.resident_change_household(
        actor=actor, resident=w["child"], household=h2, relation="head", on=date(2024, 9, 1)
    )
    assert (_household_on(w["child"], "2024-08-31"), _household_on(w["child"], "2024-09-01")) == ("H001", "H002")
    r = Resident.objects.get(pk=w["child"].pk)
    assert (r.household_id, r.dwelling_id, r.relation) == (h2.pk, w["d2"].pk, "head")
    h2.refresh_from_db()
    assert h2.head_id == r.pk
    assert _as_of(actor, w["c1"], "2024-08-31") == _as_of(actor, w["c1"], "2024-09-01") == ["小明", "张三丰", "李四"]


def test_household_of_another_community_is_refused(w):
    """Moving a resident into a household (and dwelling) of another community is refused; nothing changes."""
    other = services.household_create(actor=w["registrar2"], community=w["c2"], number="Y001", dwelling=w["d3"])
    with pytest.raises(PermissionDenied):
        services.resident_change_household(
            actor=w["registrar1"], resident=w["child"], household=other, relation="child", on=date(2024, 9, 1)
        )
    assert Residence.objects.filter(resident=w["child"]).count() == 1


# --- ownership ---------------------------------------------------------------------------------------------


def test_ownership_transfer_reads_as_of(w):
    """The developer holds d1 until the sale date; from then the buyers hold it with area in proportion to share."""
    actor, d1 = w["registrar1"], w["d1"]
    developer = services.OwnerInput(kind="developer", share=Decimal(1), organisation_name="成都锦城置业有限公司")
    services.ownership_transfer(actor=actor, dwelling=d1, owners=[developer], on=date(2019, 1, 1))
    buyers = [
        services.OwnerInput(kind="person", share=Decimal("0.5"), resident=w["zsf"]),
        services.OwnerInput(kind="person", share=Decimal("0.5"), resident=w["lisi"]),
    ]
    services.ownership_transfer(actor=actor, dwelling=d1, owners=buyers, on=date(2022, 5, 1))

    def owners(on: str):
        rows = selectors.owners_as_of([d1.pk], date.fromisoformat(on))
        return sorted((o.organisation_name or o.resident.name, o.registered_area) for o in rows)

    assert owners("2018-12-31") == []
    assert owners("2022-04-30") == [("成都锦城置业有限公司", Decimal("89.50"))]
    assert owners("2022-05-01") == [("张三丰", Decimal("44.75")), ("李四", Decimal("44.75"))]
    assert list(ResidentEvent.objects.filter(kind="ownership_acquired").values_list("effective_date", flat=True)) == [
        date(2022, 5, 1),
        date(2022, 5, 1),
    ]


def test_ownership_transfer_checks_shares_and_dates(w):
    """Shares must add up to 1 and a transfer cannot predate the current owners; nothing is written."""
    actor, d1 = w["registrar1"], w["d1"]
    half = services.OwnerInput(kind="person", share=Decimal("0.5"), resident=w["zsf"])
    with pytest.raises(ValidationError) as exc:
        services.ownership_transfer(actor=actor, dwelling=d1, owners=[half], on=date(2022, 5, 1))
    assert exc.value.message_dict == {"owners": ["产权份额合计应为1（当前为0.5）"]}
    whole = services.OwnerInput(kind="person", share=Decimal(1), resident=w["zsf"])
    services.ownership_transfer(actor=actor, dwelling=d1, owners=[whole], on=date(2022, 5, 1))
    with pytest.raises(ValidationError):
        services.ownership_transfer(actor=actor, dwelling=d1, owners=[whole], on=date(2021, 1, 1))
    assert selectors.owners_as_of([d1.pk], date(2030, 1, 1)).count() == 1


# --- consent withdrawal and erasure ---------------------------------------------------------------------------


def test_consent_withdrawal_hides_and_erasure_wipes_after_the_period(w, clock):
    """Withdrawal hides the resident at once; erase_due_residents wipes the personal data only after 15 days."""
    actor = w["registrar1"]
    services.consent_withdraw(actor=actor, resident=w["lisi"])
    r = Resident.objects.get(pk=w["lisi"].pk)
    assert (r.status, r.erase_due_at) == ("withdrawn", clock.now + timedelta(days=15))
    assert [x.name for x in selectors.search_residents(actor, selectors.ResidentFilters())] == ["小明", "张三丰"]
    clock.advance(days=14)
    assert services.erase_due_residents() == 0
    assert Resident.objects.get(pk=r.pk).id_number_encrypted != ""
    clock.advance(days=2)
    assert services.erase_due_residents() == 1
    r.refresh_from_db()
    assert (r.status, r.name, r.birth_decade, r.id_type) == ("erased", "（已删除）", None, "none")
    assert [
        r.birth_date_encrypted,
        r.id_number_encrypted,
        r.id_number_hash,
        r.id_number_masked,
        r.mobile_encrypted,
        r.mobile_hash,
        r.mobile_masked,
        r.notes_encrypted,
        r.pinyin_index,
    ] == [""] * 9
    assert selectors.find_by_document(actor, LISI_ID).count() == 0
    assert AuditRecord.objects.filter(action="registry.resident_erased", object_id=str(r.public_id)).count() == 1


def test_statutory_records_cannot_be_withdrawn(w):
    """Data collected under a statutory duty cannot be withdrawn this way."""
    with pytest.raises(ValidationError) as exc:
        services.consent_withdraw(actor=w["registrar1"], resident=w["zsf"])
    assert exc.value.message_dict == {"legal_basis": ["该居民信息依法定职责采集，不适用撤回同意"]}
    assert Resident.objects.get(pk=w["zsf"].pk).status == "active"


def test_consent_withdrawal_refused_to_grid_workers(w):
    """A micro-grid worker may not record a withdrawal."""
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(actor=staff("micro_grid_worker", w["m112"]), resident=w["lisi"])
    assert Resident.objects.get(pk=w["lisi"].pk).status == "active"


# --- reveal ----------------------------------------------------------------------------------------------


def test_reveal_is_audited_with_reason_and_no_value(w):
    """Reveal returns the clear value and appends one audit record with field and reason, never the value."""
    grid = staff("micro_grid_worker", w["m111"])
    assert (
        services.resident_reveal(
            actor=grid, resident=w["zsf"], field="mobile", reason_code="home_visit", reason="联系家属"
        )
        == ZSF_MOBILE
    )
    community = staff("community_worker", w["c1"])
    assert (
        services.resident_reveal(
            actor=community, resident=w["zsf"], field="id_number", reason_code="home_visit", reason="核对"
        )
        == ZSF_ID
    )
    records = AuditRecord.objects.filter(action="registry.reveal").order_by("id")
    assert [(r.actor_id, r.after) for r in records] == [
        (grid.pk, {"field": "mobile", "reason_code": "home_visit", "reason": "联系家属"}),
        (community.pk, {"field": "id_number", "reason_code": "home_visit", "reason": "核对"}),
    ]


def test_reveal_refusals_audit_nothing(w):
    """Identity by a grid worker, no reason, an unknown field, or a withdrawn resident: refused, nothing audited."""
    grid = staff("micro_grid_worker", w["m111"])
    with pytest.raises(PermissionDenied):
        services.resident_reveal(
            actor=grid, resident=w["zsf"], field="id_number", reason_code="home_visit", reason="核对"
        )
    community = staff("community_worker", w["c1"])
    with pytest.raises(ValidationError):
        services.resident_reveal(
            actor=community, resident=w["zsf"], field="mobile", reason_code="home_visit", reason=" "
        )
    with pytest.raises(ValidationError):
        services.resident_reveal(
            actor=community, resident=w["zsf"], field="password", reason_code="home_visit", reason="核对"
        )
    services.consent_withdraw(actor=community, resident=w["lisi"])
    with pytest.raises(PermissionDenied):
        services.resident_reveal(
            actor=community, resident=w["lisi"], field="mobile", reason_code="home_visit", reason="核对"
        )
    assert AuditRecord.objects.filter(action="registry.reveal").count() == 0


def test_exact_lookup_by_keyed_hash(w):
    """find_by_document and find_by_mobile match exact numbers in scope, including a 15-digit old ID."""
    actor = w["registrar1"]
    assert [r.name for r in selectors.find_by_document(actor, ZSF_ID.lower())] == ["张三丰"]
    assert [r.name for r in selectors.find_by_mobile(actor, "+86 139-8765-4321")] == ["李四"]
    assert selectors.find_by_document(actor, WANG_ID).count() == 0
    old = valid_id("19450607", 111)
    make_resident(w["c1"], w["d1"], name="老李", id_number=old)
    assert [r.name for r in selectors.find_by_document(actor, old[:6] + old[8:17])] == ["老李"]
