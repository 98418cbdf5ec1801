"""Migration 0003: clear birth dates become ciphertext plus the decade; without the keyring it refuses, changing
nothing."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shequ.accounts.tests.factories import UserFactory
from shequ.core import crypto

BEFORE = [("registry", "0002_importbatch_heartbeat")]
AFTER = [("registry", "0003_resident_birth_date_encrypted")]
PURPOSE = "registry.resident.birth_date"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_latest() -> None:
    """Back to the latest migrations, so that later tests find every table (0003 is not the last one)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _residents_before(apps) -> None:
    Area, Resident = apps.get_model("territory", "Area"), apps.get_model("registry", "Resident")
    community = Area.objects.create(level="community", code="510107001002", name="洗面桥社区", path="/1/", depth=0)
    user = UserFactory()  # accounts is not migrated back: its current model matches the table
    batch = apps.get_model("registry", "ImportBatch").objects.create(
        community=community, uploaded_by_id=user.pk, file_name="a.xlsx", file_sha256="0" * 64, file_format="xlsx"
    )
    errors = [
        {"column": "出生日期", "value": "1990-01-02", "message": "出生日期与证件号码不一致", "field": "birth_date"},
        {"column": "出生日期", "value": "1990.01", "message": "出生日期格式无法识别", "field": "birth_date"},
        {"column": "手机号码", "value": "138****5678", "message": "…", "field": "mobile"},
    ]
    apps.get_model("registry", "ImportRow").objects.create(batch=batch, row_number=2, outcome="invalid", errors=errors)
    for name, birth, moved_in in (
        ("老王", date(1963, 5, 1), date(2010, 6, 1)),
        ("小宝", date(2020, 2, 1), date(2020, 3, 5)),  # registered as a newborn: the decade is withheld
        ("无生日", None, date(2010, 6, 1)),
    ):
        Resident.objects.create(community=community, name=name, birth_date=birth, moved_in_on=moved_in)


@pytest.mark.django_db(transaction=True)
def test_birth_dates_are_encrypted_with_their_decade(flushable_audit):
    """Each birth date becomes ciphertext under the keyring and its decade (withheld for the newborn); birth dates
    typed into staged import reports keep only their decade."""
    try:
        _residents_before(_migrate(BEFORE))
        apps_after = _migrate(AFTER)
        rows = {r.name: r for r in apps_after.get_model("registry", "Resident").objects.all()}
        assert {n: r.birth_decade for n, r in rows.items()} == {"老王": 1960, "小宝": None, "无生日": None}
        assert crypto.decrypt(rows["老王"].birth_date_encrypted, purpose=PURPOSE) == "1963-05-01"
        assert crypto.decrypt(rows["小宝"].birth_date_encrypted, purpose=PURPOSE) == "2020-02-01"
        assert rows["无生日"].birth_date_encrypted == ""
        report = apps_after.get_model("registry", "ImportRow").objects.get().errors
        assert [e["value"] for e in report] == ["1990年代", "****.**", "138****5678"]
        Resident = _migrate(BEFORE).get_model("registry", "Resident")  # and back
        assert {r.name: r.birth_date for r in Resident.objects.all()} == {
            "老王": date(1963, 5, 1),
            "小宝": date(2020, 2, 1),
            "无生日": None,
        }
    finally:
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_without_the_keyring_the_migration_refuses_and_changes_nothing(flushable_audit, settings, tmp_path):
    """Rows with a birth date and no keyring: a clear error naming the remedy; the clear column is still there."""
    ring = settings.SHEQU_PII_KEYRING
    try:
        _residents_before(_migrate(BEFORE))
        settings.SHEQU_PII_KEYRING = ""
        settings.SHEQU_PII_KEY_FILE = str(tmp_path / "missing.json")
        with pytest.raises(RuntimeError, match="Restore the keyring from its backup"):
            _migrate(AFTER)
        Resident = _migrate(BEFORE).get_model("registry", "Resident")
        assert sorted(str(r.birth_date) for r in Resident.objects.all()) == ["1963-05-01", "2020-02-01", "None"]
    finally:
        settings.SHEQU_PII_KEYRING = ring
        _migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_an_empty_register_needs_no_keyring(flushable_audit, settings, tmp_path):
    """No resident with a birth date: the migration runs without any keyring."""
    try:
        _migrate(BEFORE)
        settings.SHEQU_PII_KEYRING = ""
        settings.SHEQU_PII_KEY_FILE = str(tmp_path / "missing.json")
        _migrate(AFTER)
    finally:
        _migrate_to_latest()
