"""Spreadsheet import: upload (encrypted, typed by content), background validation, report, confirmed apply.

Tasks run inline (HUEY immediate in tests); the upload and the confirmation enqueue them after commit, so
requests run inside `django_capture_on_commit_callbacks(execute=True)`.
"""

import io
import json
import os
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied
from shequ.core.errors import ValidationError as ServiceValidationError
from shequ.core.models import AuditRecord
from shequ.core.validators import resident_id_check_char
from shequ.registry import encryption, import_writers, imports, services
from shequ.registry.models import (
    Household,
    ImportBatch,
    ImportRow,
    Residence,
    Resident,
    ResidentEvent,
    ResidentTag,
)
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名*",
    "性别",
    "证件类型",
    "证件号码",
    "手机号码",
    "户号",
    "与户主关系",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "居住类型",
    "关怀标签",
    "备注",
]


def rid(first17: str) -> str:
    """A checksum-valid resident ID from its first 17 digits."""
    return first17 + resident_id_check_char(first17)


ID_HEAD = rid("51010719700101001")  # male
ID_SPOUSE = rid("51010719720202002")  # female
ID_ELDER = rid("51010719400303003")
ID_OTHER = rid("51010719900404004")
ID_FIFTH = rid("51010719910505005")
MOBILE_HEAD = "13812345678"
MOBILE_OTHER = "13987654321"


def bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def row(
    name,
    id_number="",
    mobile="",
    household="",
    relation="",
    compound="",
    building="",
    unit="",
    room="",
    residence_type="",
    tags="",
    notes="",
    gender="",
    id_type="",
):
    return [
        name,
        gender,
        id_type,
        id_number,
        mobile,
        household,
        relation,
        compound,
        building,
        unit,
        room,
        residence_type,
        tags,
        notes,
    ]


def xlsx(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


FAMILY = [
    row("张三", ID_HEAD, MOBILE_HEAD, "H001", "户主", "锦苑小区", "1栋", "1单元", "301", "户籍"),
    row("李梅", ID_SPOUSE, "", "H001", "配偶", "锦苑小区", "1", "1", "1-301", "户籍"),
    row("王奶奶", ID_ELDER, "", "", "", "", "", "", "", "", "独居老人、残疾人", "需每周探访"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def t():
    return make_tree()


@pytest.fixture
def worker(t):
    return staff("community_worker", t["c1"])


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the wrapped block's on-commit callbacks (the enqueued tasks) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def upload(client, worker, t, run):
    """Upload through the page as the c1 community worker; return the response."""

    def _upload(content: bytes, name: str = "居民名单.xlsx", community=None, user=None):
        client.force_login(user or worker)
        with run():
            return client.post(
                reverse("registry:import_upload"),
                {"community": str((community or t["c1"]).public_id), "file": SimpleUploadedFile(name, content)},
            )

    return _upload


def confirm(client, run, batch, mode):
    with run():
        return client.post(reverse("registry:import_confirm", args=[batch.public_id]), {"mode": mode})


def outcomes(batch) -> dict[int, str]:
    return dict(ImportRow.objects.filter(batch=batch).values_list("row_number", "outcome"))


def errors_of(batch, row_number) -> list[dict]:
    return ImportRow.objects.get(batch=batch, row_number=row_number).errors


def only_batch() -> ImportBatch:
    return ImportBatch.objects.get()


# --- happy path -----------------------------------------------------------------------------------------


def test_valid_file_is_reported_then_imported_with_households_and_residences(client, upload, run, t):
    """Nothing is imported before confirmation; after it the residents, household and stays exist."""
    response = upload(xlsx(FAMILY))
    batch = only_batch()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_detail", args=[batch.public_id])
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.processed_rows, batch.valid_rows) == ("validated", 3, 3, 3)
    assert outcomes(batch) == {2: "create", 3: "create", 4: "create"}
    assert Resident.objects.count() == 0 and Household.objects.count() == 0

    response = confirm(client, run, batch, "all_or_nothing")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.mode, batch.created_count, batch.updated_count) == ("applied", "all_or_nothing", 3, 0)
    people = {r.name: r for r in Resident.objects.filter(community=t["c1"])}
    assert sorted(people) == ["张三", "李梅", "王奶奶"]
    head, spouse, elder = people["张三"], people["李梅"], people["王奶奶"]
    household = Household.objects.get(community=t["c1"], number="H001")
    assert (household.head_id, household.dwelling_id) == (head.pk, t["d1"].pk)
    assert (head.household_id, head.relation, head.dwelling_id) == (household.pk, "head", t["d1"].pk)
    assert (spouse.household_id, spouse.relation, spouse.dwelling_id) == (household.pk, "spouse", t["d1"].pk)
    birth = encryption.decrypt_birth_date(head.birth_date_encrypted)
    assert (head.gender, birth, head.birth_decade, head.residence_type) == ("M", date(1970, 1, 1), 1970, "registered")
    assert encryption.decrypt_document(head.id_number_encrypted) == ID_HEAD
    assert encryption.decrypt_mobile(head.mobile_encrypted) == MOBILE_HEAD
    assert head.id_number_masked == ID_HEAD[:4] + "*" * 10 + ID_HEAD[-4:]
    assert head.pinyin_index == "|zs|zhangsan|"
    assert (elder.household_id, elder.dwelling_id, elder.plain_tags, elder.has_sensitive_tags) == (
        None,
        None,
        "elderly_alone",
        True,
    )
    assert encryption.decrypt_sensitive_tags(elder.sensitive_tags_encrypted) == ["disabled"]
    assert encryption.decrypt_notes(elder.notes_encrypted) == "需每周探访"
    assert ResidentTag.objects.filter(resident=elder).count() == 2
    today = timezone.localdate()
    assert sorted(Residence.objects.values_list("resident__name", "valid_from", "valid_to", "household_id")) == [
        ("张三", today, None, household.pk),
        ("李梅", today, None, household.pk),
        ("王奶奶", today, None, None),
    ]
    assert ResidentEvent.objects.filter(kind="imported").count() == 3
    event = ResidentEvent.objects.get(resident=head)
    assert (event.kind, event.effective_date, event.recorded_by_id) == ("imported", today, batch.uploaded_by_id)
    assert event.details == {"batch": str(batch.public_id), "row": 2, "action": "create"}
    assert Resident.objects.filter(public_id__isnull=False).values("public_id").distinct().count() == 3
    assert ImportRow.objects.filter(batch=batch).exclude(payload_encrypted="").count() == 0


def test_csv_with_gbk_encoding_is_accepted(client, upload, run):
    """A CSV saved by Excel in GBK is read by content and validated like an .xlsx."""
    content = ("\n".join([",".join(HEADER), ",".join(FAMILY[2])]) + "\n").encode("gb18030")
    upload(content, name="名单.csv")
    batch = only_batch()
    assert (batch.status, batch.file_format, outcomes(batch)) == ("validated", "csv", {2: "create"})


# --- row problems -----------------------------------------------------------------------------------------


def test_bad_id_checksum_and_bad_mobile_are_reported_masked(upload):
    """Each problem row names its column, the masked value and the Chinese message; nothing else is lost."""
    wrong = bad_checksum(ID_OTHER)
    upload(xlsx([row("赵六", wrong), row("钱七", ID_FIFTH, "1381234567"), FAMILY[2]]))
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid", 3: "invalid", 4: "create"}
    assert errors_of(batch, 2) == [
        {
            "column": "证件号码",
            "value": wrong[:4] + "*" * 10 + wrong[-4:],
            "message": "身份证号码校验位错误",
            "field": "id_number",
        }
    ]
    assert errors_of(batch, 3) == [
        {"column": "手机号码", "value": "*" * 10, "message": "手机号码应为11位数字，以13–19开头", "field": "mobile"}
    ]
    batch.refresh_from_db()
    assert (batch.valid_rows, batch.invalid_rows) == (1, 2)


def test_duplicate_in_file_names_the_first_row(upload):
    """The second row with the same document is reported against the first and will not be imported."""
    upload(xlsx([FAMILY[0], row("张三（重复）", ID_HEAD)]))
    batch = only_batch()
    assert outcomes(batch) == {2: "create", 3: "duplicate_in_file"}
    assert errors_of(batch, 3) == [
        {
            "column": "证件号码",
            "value": ID_HEAD[:4] + "*" * 10 + ID_HEAD[-4:],
            "message": "与第 2 行证件号码重复",
            "field": "id_number",
        }
    ]


def test_unknown_address_is_an_error(upload):
    """An address that is not a dwelling of the batch's community is reported, with the address as typed and
    the buildings the compound has."""
    upload(xlsx([row("孙八", ID_OTHER, compound="锦苑小区", building="9栋", unit="1单元", room="101")]))
    batch = only_batch()
    assert errors_of(batch, 2) == [
        {
            "column": "住址",
            "value": "锦苑小区 9栋 1单元 101",
            "message": "楼栋在该小区找不到：锦苑小区 9栋 1单元 101；该小区的楼栋有：1栋、2栋",
            "field": "room",
        }
    ]


def test_address_of_another_community_is_not_found(upload):
    """A dwelling that exists only in another community does not resolve."""
    upload(xlsx([row("孙八", ID_OTHER, compound="玉林北苑", building="1栋", unit="1单元", room="1-301")]))
    assert outcomes(only_batch()) == {2: "invalid"}


def test_two_heads_of_one_household_are_refused(upload):
    """A household has one 户主: the second is reported against the first."""
    upload(xlsx([FAMILY[0], row("李梅", ID_SPOUSE, household="H001", relation="户主")]))
    batch = only_batch()
    assert outcomes(batch) == {2: "create", 3: "invalid"}
    assert errors_of(batch, 3)[0]["message"] == "同一户（户号 H001）已有户主（第2行）"


def test_registered_elsewhere_is_reported_without_saying_where(client, upload, run, t):
    """A person registered in another community is reported with the street-office message, never overwritten,
    and the report names neither that community nor its compound."""
    other = services.resident_register(
        actor=staff("community_worker", t["c2"]),
        data=services.ResidentInput(name="王五", community=t["c2"], id_number=ID_OTHER, dwelling=t["d3"]),
    )
    before = Resident.objects.filter(pk=other.pk).values().get()
    upload(xlsx([row("王五改名", ID_OTHER, MOBILE_OTHER), FAMILY[2]]))
    batch = only_batch()
    assert outcomes(batch) == {2: "elsewhere", 3: "create"}
    assert errors_of(batch, 2) == [
        {
            "column": "证件号码",
            "value": ID_OTHER[:4] + "*" * 10 + ID_OTHER[-4:],
            "message": "该居民已在其他社区登记，请联系街道办事处",
            "field": "id_number",
        }
    ]
    body = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert "该居民已在其他社区登记，请联系街道办事处" in body
    assert t["c2"].name not in body and t["compound2"].name not in body and t["s2"].name not in body
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 1)
    assert Resident.objects.filter(pk=other.pk).values().get() == before


def test_existing_resident_of_the_community_is_updated(client, upload, run, worker, t):
    """Same document in the same community: the report lists it as an update; applying changes the filled-in
    columns only (an empty cell keeps what the register holds) and records an import event."""
    existing = services.resident_register(
        actor=worker,
        data=services.ResidentInput(name="张三", community=t["c1"], id_number=ID_HEAD, notes="老备注"),
    )
    upload(xlsx([row("张三", ID_HEAD, MOBILE_HEAD, residence_type="户籍")]))
    batch = only_batch()
    assert outcomes(batch) == {2: "update"}
    assert ImportRow.objects.get(batch=batch).target_id == existing.pk
    body = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert "将更新的本社区居民（1 行）" in body and existing.id_number_masked in body
    confirm(client, run, batch, "all_or_nothing")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.updated_count) == ("applied", 0, 1)
    existing.refresh_from_db()
    assert Resident.objects.count() == 1
    assert encryption.decrypt_mobile(existing.mobile_encrypted) == MOBILE_HEAD
    assert existing.residence_type == "registered"
    assert encryption.decrypt_notes(existing.notes_encrypted) == "老备注"
    event = ResidentEvent.objects.get(resident=existing, kind="imported")
    assert event.details == {
        "batch": str(batch.public_id),
        "row": 2,
        "action": "update",
        "fields": ["mobile", "residence_type"],
    }


def test_update_with_a_birth_date_stores_it_encrypted_with_its_decade(client, upload, run, worker, t):
    """A birth date given for a registered resident is stored encrypted with its decade; the import event names
    the field, never the value."""
    existing = services.resident_register(
        actor=worker,
        data=services.ResidentInput(name="约翰", community=t["c1"], id_type="passport", id_number="E12345678"),
    )
    assert (existing.birth_date_encrypted, existing.birth_decade) == ("", None)
    upload(xlsx([["约翰", "护照", "E12345678", "2015-05-05"]], header=["姓名*", "证件类型", "证件号码", "出生日期"]))
    batch = only_batch()
    assert outcomes(batch) == {2: "update"}
    confirm(client, run, batch, "all_or_nothing")
    existing.refresh_from_db()
    assert encryption.decrypt_birth_date(existing.birth_date_encrypted) == date(2015, 5, 5)
    assert existing.birth_decade == 2010
    event = ResidentEvent.objects.get(resident=existing, kind="imported")
    assert event.details["fields"] == ["birth_date"]


def test_resident_who_withdrew_consent_is_not_restored_by_an_import(upload, worker, t):
    """A resident of the community who withdrew consent is reported, not updated back into the register."""
    r = services.resident_register(
        actor=worker,
        data=services.ResidentInput(name="周九", community=t["c1"], id_number=ID_OTHER, legal_basis="consent"),
    )
    services.consent_withdraw(actor=worker, resident=r)
    upload(xlsx([row("周九", ID_OTHER, MOBILE_OTHER)]))
    batch = only_batch()
    assert outcomes(batch) == {2: "invalid"}
    assert errors_of(batch, 2)[0]["message"] == "该居民已撤回同意，不能通过导入恢复其信息"


# --- whole-file problems ----------------------------------------------------------------------------------


def test_missing_required_column_fails_the_batch(client, upload):
    """A file without a 姓名 column fails as a whole with a Chinese message; nothing is staged."""
    upload(xlsx([[ID_HEAD, MOBILE_HEAD]], header=["证件号码", "手机号码"]))
    batch = only_batch()
    assert (batch.status, batch.message) == ("failed", "缺少必需的列：姓名")
    assert ImportRow.objects.count() == 0
    page = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert "失败：缺少必需的列：姓名" in page and "全部有效才导入" not in page


def test_too_many_rows_fails_the_batch_and_drops_what_was_staged(upload, monkeypatch):
    """Rows beyond the limit fail the whole file, even after earlier chunks were staged."""
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    monkeypatch.setattr(imports, "STAGE_CHUNK", 1)
    upload(xlsx(FAMILY))
    batch = only_batch()
    assert (batch.status, batch.message) == ("failed", "数据超过 2 行，请拆分文件后分批导入")
    assert ImportRow.objects.count() == 0


def test_png_named_xlsx_is_refused_and_nothing_stored(upload, media):
    """The content decides the type: a PNG renamed .xlsx is refused on the form, no batch and no file kept."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = upload(png, name="居民.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["文件不是有效的 Excel（.xlsx）或 CSV 文件"]
    assert ImportBatch.objects.count() == 0
    assert not (media / "imports").exists() or list((media / "imports").iterdir()) == []


def test_zip_that_is_not_a_workbook_is_refused(upload, media):
    """An .xlsx that is really a ZIP of something else is refused the same way."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    response = upload(buf.getvalue(), name="居民.xlsx")
    assert response.context["form"].errors["file"] == ["文件不是有效的 Excel（.xlsx）或 CSV 文件"]
    assert ImportBatch.objects.count() == 0


def test_large_upload_never_goes_to_a_temporary_file(upload, settings, tmp_path):
    """An upload over Django's in-memory threshold is still kept in memory: with no usable temporary directory
    the page works, so the clear bytes never reached a temporary file."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "does-not-exist")
    buf = io.BytesIO(xlsx(FAMILY))
    with zipfile.ZipFile(buf, "a") as archive:
        archive.writestr("xl/media/padding.bin", os.urandom(3 * 1024 * 1024), compress_type=zipfile.ZIP_STORED)
    assert len(buf.getvalue()) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = upload(buf.getvalue())
    assert response.status_code == 302
    assert only_batch().status == "validated"


def test_upload_over_20_mb_is_refused_on_the_page(upload):
    """The page reports the size limit; nothing is stored."""
    response = upload(b"a" * (imports.MAX_UPLOAD_BYTES + 10), name="big.csv")
    assert response.context["form"].errors["file"] == ["文件不能超过 20 MB，请拆分后分批导入"]
    assert ImportBatch.objects.count() == 0


def test_file_over_20_mb_is_refused(worker, t):
    """The size limit is checked before anything is stored."""
    big = SimpleUploadedFile("big.csv", b"a" * (imports.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ServiceValidationError) as exc:
        imports.import_upload(actor=worker, community=t["c1"], fileobj=big, file_name="big.csv")
    assert exc.value.message_dict == {"file": ["文件不能超过 20 MB，请拆分后分批导入"]}
    assert ImportBatch.objects.count() == 0


# --- confirmation modes -----------------------------------------------------------------------------------


def test_all_or_nothing_refuses_when_any_row_is_invalid(client, upload, run):
    """One bad row: all_or_nothing is refused with a message and imports nothing; the batch stays confirmable."""
    upload(xlsx([*FAMILY, row("赵六", bad_checksum(ID_OTHER))]))
    batch = only_batch()
    response = confirm(client, run, batch, "all_or_nothing")
    page = client.get(response["Location"]).content.decode()
    assert "有 1 行有误或不能导入，“全部有效才导入”未执行；请修改文件后重新上传，或选择“只导入有效行”" in page
    batch.refresh_from_db()
    assert (batch.status, batch.mode) == ("validated", "")
    assert Resident.objects.count() == 0 and Household.objects.count() == 0 and ResidentEvent.objects.count() == 0


def test_valid_only_imports_only_the_valid_rows(client, upload, run):
    """valid_only applies the create/update rows and leaves the invalid ones out."""
    upload(xlsx([*FAMILY, row("赵六", bad_checksum(ID_OTHER)), row("钱七", ID_FIFTH, "123")]))
    batch = only_batch()
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 3)
    assert sorted(Resident.objects.values_list("name", flat=True)) == ["张三", "李梅", "王奶奶"]


def test_update_that_moves_a_resident_closes_the_old_stay(client, upload, run, worker, t):
    """An update giving a new household and address ends the current stay today and opens a new one; the
    new household is created with the resident as its head."""
    existing = services.resident_register(
        actor=worker, data=services.ResidentInput(name="张三", community=t["c1"], id_number=ID_HEAD)
    )
    upload(
        xlsx(
            [
                row(
                    "张三",
                    ID_HEAD,
                    household="H009",
                    relation="户主",
                    compound="锦苑小区",
                    building="1栋",
                    unit="1单元",
                    room="301",
                )
            ]
        )
    )
    confirm(client, run, only_batch(), "all_or_nothing")
    existing.refresh_from_db()
    household = Household.objects.get(number="H009")
    assert (existing.household_id, existing.relation, existing.dwelling_id) == (household.pk, "head", t["d1"].pk)
    assert (household.head_id, household.dwelling_id) == (existing.pk, t["d1"].pk)
    today = timezone.localdate()
    assert list(
        Residence.objects.filter(resident=existing)
        .order_by("id")
        .values_list("valid_from", "valid_to", "dwelling_id", "household_id")
    ) == [(today, today, None, None), (today, None, t["d1"].pk, household.pk)]
    assert ResidentEvent.objects.get(resident=existing, kind="imported").details["fields"] == [
        "dwelling",
        "household",
        "relation",
    ]


def test_document_registered_elsewhere_after_validation_is_skipped_on_apply(client, upload, run, t):
    """Re-checked at apply time: a create row whose person was registered meanwhile in another community is
    skipped and reported; the rest is applied."""
    upload(xlsx([row("赵六", ID_OTHER), FAMILY[2]]))
    batch = only_batch()
    services.resident_register(
        actor=staff("community_worker", t["c2"]),
        data=services.ResidentInput(name="赵六", community=t["c2"], id_number=ID_OTHER),
    )
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 1)
    assert batch.message == "1 行在校验后已在其他社区登记或不能导入，已跳过"
    assert outcomes(batch) == {2: "elsewhere", 3: "create"}
    assert errors_of(batch, 2)[0]["message"] == "该居民已在其他社区登记，请联系街道办事处"
    assert Resident.objects.filter(community=t["c1"]).count() == 1


def test_all_or_nothing_refuses_at_apply_when_a_row_became_elsewhere(client, upload, run, t):
    """all_or_nothing fails (nothing applied) if a row's person was registered elsewhere after validation; the
    report then shows that row, and only valid_only remains possible."""
    upload(xlsx([row("赵六", ID_OTHER), FAMILY[2]]))
    batch = only_batch()
    services.resident_register(
        actor=staff("community_worker", t["c2"]),
        data=services.ResidentInput(name="赵六", community=t["c2"], id_number=ID_OTHER),
    )
    confirm(client, run, batch, "all_or_nothing")
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (
        "failed",
        "有 1 行的居民在校验后已在其他社区登记或不能导入，“全部有效才导入”未执行，未导入任何数据",
    )
    assert outcomes(batch) == {2: "elsewhere", 3: "create"}
    assert Resident.objects.filter(community=t["c1"]).count() == 0
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("applied", 1)


def test_document_registered_here_after_validation_becomes_an_update(client, upload, run, worker, t):
    """A create row whose person was registered meanwhile in the same community updates that resident."""
    upload(xlsx([row("赵六", ID_OTHER, MOBILE_OTHER)]))
    batch = only_batch()
    meanwhile = services.resident_register(
        actor=worker, data=services.ResidentInput(name="赵六", community=t["c1"], id_number=ID_OTHER)
    )
    confirm(client, run, batch, "all_or_nothing")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.updated_count) == ("applied", 0, 1)
    meanwhile.refresh_from_db()
    assert encryption.decrypt_mobile(meanwhile.mobile_encrypted) == MOBILE_OTHER
    assert outcomes(batch) == {2: "update"}


def test_failure_midway_leaves_nothing_applied_and_can_be_retried(client, upload, run, monkeypatch):
    """The 2nd chunk of resident inserts raises: no resident, household, stay, tag or event remains; the batch
    is failed with its staged rows kept, and confirming again imports everything."""
    people = [*FAMILY, row("赵六", ID_OTHER, household="H002", relation="户主"), row("钱七", ID_FIFTH)]
    upload(xlsx(people))
    batch = only_batch()
    monkeypatch.setattr(import_writers, "APPLY_CHUNK", 2)
    original = import_writers._execute_chunk
    resident_chunks = []

    def failing_chunk(cursor, statement, rows):
        if statement.table == Resident._meta.db_table:
            resident_chunks.append(len(rows))
            if len(resident_chunks) == 2:
                raise RuntimeError("disk full")
        return original(cursor, statement, rows)

    monkeypatch.setattr(import_writers, "_execute_chunk", failing_chunk)
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert resident_chunks == [2, 2]
    assert (batch.status, batch.message) == ("failed", "导入过程中出错，未导入任何数据；可稍后重新确认导入")
    assert [m.objects.count() for m in (Resident, Household, Residence, ResidentTag, ResidentEvent)] == [0] * 5
    assert ImportRow.objects.filter(batch=batch).exclude(payload_encrypted="").count() == 5

    monkeypatch.setattr(import_writers, "_execute_chunk", original)
    confirm(client, run, batch, "valid_only")
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, Resident.objects.count(), Household.objects.count()) == (
        "applied",
        5,
        5,
        2,
    )
    assert sorted(Household.objects.values_list("number", "head__name")) == [("H001", "张三"), ("H002", "赵六")]


def test_cancel_deletes_the_staged_rows(client, upload, run):
    """Cancelling a validated batch removes its staged rows; it cannot be confirmed afterwards."""
    upload(xlsx(FAMILY))
    batch = only_batch()
    response = client.post(reverse("registry:import_cancel", args=[batch.public_id]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, ImportRow.objects.count()) == ("cancelled", 0)
    assert (
        "该批次已取消，暂存的数据已删除。"
        in client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    )
    confirm(client, run, batch, "valid_only")
    assert Resident.objects.count() == 0


# --- scope ------------------------------------------------------------------------------------------------


def test_community_worker_cannot_import_into_another_community(client, upload, worker, t, media):
    """Posting another community answers 404 and stores nothing; the service refuses it too."""
    response = upload(csv_bytes([FAMILY[2]]), name="a.csv", community=t["c2"])
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        imports.import_upload(
            actor=worker, community=t["c2"], fileobj=io.BytesIO(csv_bytes([FAMILY[2]])), file_name="a.csv"
        )
    assert ImportBatch.objects.count() == 0
    assert not (media / "imports").exists() or list((media / "imports").iterdir()) == []


def test_grid_worker_has_no_import(client, t):
    """A grid worker sees no import pages and the service refuses."""
    grid_worker = staff("grid_worker", t["g11"])
    client.force_login(grid_worker)
    assert client.get(reverse("registry:import_list")).status_code == 404
    assert client.get(reverse("registry:import_upload")).status_code == 404
    assert client.get(reverse("registry:import_template")).status_code == 404
    with pytest.raises(PermissionDenied):
        imports.import_upload(
            actor=grid_worker, community=t["c1"], fileobj=io.BytesIO(csv_bytes([FAMILY[2]])), file_name="a.csv"
        )


def test_batches_of_another_community_are_not_found(client, upload, t):
    """Another community's worker gets 404 on every page of the batch and cannot confirm it."""
    upload(xlsx(FAMILY))
    batch = only_batch()
    client.force_login(staff("community_worker", t["c2"]))
    for name in ("import_detail", "import_progress", "import_errors_xlsx"):
        assert client.get(reverse(f"registry:{name}", args=[batch.public_id])).status_code == 404
    confirm_url = reverse("registry:import_confirm", args=[batch.public_id])
    assert client.post(confirm_url, {"mode": "valid_only"}).status_code == 404
    assert client.post(reverse("registry:import_cancel", args=[batch.public_id])).status_code == 404
    assert list(client.get(reverse("registry:import_list")).context["page"].object_list) == []
    batch.refresh_from_db()
    assert batch.status == "validated"


# --- personal information ---------------------------------------------------------------------------------


def test_report_and_error_export_never_show_a_clear_id_or_mobile(client, upload, t):
    """The page and the .xlsx of problems carry masked values only."""
    services.resident_register(
        actor=staff("community_worker", t["c2"]),
        data=services.ResidentInput(name="王五", community=t["c2"], id_number=ID_OTHER),
    )
    wrong = bad_checksum(ID_FIFTH)
    upload(
        xlsx(
            [
                FAMILY[0],
                row("重复", ID_HEAD, MOBILE_OTHER),
                row("王五", ID_OTHER, MOBILE_OTHER),
                row("错号", wrong, "1391234567"),
                row("错手机", ID_SPOUSE, "12345678901"),
            ]
        )
    )
    batch = only_batch()
    page = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    export = client.get(reverse("registry:import_errors_xlsx", args=[batch.public_id]))
    assert export["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = b"".join(export.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["行号", "列", "内容（已脱敏）", "问题"]
    masked = {n: n[:4] + "*" * 10 + n[-4:] for n in (ID_HEAD, ID_OTHER, wrong)}
    assert [[c.value for c in r] for r in sheet.iter_rows(min_row=2)] == [
        [3, "证件号码", masked[ID_HEAD], "与第 2 行证件号码重复"],
        [4, "证件号码", masked[ID_OTHER], "该居民已在其他社区登记，请联系街道办事处"],
        [5, "证件号码", masked[wrong], "身份证号码校验位错误"],
        [5, "手机号码", "*" * 10, "手机号码应为11位数字，以13–19开头"],
        [6, "手机号码", "123****8901", "手机号码应为11位数字，以13–19开头"],
    ]
    for clear in (ID_HEAD, ID_OTHER, wrong, ID_SPOUSE, MOBILE_HEAD, MOBILE_OTHER, "1391234567", "12345678901"):
        assert clear not in page
        assert clear not in xml
    assert "与第 2 行证件号码重复" in page
    assert masked[ID_HEAD] in page and masked[ID_HEAD] in xml  # digits are written literally in the sheet XML


def test_uploaded_file_is_stored_encrypted_and_deleted_after_validation(worker, t, media, run):
    """On disk the upload is ciphertext (the ID number is not in it); validation deletes it."""
    content = csv_bytes([FAMILY[0]])
    batch = imports.import_upload(actor=worker, community=t["c1"], fileobj=io.BytesIO(content), file_name="a.csv")
    stored = media / "imports" / f"{batch.public_id}.bin"
    raw = stored.read_bytes()
    assert ID_HEAD.encode() not in raw and MOBILE_HEAD.encode() not in raw and "张三".encode() not in raw
    assert raw.startswith(b"k1$")
    assert imports.open_bytes(raw) == content
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    imports.validate_batch(batch.pk)
    assert not stored.exists()
    batch.refresh_from_db()
    assert batch.status == "validated"
    payload = ImportRow.objects.get(batch=batch).payload_encrypted
    assert ID_HEAD not in payload and MOBILE_HEAD not in payload


def test_audit_records_of_a_batch_hold_no_clear_id_or_mobile(client, upload, run):
    """Upload, validation, confirmation and apply are audited (one record for the whole apply), masked."""
    upload(xlsx([*FAMILY, row("错手机", ID_OTHER, "12345678901")]), name=f"名单{MOBILE_HEAD}.xlsx")
    batch = only_batch()
    confirm(client, run, batch, "valid_only")
    records = AuditRecord.objects.filter(object_id=str(batch.public_id)).order_by("id")
    assert [r.action for r in records] == [
        "registry.import_uploaded",
        "registry.import_validated",
        "registry.import_confirmed",
        "registry.import_applied",
    ]
    uploaded, applied = records[0], records[3]
    assert uploaded.after["file_name"] == "名单138****5678.xlsx"
    assert uploaded.after["sha256"] == batch.file_sha256 and uploaded.after["size"] > 0
    assert applied.after == {
        "batch": str(batch.public_id),
        "mode": "valid_only",
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "households_created": 1,
    }
    dump = json.dumps([[r.object_label, r.before, r.after] for r in records], ensure_ascii=False)
    for clear in (ID_HEAD, ID_SPOUSE, ID_ELDER, ID_OTHER, MOBILE_HEAD, "12345678901"):
        assert clear not in dump


# --- pages ------------------------------------------------------------------------------------------------


def test_progress_partial_polls_while_running_and_refreshes_when_done(client, worker, t, upload):
    """Before validation the partial polls every 2 s; once done an htmx request is told to reload."""
    client.force_login(worker)
    batch = imports.import_upload(
        actor=worker, community=t["c1"], fileobj=io.BytesIO(csv_bytes([FAMILY[2]])), file_name="a.csv"
    )
    url = reverse("registry:import_progress", args=[batch.public_id])
    detail = client.get(reverse("registry:import_detail", args=[batch.public_id])).content.decode()
    assert f'hx-get="{url}" hx-trigger="every 2s"' in detail
    polling = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in polling.content.decode() and "HX-Refresh" not in polling
    imports.validate_batch(batch.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "every 2s" not in done.content.decode()


def test_list_upload_form_and_template_pages(client, worker, t):
    """The list, the form (communities of scope only) and the template download work for an importer."""
    client.force_login(worker)
    assert client.get(reverse("registry:import_list")).status_code == 200
    form = client.get(reverse("registry:import_upload")).context["form"]
    assert form.fields["community"].choices == [(str(t["c1"].public_id), t["c1"].name)]
    response = client.get(reverse("registry:import_template"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    from shequ.registry.columns import read_rows

    header, rows = read_rows(io.BytesIO(b"".join(response.streaming_content)), "t.xlsx")
    assert "id_number" in header.columns
    list(rows)


def test_reserved_keys_are_never_handed_out_again(t):
    """Keys reserved for an apply are skipped by every later insert, on SQLite and PostgreSQL alike."""
    reserved = import_writers.reserve_ids(Household, 3)
    assert len(reserved) == 3 and len(set(reserved)) == 3
    later = Household.objects.create(community=t["c1"], number="X1")
    assert later.pk > max(reserved)
