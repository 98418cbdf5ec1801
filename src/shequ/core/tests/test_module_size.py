"""No Python module of the project grows past MAX_LINES lines (house style: split a module by responsibility)."""

from pathlib import Path

import shequ

MAX_LINES = 800
EXCLUDED_DIRS = {"migrations", "tests"}


def oversized_modules(root: Path, limit: int = MAX_LINES) -> list[str]:
    """Paths (relative to `root`) and line counts of the modules over `limit` lines, outside migrations and tests."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if EXCLUDED_DIRS.intersection(relative.parts[:-1]):
            continue
        with path.open(encoding="utf-8") as source:
            lines = sum(1 for _line in source)
        if lines > limit:
            found.append(f"{relative} ({lines} lines)")
    return found


def test_no_module_is_over_the_limit():
    """Every module under src/shequ outside migrations/ and tests/ has at most 800 lines."""
    offenders = oversized_modules(Path(shequ.__file__).parent)
    assert offenders == [], f"modules over {MAX_LINES} lines: {', '.join(offenders)}"


def test_an_oversized_module_is_named(tmp_path):
    """The check names a module over the limit and ignores the same module under tests/ or migrations/."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "tests").mkdir()
    (tmp_path / "app" / "migrations").mkdir()
    for name in ("app/big.py", "app/tests/test_big.py", "app/migrations/0001_initial.py"):
        (tmp_path / name).write_text("x = 1\n" * 801, encoding="utf-8")
    (tmp_path / "app" / "small.py").write_text("x = 1\n" * 800, encoding="utf-8")
    assert oversized_modules(tmp_path) == ["app/big.py (801 lines)"]
