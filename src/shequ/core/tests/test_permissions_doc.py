"""docs/permissions.md stays true to the code: every registered action, and nothing else, with its description;
the role × level table matches the role specifications.
"""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

from shequ.core.permissions import registered_actions

DOC = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"
LEVEL_COLUMNS = ["city", "district", "street", "community", "grid", "micro_grid"]


def _role_specs():
    """The accounts app's role specifications (the core sits below accounts, so no static import)."""
    return importlib.import_module(f"{apps.get_app_config('accounts').name}.domain").ROLE_SPECS


@pytest.fixture(scope="module")
def doc():
    return DOC.read_text(encoding="utf-8")


def _table_rows(doc, first_column_pattern):
    """Cells of the Markdown table rows whose first cell is a backticked name matching the pattern."""
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(rf"`({first_column_pattern})`", cells[0]) if line.startswith("|") else None
        if match:
            rows[match.group(1)] = cells[1:]
    return rows


def _action_names_in(doc):
    """Every backticked `app.name` in the page whose prefix is an installed app label."""
    labels = {config.label for config in apps.get_app_configs()}
    names = set(re.findall(r"`([a-z0-9_]+\.[a-z_]+)`", doc))  # app labels may hold digits (open311)
    return {n for n in names if n.split(".")[0] in labels}


def test_registry_is_populated():
    """The apps register their actions when Django starts (core, accounts and territory at least)."""
    assert {name.split(".")[0] for name in registered_actions()} >= {"core", "accounts", "territory"}


def test_every_registered_action_is_documented_with_its_description(doc):
    """Each registered action has a row in the actions table, in backticks, with its registered description."""
    rows = _table_rows(doc, r"[a-z0-9_]+\.[a-z_]+")
    labels = {config.label for config in apps.get_app_configs()}
    for name, action in registered_actions().items():
        if name.split(".")[0] not in labels:
            continue  # registered by a test module (e.g. `test.job_only`), not by an app
        assert name in rows, f"{name} is registered but missing from docs/permissions.md"
        who, description = rows[name]
        assert who, f"{name}: say who is allowed"
        assert description == action.description, f"{name}: description differs from the registry"


def test_doc_names_no_unregistered_action(doc):
    """Every action named in the page (table or prose) is registered."""
    labels = {config.label for config in apps.get_app_configs()}
    registered = {name for name in registered_actions() if name.split(".")[0] in labels}
    assert _action_names_in(doc) - registered == set()
    assert set(_table_rows(doc, r"[a-z0-9_]+\.[a-z_]+")) == registered


def test_role_level_table_matches_role_specs(doc):
    """The role × level table lists every role with exactly its allowed levels, territoriality and 2FA rule."""
    rows = _table_rows(doc, r"[a-z_]+")
    roles = {r: cells for r, cells in rows.items() if "." not in r}
    specs = _role_specs()
    assert set(roles) == {role.value for role in specs}
    for role, spec in specs.items():
        label, *marks = roles[role.value]
        assert label == str(spec.label)
        levels = {level for level, mark in zip(LEVEL_COLUMNS, marks[:6], strict=True) if mark == "✓"}
        assert levels == {str(level) for level in spec.levels}, role
        assert (marks[6] == "✓", marks[7] == "✓") == (spec.territorial, spec.requires_2fa), role
