"""Every audit action recorded anywhere in the code has words (core.audit_words), and pages show them."""

import ast
from pathlib import Path

import pytest

from shequ.analysis.domain import Event as WarningEvent
from shequ.cases.domain import Event as CaseEvent
from shequ.core.audit_words import action_words, codes_matching, registered_actions

SRC = Path(__file__).resolve().parents[2]  # src/shequ

# Call sites that build the action code: (path under src/shequ, source of the `action=` argument) -> the codes.
DYNAMIC = {
    ("cases/transitions.py", "f'cases.{event.value}'"): [f"cases.{e.value}" for e in CaseEvent],
    ("analysis/services.py", "f'analysis.warning_{event.value}'"): [
        f"analysis.warning_{e.value}" for e in WarningEvent
    ],
    ("core/admin_tools.py", "f\"admin.{('change' if change else 'add')}\""): ["admin.change", "admin.add"],
}


def _sources() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or rel.startswith("core/testing/"):
            continue
        out.append((rel, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def _constants(sources: list[tuple[str, ast.Module]]) -> dict[str, str]:
    """Module-level NAME = "string" assignments of the whole project (action codes kept in constants)."""
    names: dict[str, str] = {}
    for _rel, tree in sources:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        names[target.id] = node.value.value
    return names


def _codes(rel: str, expr: ast.expr, constants: dict[str, str]) -> list[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        return _codes(rel, expr.body, constants) + _codes(rel, expr.orelse, constants)
    if isinstance(expr, ast.Name) and expr.id in constants:
        return [constants[expr.id]]
    key = (rel, ast.unparse(expr))
    if key in DYNAMIC:
        return DYNAMIC[key]
    raise AssertionError(f"{rel}:{expr.lineno}: cannot tell which audit action {key[1]} records; add it to DYNAMIC")


def recorded_actions() -> dict[str, str]:
    """Every audit action code the code can record, with where ({code: "path:line"})."""
    sources = _sources()
    constants = _constants(sources)
    found: dict[str, str] = {}
    for rel, tree in sources:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in {"record", "Entry"}:
                continue
            for kw in node.keywords:
                if kw.arg == "action":
                    for code in _codes(rel, kw.value, constants):
                        found.setdefault(code, f"{rel}:{node.lineno}")
    return found


def test_every_recorded_action_has_words():
    """Each action passed to audit.record / audit.Entry anywhere in the code reads as words on the audit page."""
    recorded = recorded_actions()
    assert len(recorded) > 90
    words = registered_actions()
    missing = {code: where for code, where in recorded.items() if code not in words}
    assert missing == {}, "declare their words in the app's audit_words.py"
    for code in recorded:
        assert words[code] and words[code] != code and "." not in words[code], code


def test_known_codes_read_as_words_and_unknown_codes_as_themselves():
    """The issue's examples read in words; a code nobody declared (an old row) shows as the code."""
    assert action_words("accounts.login") == "登录"
    assert action_words("cases.dispatch") == "派单"
    assert action_words("analysis.warning_acknowledge") == "预警：知悉"
    assert action_words("legacy.something") == "legacy.something"
    assert set(codes_matching("派单")) == {"cases.dispatch"}
    assert codes_matching("  ") == []


@pytest.mark.parametrize("code", ["cases.accept", "cases.escalate", "registry.import_applied", "admin.add"])
def test_words_are_chinese(code):
    assert all(not c.isascii() or c in " /：()" for c in action_words(code)), code


@pytest.mark.django_db
def test_case_timeline_names_staff_in_words(client, calendar):
    """The case page's 办理过程 shows who acted by name (王芳), never by account name alone."""
    from django.urls import reverse

    from shequ.accounts.tests.factories import staff
    from shequ.cases.tests.factories import dispatched_case
    from shequ.territory.tests.factories import make_tree

    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw1", display_name="王芳")
    case = dispatched_case(t, cw, title="路灯不亮")
    client.force_login(cw)
    body = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    rows = body[body.index("timeline-row") :]
    assert rows.count("<td>王芳</td>") == 3  # submitted, accepted, dispatched
    assert "派单" in rows and "<td>cw1</td>" not in rows


def test_worker_log_lines_print_once():
    """huey's run_huey adds its own handler only to a "huey" logger without one; ours has the console handler
    and does not propagate to the root handler as well (each worker line printed twice before)."""
    import logging

    from django.conf import settings

    assert settings.LOGGING["loggers"]["huey"] == {"handlers": ["console"], "level": "INFO", "propagate": False}
    huey = logging.getLogger("huey")  # configured by Django's setup from settings.LOGGING
    assert huey.handlers and huey.propagate is False  # (pytest adds its capture handlers beside ours)
    assert logging.getLogger("huey.consumer").parent is huey
