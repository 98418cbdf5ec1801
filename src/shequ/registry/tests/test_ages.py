"""Ages are a reveal (issue 10): the decade kept in clear, age filters and the elderly birthday list for roles that
may reveal identity only, each use audited with its count and never a date."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied
from shequ.core.models import AuditRecord
from shequ.registry import encryption, selectors, services
from shequ.registry.models import Resident
from shequ.registry.tests.factories import ZSF_ID, make_resident, make_world, valid_id

pytestmark = pytest.mark.django_db
LIST = reverse("registry:resident_list")
BIRTHDAYS = reverse("registry:birthday_list")
BIRTHDAY_EXPORT = reverse("registry:birthday_export")


@pytest.fixture
def w(clock):
    """make_world() (today 2026-03-16) plus residents of c1 on either side of the age limits."""
    w = make_world()
    for name, birth, moved_in in (
        ("甲", "1966-03-16", "2010-01-01"),  # turns 60 today
        ("乙", "1966-03-17", "2010-01-01"),  # 59 until tomorrow
        ("丙", "1950-07-01", "2010-01-01"),  # 75
        ("丁", "2020-02-01", "2020-03-05"),  # registered as a newborn: decade withheld
        ("戊", "2008-03-17", "2010-01-01"),  # 17
        ("己", "2008-03-16", "2010-01-01"),  # 18 today
        ("庚", "1940-03-02", "2010-01-01"),  # 86 in March
        ("壬", "1960-02-29", "2010-01-01"),  # born on 29 February
    ):
        w[name] = make_resident(w["c1"], w["d1"], name=name, birth_date=date.fromisoformat(birth), moved_in_on=moved_in)
    return w


def _names(qs) -> list[str]:
    return sorted(r.name for r in qs)


def _records(action: str) -> list[dict]:
    return [r.after for r in AuditRecord.objects.filter(action=action).order_by("id")]


# --- the decade in clear -----------------------------------------------------------------------------------


def test_registration_keeps_the_decade_and_withholds_it_for_a_newborn(w):
    """The birth date is stored encrypted with its decade; a child registered as a newborn early in a decade
    has none in clear (the registration date would narrow it to weeks)."""
    assert (w["丙"].birth_decade, w["丁"].birth_decade) == (1950, None)
    assert encryption.decrypt_birth_date(w["丁"].birth_date_encrypted) == date(2020, 2, 1)


def test_a_backdated_ownership_withholds_the_decade(w):
    """An ownership dated early in a decade is a fact the birth cannot follow: the decade of a child born in that
    decade or the one before is withheld from then on."""
    child = make_resident(w["c1"], name="小华", birth_date=date(2015, 5, 5), moved_in_on="2025-01-01")
    assert child.birth_decade == 2010
    owner = services.OwnerInput(kind="person", share=Decimal(1), resident=child)
    services.ownership_transfer(actor=w["registrar1"], dwelling=w["d1"], owners=[owner], on=date(2021, 2, 1))
    child.refresh_from_db()
    assert child.birth_decade is None


# --- age filters -------------------------------------------------------------------------------------------


def test_age_bands_select_by_exact_date_and_are_audited(w):
    """60+ holds who turns 60 today, not who does tomorrow; under 18 holds the withheld newborn; each use writes one
    audit record with the band, the names of the other filters (never their values) and the count."""
    worker = w["registrar1"]
    base = selectors.search_residents(worker, selectors.ResidentFilters())

    def band(name: str, qs=base, filters=None):
        return _names(services.residents_in_age_band(actor=worker, queryset=qs, band=name, filters=filters or {}))

    assert band("60plus") == ["丙", "壬", "庚", "甲"]
    assert band("80plus") == ["庚"]
    assert band("under18") == ["丁", "戊"]
    assert band("60plus", base.filter(name__startswith="甲"), {"text": "甲"}) == ["甲"]
    assert _records("registry.age_filter") == [
        {"age_band": "60plus", "filters": [], "count": 4},
        {"age_band": "80plus", "filters": [], "count": 1},
        {"age_band": "under18", "filters": [], "count": 2},
        {"age_band": "60plus", "filters": ["text"], "count": 1},
    ]


def test_age_band_is_refused_to_roles_that_may_not_reveal(w):
    """A grid worker may list residents but not filter them by age: refused, nothing audited."""
    grid = staff("grid_worker", w["g11"])
    with pytest.raises(PermissionDenied):
        services.residents_in_age_band(actor=grid, queryset=Resident.objects.all(), band="60plus", filters={})
    assert _records("registry.age_filter") == []


def test_age_band_keeps_to_the_reveal_scope(w):
    """Community worker in c2 and grid worker in c1: the age filter lists only c2's residents."""
    user = staff("community_worker", w["c2"])
    RoleAssignment.objects.create(user=user, role="grid_worker", area=w["g11"])
    qs = selectors.search_residents(user, selectors.ResidentFilters())
    assert "甲" in _names(qs)
    assert _names(services.residents_in_age_band(actor=user, queryset=qs, band="60plus", filters={})) == []
    assert _names(services.residents_in_age_band(actor=user, queryset=qs, band="under18", filters={})) == []
    assert [r["count"] for r in _records("registry.age_filter")] == [0, 0]


def test_list_page_offers_the_age_filter_to_roles_that_may_reveal(client, w):
    """community worker: the select, the filtered list, an audit record; grid worker: no select, and 403."""
    client.force_login(w["registrar1"])
    page = client.get(LIST)
    assert 'name="age"' in page.content.decode() and reverse("registry:birthday_list") in page.content.decode()
    response = client.get(LIST, {"age": "80plus"})
    assert [row.r.name for row in response.context["page"].object_list] == ["庚"]
    assert _records("registry.age_filter") == [{"age_band": "80plus", "filters": [], "count": 1}]
    client.force_login(staff("grid_worker", w["g11"]))
    body = client.get(LIST).content.decode()
    assert 'name="age"' not in body and reverse("registry:birthday_list") not in body
    assert client.get(LIST, {"age": "80plus"}).status_code == 403
    assert client.get(reverse("registry:export"), {"age": "80plus"}).status_code == 403
    assert len(_records("registry.age_filter")) == 1


def test_an_age_filtered_export_keeps_no_filter_values_next_to_its_count(client, w):
    """The audit rows of an export by age band and name say which filters were used, never the name."""
    client.force_login(w["registrar1"])
    response = client.get(reverse("registry:export"), {"age": "60plus", "text": "甲"})
    assert response.status_code == 200
    assert _records("registry.age_filter") == [{"age_band": "60plus", "filters": ["text"], "count": 1}]
    [export] = _records("registry.export")
    assert (export["rows"], export["filters"]) == (1, {"age_band": "60plus", "text": "*"})


def test_api_age_filter(w):
    """The API list takes the same age filter: 200 and audited for a community worker, 403 for a grid worker."""
    api = APIClient()
    api.force_authenticate(w["registrar1"])
    response = api.get("/api/v1/residents/", {"age": "under18"})
    assert [r["name"] for r in response.json()["results"]] == ["丁", "戊"]
    assert [r["birth_decade"] for r in response.json()["results"]] == [None, None]  # moved in early in the 2010s
    api.force_authenticate(staff("grid_worker", w["g11"]))
    assert api.get("/api/v1/residents/", {"age": "under18"}).status_code == 403
    assert api.get("/api/v1/residents/", {"age": "old"}).status_code == 400
    assert len(_records("registry.age_filter")) == 1


# --- pages for roles that may not reveal -----------------------------------------------------------------


def test_grid_worker_sees_decades_never_ages_nor_a_prefilled_birth_date(client, w):
    """Lists, detail, building page and edit form show a grid worker the decade only; the edit form has no birth
    date field for a resident with an ID number (a typed date checked against it would answer yes or no)."""
    client.force_login(staff("grid_worker", w["g11"]))
    pages = [
        client.get(LIST).content.decode(),
        client.get(reverse("registry:resident_detail", args=[w["zsf"].public_id])).content.decode(),
        client.get(reverse("registry:building", args=[w["b1"].public_id])).content.decode(),
    ]
    for body in pages:
        assert "1980年代" in body and "岁" not in body and "1980-01-01" not in body
    form = client.get(reverse("registry:resident_edit", args=[w["zsf"].public_id])).context["form"]
    assert "birth_date" not in form.fields
    form = client.get(reverse("registry:resident_edit", args=[w["丙"].public_id])).context["form"]
    assert (form.fields["birth_date"].help_text, form.initial.get("birth_date")) == (
        "已登记（1950年代）；留空则保持不变",
        None,
    )


def test_reveal_of_the_birth_date_shows_the_age(client, w):
    """The audited reveal shows the date and the age on that day."""
    client.force_login(w["registrar1"])
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    revealed = client.post(url, {"field": "birth_date", "reason_code": "home_visit", "reason": "核对"}).context[
        "revealed"
    ]
    assert (revealed["value"], revealed["note"]) == ("1980-01-01", "46岁")
    assert ZSF_ID not in str(AuditRecord.objects.filter(action="registry.reveal").values_list("after", flat=True))


# --- elderly birthday list ---------------------------------------------------------------------------------


def test_birthday_list_of_the_month(w):
    """Residents turning 60 or more on their birthday in March, by day, with the age they turn; 80+ narrows it;
    February means next year's (29 February kept as such). One audit record per call, without dates."""
    worker = w["registrar1"]
    year, found = services.elderly_birthdays(actor=worker, month=3, min_age=60)
    assert (year, [(b.resident.name, b.month, b.day, b.turning) for b in found]) == (
        2026,
        [("庚", 3, 2, 86), ("甲", 3, 16, 60), ("乙", 3, 17, 60)],
    )
    assert [b.resident.name for b in services.elderly_birthdays(actor=worker, month=3, min_age=80)[1]] == ["庚"]
    year, found = services.elderly_birthdays(actor=worker, month=2, min_age=60)
    assert (year, [(b.resident.name, b.day, b.turning) for b in found]) == (2027, [("壬", 29, 67)])
    assert _records("registry.birthday_list") == [
        {"year": 2026, "month": 3, "min_age": 60, "count": 3},
        {"year": 2026, "month": 3, "min_age": 80, "count": 1},
        {"year": 2027, "month": 2, "min_age": 60, "count": 1},
    ]


def test_birthday_list_is_refused_to_roles_that_may_not_reveal(client, w):
    """A grid worker is refused the page, the export and the service; nothing is audited."""
    grid = staff("grid_worker", w["g11"])
    with pytest.raises(PermissionDenied):
        services.elderly_birthdays(actor=grid, month=3, min_age=60)
    client.force_login(grid)
    page = client.get(BIRTHDAYS)
    assert (page.status_code, client.get(BIRTHDAY_EXPORT).status_code) == (403, 403)
    assert "只有可以查看完整证件信息的人员才能查看" in page.content.decode()
    assert AuditRecord.objects.filter(action__startswith="registry.birthday").count() == 0


def test_birthday_page_and_empty_state(client, w):
    """This month by default; another month with nobody shows the empty message and no export button."""
    client.force_login(w["registrar1"])
    response = client.get(BIRTHDAYS)
    body = response.content.decode()
    assert response.status_code == 200 and "2026年3月" in body and "3月2日" in body and "3月16日" in body
    assert ZSF_ID not in body and "1940" not in body
    empty = client.get(BIRTHDAYS, {"month": 7, "age": 100}).content.decode()
    assert "您的辖区内没有100岁及以上的居民在7月过生日。" in empty and BIRTHDAY_EXPORT not in empty
    assert [r["month"] for r in _records("registry.birthday_list")] == [3, 7]


def test_birthday_export_is_formula_safe_and_audited(client, w):
    """The .xlsx holds name, masked ID, address, birthday and age; a name starting with "=" stays text."""
    number = valid_id("19500310", 111)
    make_resident(w["c1"], w["d1"], name="=1+1", id_number=number, moved_in_on="2010-01-01")
    client.force_login(w["registrar1"])
    response = client.get(BIRTHDAY_EXPORT, {"month": 3, "age": 70})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        ["姓名", "证件号码", "小区", "楼栋", "单元", "房号", "生日", "周岁"],
        ["庚", None, "锦苑小区", "1栋", "1单元", "1-301", "3月2日", 86],
        ["=1+1", f"{number[:4]}**********{number[-4:]}", "锦苑小区", "1栋", "1单元", "1-301", "3月10日", 76],
    ]
    assert sheet["A3"].data_type == "s"
    assert _records("registry.birthday_list_export") == [{"year": 2026, "month": 3, "min_age": 70, "count": 2}]
