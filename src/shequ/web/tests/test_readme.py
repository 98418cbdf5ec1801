"""The README points only at files in this repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FILE = re.compile(r"^[\w.][\w./-]*\.(md|py|csv|json|lock|toml|txt|cfg|ini|yml|yaml|sh)$")


def _mentioned_files() -> list[str]:
    links = [t for t in re.findall(r"\]\(([^)\s]+)\)", README) if not t.startswith(("http://", "https://", "#"))]
    # Paths with a folder; a bare "models.py" names a module of every app, not a file.
    quoted = [t for t in re.findall(r"`([^`\s]+)`", README) if FILE.match(t) and "/" in t and not t.startswith("var/")]
    return links + quoted


def test_readme_names_only_files_that_exist_here():
    """Every linked or quoted file path resolves inside the repository; nothing points outside it (../)."""
    mentioned = _mentioned_files()
    assert "docs/architecture.md" in mentioned and len(mentioned) > 10
    assert "../" not in README
    missing = [m for m in mentioned if not (ROOT / m.split("#")[0]).resolve().is_relative_to(ROOT)]
    missing += [m for m in mentioned if not (ROOT / m.split("#")[0]).exists()]
    assert missing == []
