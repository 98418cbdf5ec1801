"""The words of audit actions: "accounts.login" reads "登录", "cases.dispatch" reads "派单".

Each app declares the words of the actions it records in its own `audit_words.py`, which calls
`register_words({...})` when imported; `action_words` imports those modules (Django's autodiscovery) the first
time a page asks. The codes stay in the log: auditors search and read them beside the words. A test checks that
every action recorded anywhere in the code has words (core/tests/test_audit_words.py).
"""

from collections.abc import Iterable, Mapping

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

_WORDS: dict[str, object] = {}
_discovered = False


def register_words(words: Mapping[str, object]) -> None:
    """Declare the words (lazy translations) of some audit action codes; an app calls it from `audit_words.py`."""
    for code, text in words.items():
        if code in _WORDS and str(_WORDS[code]) != str(text):
            raise ValueError(f"audit action {code!r} already has other words")
        _WORDS[code] = text


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("audit_words")


def registered_actions() -> dict[str, str]:
    """Every action code with words, as {code: words}."""
    _discover()
    return {code: str(text) for code, text in _WORDS.items()}


def action_words(code: str) -> str:
    """The words of an action code; the code itself for an action no app declared (an old row, say)."""
    _discover()
    text = _WORDS.get(code)
    return str(text) if text is not None else code


def codes_matching(text: str, codes: Iterable[str] | None = None) -> list[str]:
    """The action codes whose words contain `text` (the audit page's action filter accepts words too)."""
    _discover()
    text = text.strip()
    if not text:
        return []
    return [code for code, words in _WORDS.items() if text in str(words) and (codes is None or code in codes)]


# Core's own actions, and the Django admin's (core.admin_tools records them).
register_words(
    {
        "core.audit_verified": _("校验审计链"),
        "core.audit_integrity_alert": _("审计链完整性告警"),
        "core.audit_anchor_reset": _("重置审计锚点"),
        "core.audit_key_rotated": _("轮换审计密钥"),
        "core.keyring_rotated": _("轮换个人信息密钥"),
        "core.keyring_old_keys_dropped": _("删除旧的个人信息密钥"),
        "core.calendar_seeded": _("导入工作日历"),
        "core.rate_limited": _("触发访问频率限制"),
        "admin.add": _("后台新增"),
        "admin.change": _("后台修改"),
        "admin.delete": _("后台删除"),
    }
)
