"""Upgrade from the one-street demo dump (made before units moved to organisations): every row arrives."""

from pathlib import Path

import pytest

from shequ.core.testing.upgrade import migrate_to_latest, row_counts, upgrade_from_dump

DUMP = Path(__file__).resolve().parents[2] / "core" / "tests" / "upgrade" / "one_street_demo.json.gz"
RENAMED_TABLES = {"accounts_unit": "organisations_unit"}

pytestmark = [pytest.mark.migration, pytest.mark.django_db(transaction=True)]


def _rows(dump, label: str, columns: list[str]) -> set[tuple]:
    table = dump.tables[label]
    index = [table["columns"].index(c) for c in columns]
    return {tuple(row[i] for i in index) for row in table["rows"]}


def test_units_move_to_organisations_with_their_rows(flushable_audit):
    """Every table keeps its row count (the units' under its new name); units keep id, kind, name and area and
    sit in no compound or building; role assignments keep user, role, area and unit; the content type moves."""
    try:
        dump, apps = upgrade_from_dump(DUMP)
        expected = {RENAMED_TABLES.get(t, t): n for t, n in dump.row_counts().items()}
        counts = row_counts(apps)
        assert {t: counts.get(t) for t in expected} == expected
        assert expected["organisations_unit"] == 6 and expected["accounts_roleassignment"] == 25

        Unit = apps.get_model("organisations", "Unit")
        units = Unit.objects.values_list("id", "kind", "name", "area_id", "compound_id", "building_id")
        before = _rows(dump, "accounts.Unit", ["id", "kind", "name", "area_id"])
        assert {u[:4] for u in units} == before
        assert {u[4:] for u in units} == {(None, None)}

        RoleAssignment = apps.get_model("accounts", "RoleAssignment")
        columns = ["id", "user_id", "role", "area_id", "unit_id"]
        assert set(RoleAssignment.objects.values_list(*columns)) == _rows(dump, "accounts.RoleAssignment", columns)
        assert RoleAssignment.objects.filter(unit__isnull=False).count() == 5

        ContentType = apps.get_model("contenttypes", "ContentType")
        unit_type = _rows(dump, "contenttypes.ContentType", ["id", "app_label", "model"])
        (old_id,) = [i for i, app, model in unit_type if (app, model) == ("accounts", "unit")]
        assert ContentType.objects.get(app_label="organisations", model="unit").pk == old_id
        assert not ContentType.objects.filter(app_label="accounts", model="unit").exists()
    finally:
        migrate_to_latest()
