"""The English interface: the catalogue is complete and compiled, and a browser or a visitor can switch to it.

The catalogue lives at src/shequ/locale/en/LC_MESSAGES/django.po (msgids are the Chinese source text).
After adding interface strings, run scripts/update-translations.sh, translate what it reports, run it again.
"""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.territory.tests.factories import make_tree

PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}|</?\w+[^>]*>")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), f"not a quoted PO string: {s!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), s[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small PO parser (stdlib only). Entries are separated by blank lines, as gettext's tools write them."""
    entries = []
    lineno = 0
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = Entry(line=lineno + 1 + (len(block) - len(block.lstrip("\n"))))
        target: tuple[str, int] | None = None
        for raw in block.strip("\n").splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            elif line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
                continue
            elif line.startswith("#") or not line:
                continue
            if line.startswith('"'):
                assert target is not None, f"{path}: stray continuation line {raw!r}"
                name, idx = target
                if name == "msgstr":
                    entry.msgstr[idx] += _unquote(line)
                else:
                    setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
                continue
            keyword, _, rest = line.partition(" ")
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, _unquote(rest))
                target = (keyword, 0)
            elif keyword == "msgstr" or plural:
                idx = int(plural.group(1)) if plural else 0
                entry.msgstr[idx] = _unquote(rest)
                target = ("msgstr", idx)
            else:
                raise AssertionError(f"{path}: unknown PO line {raw!r}")
        lineno += block.count("\n") + 2
        if target is not None:
            assert entry.msgstr, f"{path}:{entry.line}: entry without msgstr"
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run scripts/update-translations.sh"
    return parse_po(PO)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


def _label(e: Entry) -> str:
    return f"{PO.name}:{e.line} msgid {e.msgid!r}"


def test_po_header_declares_english_and_plural_forms(catalogue):
    """The header entry is not fuzzy and declares Language: en and the English plural rule."""
    header = [e for e in catalogue if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1
    assert "fuzzy" not in header[0].flags
    text = header[0].msgstr[0]
    assert "Language: en\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "charset=UTF-8" in text


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    """Every message has a non-empty msgstr (each plural form too), none is fuzzy, none is obsolete."""
    messages = _messages(catalogue)
    assert len(messages) > 300, "the catalogue looks truncated"
    empty = [_label(e) for e in messages if not e.msgstr or any(not s.strip() for s in e.msgstr.values())]
    fuzzy = [_label(e) for e in messages if "fuzzy" in e.flags]
    obsolete = [_label(e) for e in catalogue if e.obsolete]
    plural = [_label(e) for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not empty, "untranslated entries:\n" + "\n".join(empty)
    assert not fuzzy, "fuzzy entries (review, then drop the flag):\n" + "\n".join(fuzzy)
    assert not obsolete, "obsolete entries (run makemessages with --no-obsolete):\n" + "\n".join(obsolete)
    assert not plural, "plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(plural)


def test_translations_keep_placeholders_and_markup(catalogue):
    """Each translation keeps exactly the msgid's placeholders (%(name)s, {name}) and HTML tags."""
    bad = []
    for e in _messages(catalogue):
        want = sorted(PLACEHOLDER.findall(e.msgid))
        if e.msgid_plural is not None:
            want = sorted(set(want) | set(PLACEHOLDER.findall(e.msgid_plural)))
        for s in e.msgstr.values():
            got = PLACEHOLDER.findall(s)
            if (sorted(set(got)) if e.msgid_plural is not None else sorted(got)) != want:
                bad.append(f"{_label(e)}: {got} != {want}")
    assert not bad, "\n".join(bad)


def test_translations_contain_no_chinese(catalogue):
    """The English catalogue does not pass Chinese through untranslated."""
    han = re.compile(r"[\u3400-\u9fff]")
    left = [_label(e) for e in _messages(catalogue) if any(han.search(s) for s in e.msgstr.values())]
    assert not left, "\n".join(left)


def test_compiled_mo_matches_po(catalogue):
    """django.mo is compiled from the current django.po: every msgid resolves to the same msgstr."""
    assert MO.exists(), f"{MO} is missing: run scripts/update-translations.sh"
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in _messages(catalogue):
        if e.msgid_plural is not None:
            got = [mo.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            want = [e.msgstr[0], e.msgstr[1]]
        elif e.msgctxt is not None:
            got, want = mo.pgettext(e.msgctxt, e.msgid), e.msgstr[0]
        else:
            got, want = mo.gettext(e.msgid), e.msgstr[0]
        if got != want:
            stale.append(_label(e))
    assert not stale, "django.mo is out of date (run scripts/update-translations.sh):\n" + "\n".join(stale[:20])


@pytest.mark.django_db
def test_login_page_follows_accept_language(client):
    """With Accept-Language: en the login page is in English; without it, in the default Simplified Chinese."""
    url = reverse("accounts:login")

    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in en
    assert "Username" in en and "Password" in en and "Staff sign-in" in en
    assert "用户名" not in en and "工作人员登录" not in en

    client.cookies.clear()
    zh = client.get(url).content.decode()
    assert '<html lang="zh-hans">' in zh
    assert "用户名" in zh and "工作人员登录" in zh
    assert "Username" not in zh


@pytest.mark.django_db
def test_login_error_from_python_code_is_translated(client):
    """Messages raised in Python code (gettext in services) reach the page in English too."""
    response = client.post(
        reverse("accounts:login"),
        {"username": "nobody", "password": "wrong-password"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert "Incorrect username or password" in body
    assert "用户名或密码错误" not in body


@pytest.mark.django_db
def test_setlang_switches_a_logged_out_page_to_english(client):
    """POST /i18n/setlang/ with language=en sets the django_language cookie and later pages are in English."""
    login = reverse("accounts:login")
    assert "工作人员登录" in client.get(login).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302 and response.url == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"

    page = client.get(login).content.decode()
    assert "Staff sign-in" in page and "Community Development and Governance Platform" in page
    assert "工作人员登录" not in page

    client.post(reverse("set_language"), {"language": "zh-hans", "next": login})
    assert "工作人员登录" in client.get(login).content.decode()


@pytest.mark.django_db
def test_workbench_for_a_signed_in_worker_is_in_english(client):
    """After choosing English, a signed-in community worker sees the menu and role label in English."""
    staff("community_worker", make_tree()["c1"], username="cw")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("accounts:login"), {"username": "cw", "password": PASSWORD})
    assert response.status_code == 302

    page = client.get(reverse("web:home")).content.decode()
    assert "Workbench home" in page and "Community worker" in page and "Sign out" in page
    assert "工作台首页" not in page and "退出登录" not in page
