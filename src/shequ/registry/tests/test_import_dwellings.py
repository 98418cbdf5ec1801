"""Imports of real registers (issue 13): unknown places named, missing dwellings created from the import after
confirmation, other spellings from the admins' table, empty names, duplicates, formula-like cells."""

import importlib
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied
from shequ.core.errors import ValidationError as ServiceValidationError
from shequ.core.models import AuditRecord
from shequ.registry import columns, encryption, exports, import_places, imports
from shequ.registry.models import ImportBatch, ImportRow, Resident, ValueAlias
from shequ.territory.models import BuildingUnit, Dwelling
from shequ.territory.tests.factories import make_tree

from .test_imports import FAMILY, ID_HEAD, ID_OTHER, ID_SPOUSE, csv_bytes, row, xlsx

pytestmark = pytest.mark.django_db

LAYOUT = "该楼栋有 1–2 单元，1–6 层，每层 01–02 室"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def t():
    """make_tree, with building b1 (锦苑小区 1栋) given 6 floors, 2 units and rooms 01–02 on each floor, all
    registered except 1-302 and 2-302; the x02 rooms of unit 1 measure 60, 62, … 70 ㎡."""
    t = make_tree()
    b1 = t["b1"]
    b1.floors = 6
    b1.save()
    unit1 = BuildingUnit.objects.get(building=b1, number=1)
    unit2 = BuildingUnit.objects.create(building=b1, number=2, name="2单元")
    for unit in (unit1, unit2):
        for floor in range(1, 7):
            for room in (1, 2):
                number = f"{unit.number}-{floor}{room:02d}"
                if number in ("1-301", "1-302", "2-302"):
                    continue
                area = Decimal(58 + 2 * floor) if room == 2 else Decimal("90.00")
                Dwelling.objects.create(unit=unit, building=b1, floor=floor, number=number, floor_area=area)
    return t


@pytest.fixture
def worker(t):
    return staff("community_worker", t["c1"])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def upload(client, worker, t, run):
    def _upload(content: bytes, name: str = "居民名单.xlsx"):
        client.force_login(worker)
        with run():
            return client.post(
                reverse("registry:import_upload"),
                {"community": str(t["c1"].public_id), "file": SimpleUploadedFile(name, content)},
            )

    return _upload


def only_batch() -> ImportBatch:
    return ImportBatch.objects.get()


def outcomes(batch) -> dict[int, str]:
    return dict(ImportRow.objects.filter(batch=batch).values_list("row_number", "outcome"))


def messages_of(batch, row_number) -> list[str]:
    return [e["message"] for e in ImportRow.objects.get(batch=batch, row_number=row_number).errors]


def at(building="1栋", unit="1单元", room="302", compound="锦苑小区"):
    return {"compound": compound, "building": building, "unit": unit, "room": room}


def person(name, id_number="", **place):
    p = at(**place)
    return row(name, id_number, compound=p["compound"], building=p["building"], unit=p["unit"], room=p["room"])


# --- what the report says ---------------------------------------------------------------------------------


def test_room_numbers_read_floor_and_spans_are_compact():
    """301 is floor 3 room 01, 1-1203 floor 12 room 03; number lists are written as ranges."""
    assert import_places.room_floor("301") == (3, "01")
    assert import_places.room_floor("1-1203") == (12, "03")
    assert import_places.room_floor("A3") is None
    assert import_places.room_floor("001") is None
    assert import_places.spans([3, 1, 2, 5]) == "1–3、5"
    assert import_places.spans([1, 2, 3, 4], 2) == "01–04"
    assert import_places.spans([7]) == "7"


def test_unknown_compound_names_the_communitys_compounds(upload):
    """A compound the community does not have: the report names the compounds it has."""
    upload(xlsx([person("孙八", ID_OTHER, compound="金苑小区")]))
    assert messages_of(only_batch(), 2) == ["小区在本社区找不到：金苑小区 1栋 1单元 302；本社区的小区有：锦苑小区"]


def test_missing_dwelling_names_the_buildings_units_floors_and_rooms(upload):
    """A dwelling not in the register: the report gives the building's layout; the row waits for it."""
    upload(xlsx([person("孙八", ID_OTHER)]))
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid"}
    assert messages_of(batch, 2) == [f"房屋未登记：锦苑小区 1栋 1单元 302；{LAYOUT}"]
    error = ImportRow.objects.get(batch=batch).errors[0]
    assert error["code"] == "dwelling_missing"
    assert error["dwelling"]["number"] == "1-302" and error["dwelling"]["floor"] == 3
    assert ImportRow.objects.get(batch=batch).payload_encrypted  # kept (encrypted) for the re-check


def test_unknown_unit_or_floor_is_reported_without_offering_a_dwelling(upload):
    """A unit the building lacks, or a floor above its top, is reported with the layout and never created."""
    upload(xlsx([person("孙八", ID_OTHER, unit="3单元"), person("周九", ID_SPOUSE, room="902")]))
    batch = only_batch()
    assert messages_of(batch, 2) == [f"单元在该楼栋中找不到：锦苑小区 1栋 3单元 302；{LAYOUT}"]
    assert messages_of(batch, 3) == [f"房屋未登记：锦苑小区 1栋 1单元 902；{LAYOUT}"]
    assert not ImportRow.objects.exclude(payload_encrypted="").exists()
    assert imports.import_report.missing_dwellings(batch) == []


def test_row_without_a_name_is_an_error(upload):
    """A row with a document but no name is reported on 姓名."""
    upload(csv_bytes([row("", ID_OTHER)]), name="a.csv")
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid"}
    assert messages_of(batch, 2) == ["姓名不能为空"]


def test_same_document_twice_names_both_rows_even_when_the_first_waits(upload):
    """The later row is reported against the earlier one, also when the earlier waits for its dwelling."""
    upload(xlsx([person("孙八", ID_OTHER), row("孙八（重复）", ID_OTHER), row("李梅", ID_SPOUSE)]))
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid", 3: "duplicate_in_file", 4: "create"}
    assert ImportRow.objects.get(batch=batch, row_number=3).errors == [
        {
            "column": "证件号码",
            "value": ID_OTHER[:4] + "*" * 10 + ID_OTHER[-4:],
            "message": "与第 2 行证件号码重复",
            "field": "id_number",
        }
    ]


# --- creating the missing dwellings -------------------------------------------------------------------------


def test_listed_dwellings_are_created_then_the_rows_are_valid_and_import(client, upload, worker, run, t):
    """The confirmation lists each missing dwelling once with its rows and a suggested area; confirming creates
    them in one step, audited, and the waiting rows become valid and import into them."""
    upload(
        xlsx(
            [
                person("孙八", ID_OTHER, room="302"),
                person("周九", ID_SPOUSE, room="1-302"),
                person("吴十", ID_HEAD, building="1", unit="2", room="302"),
                FAMILY[2],
            ]
        )
    )
    batch = only_batch()
    assert (batch.valid_rows, batch.invalid_rows) == (1, 3)
    missing = imports.import_report.missing_dwellings(batch)
    assert [(m.label, m.rows, m.suggested_area) for m in missing] == [
        ("锦苑小区 1栋 1单元 1-302（3 层）", [2, 3], Decimal("66.00")),  # median of 1-102 … 1-602
        ("锦苑小区 1栋 2单元 2-302（3 层）", [4], Decimal("66.00")),
    ]
    page = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert "有 3 行只因房屋未登记而不能导入，涉及 2 套房屋。" in page
    form = client.get(reverse("registry:import_dwellings", args=[batch.public_id])).content.decode()
    assert "锦苑小区 1栋 1单元 1-302（3 层）" in form and 'value="66.00"' in form

    response = client.post(
        reverse("registry:import_dwellings", args=[batch.public_id]), {f"area-{missing[1].key}": "71.5"}
    )
    assert response.status_code == 302
    created = {d.number: d for d in Dwelling.objects.filter(number__in=["1-302", "2-302"])}
    assert [(d.floor, d.floor_area, d.unit.number) for d in created.values()] == [
        (3, Decimal("66.00"), 1),
        (3, Decimal("71.50"), 2),
    ]
    batch.refresh_from_db()
    assert outcomes(batch) == {2: "create", 3: "create", 4: "create", 5: "create"}
    assert (batch.valid_rows, batch.invalid_rows) == (4, 0)
    record = AuditRecord.objects.get(action="registry.import_dwellings_created")
    assert record.actor_id == worker.pk
    assert [d["place"] for d in record.after["dwellings"]] == [m.label for m in missing]
    assert record.after["rows_rechecked"] == 3

    with run():
        client.post(reverse("registry:import_confirm", args=[batch.public_id]), {"mode": "all_or_nothing"})
    by_name = {r.name: r for r in Resident.objects.all()}
    assert by_name["孙八"].dwelling_id == created["1-302"].pk
    assert by_name["吴十"].dwelling_id == created["2-302"].pk
    assert encryption.decrypt_document(by_name["孙八"].id_number_encrypted) == ID_OTHER


def test_a_bad_area_refuses_everything(upload, worker):
    """An area that is not a positive number refuses the request: no dwelling, rows unchanged, no audit."""
    upload(xlsx([person("孙八", ID_OTHER), person("吴十", ID_HEAD, unit="2单元")]))
    batch = only_batch()
    keys = [m.key for m in imports.import_report.missing_dwellings(batch)]
    with pytest.raises(ServiceValidationError):
        imports.import_create_dwellings(actor=worker, batch=batch, floor_areas={keys[0]: "80", keys[1]: "0"})
    assert not Dwelling.objects.filter(number__endswith="-302").exists()
    assert outcomes(batch) == {2: "invalid", 3: "invalid"}
    assert not AuditRecord.objects.filter(action="registry.import_dwellings_created").exists()


def test_only_import_roles_of_the_community_create_dwellings(client, upload, t):
    """A grid worker and another community's worker are refused; nothing is created."""
    upload(xlsx([person("孙八", ID_OTHER)]))
    batch = only_batch()
    for outsider in (staff("grid_worker", t["g11"]), staff("community_worker", t["c2"])):
        with pytest.raises(PermissionDenied):
            imports.import_create_dwellings(actor=outsider, batch=batch)
        client.force_login(outsider)
        assert client.post(reverse("registry:import_dwellings", args=[batch.public_id])).status_code == 404
    assert not Dwelling.objects.filter(number="1-302").exists()
    assert outcomes(batch) == {2: "invalid"}


def test_a_waiting_row_registered_elsewhere_is_not_offered(upload, t):
    """A row registered in another community is reported so, and its dwelling is not offered for creation."""
    from shequ.registry import services

    services.resident_register(
        actor=staff("community_worker", t["c2"]),
        data=services.ResidentInput(name="王五", community=t["c2"], id_number=ID_OTHER),
    )
    upload(xlsx([person("王五", ID_OTHER)]))
    batch = only_batch()
    assert outcomes(batch) == {2: "elsewhere"}
    assert imports.import_report.missing_dwellings(batch) == []


# --- other spellings ------------------------------------------------------------------------------------------


def test_other_spellings_from_the_table_are_accepted(upload):
    """男性 for 男, 残疾 for 残疾人, 儿子 for 子女 are read through ValueAlias; without a row they are errors."""
    ValueAlias.objects.all().delete()
    rows = [row("周九", gender="男性", relation="儿子", tags="残疾、独居")]
    upload(csv_bytes(rows), name="a.csv")
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid"}
    assert len(messages_of(batch, 2)) == 3
    ValueAlias.objects.bulk_create(
        [
            ValueAlias(column="gender", alias="男性", value="男"),
            ValueAlias(column="relation", alias="儿子", value="子女"),
            ValueAlias(column="care_tags", alias="残疾", value="残疾人"),
            ValueAlias(column="care_tags", alias="独居", value="独居老人"),
        ]
    )
    upload(csv_bytes(rows), name="b.csv")
    second = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert outcomes(second) == {2: "create"}


def test_validate_row_reads_aliases_ignoring_width_and_spaces():
    """The alias map is matched like the labels (NFKC, spaces, case)."""
    aliases = columns.alias_map([("gender", "Ｍａｌｅ ", "男"), ("care_tags", "残 疾", "残疾人"), ("bogus", "x", "y")])
    result = columns.validate_row({"name": "甲", "gender": "male", "care_tags": "残疾"}, aliases=aliases)
    assert result.ok and result.clean["gender"] == "M" and result.clean["care_tags"] == ["disabled"]
    assert "bogus" not in aliases


def test_seeded_aliases_stand_for_real_values():
    """The data migration seeds common spellings, each standing for a value its column accepts."""
    seed = importlib.import_module("shequ.registry.migrations.0005_value_aliases")
    ValueAlias.objects.all().delete()
    seed.seed(apps, None)
    table = {(a.column, a.alias): a.value for a in ValueAlias.objects.all()}
    assert table[("care_tags", "残疾")] == "残疾人" and table[("gender", "男性")] == "男"
    for (column, _alias), value in table.items():
        assert value in columns.canonical_values(column)


def test_alias_table_is_in_the_admin_and_checks_its_value():
    """Admins edit the table in the Django admin; a value the column does not have is refused."""
    assert ValueAlias in admin.site._registry
    with pytest.raises(DjangoValidationError):
        ValueAlias(column="care_tags", alias="残", value="残废").full_clean()
    ValueAlias(column="care_tags", alias="残", value="残疾人").full_clean()


# --- formula-like cells -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=1+2", "+86张", "-张三", "@SUM(A1)"])
def test_formula_like_cell_is_stored_as_text_and_exported_safely(client, upload, worker, run, name):
    """A name starting with = + - @ is imported as typed and exported as a text cell with Excel's quote prefix,
    never a formula."""
    upload(csv_bytes([row(name, ID_OTHER), row("乙", ID_SPOUSE, gender="=1+1")]), name="a.csv")
    batch = only_batch()
    assert outcomes(batch) == {2: "create", 3: "invalid"}
    errors = client.get(reverse("registry:import_errors_xlsx", args=[batch.public_id]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    cell = sheet.cell(row=2, column=3)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    with run():
        client.post(reverse("registry:import_confirm", args=[batch.public_id]), {"mode": "valid_only"})
    resident = Resident.objects.get()
    assert resident.name == name
    data = exports.export_residents(actor=worker, queryset=Resident.objects.all(), filters={}).read()
    cell = openpyxl.load_workbook(io.BytesIO(data)).active.cell(row=2, column=1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
