"""Mask personal information (PIPL) wherever it would leave the protected store: audit, logs, exports.

Known personal keys are masked by kind; free text is scanned for ID and mobile numbers, and for dates written
next to a word for birth, as a safety net. A birth date keeps only its decade ("1960年代"): with the first 4 and
last 4 characters of an ID, a full birth date or an age would narrow the ID number to a handful of candidates
(registry.domain, issue 10).
"""

import datetime
import logging
import re
from collections.abc import Mapping
from typing import Any

PERSONAL_KEYS: dict[str, str] = {
    "id_number": "id",
    "resident_id": "id",
    "identity_number": "id",
    "mobile": "mobile",
    "phone": "mobile",
    "telephone": "mobile",
    "password": "secret",
    "totp_secret": "secret",
    "token": "secret",
    "otp": "secret",
    "birth_date": "birth",
    "date_of_birth": "birth",
    "birthday": "birth",
    "dob": "birth",
    "age": "secret",
}

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{7}(\d{4})(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z])")
_DATE = r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})(?:\s*日)?(?!\d)"
_DATE_RE = re.compile(_DATE)
_BIRTH_TEXT_RE = re.compile(
    r"(出生日期|出生年月日?|出生于|出生|生日|birth[ _-]?date|date[ _-]of[ _-]birth|birthday|born(?: on)?|dob)"
    r"([\"'\s:：=为是]{0,4})" + _DATE,
    re.IGNORECASE,
)


def mask_id_number(value: str) -> str:
    """Show at most the first 4 and last 4 characters: 5101**********1234."""
    value = str(value or "")
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_mobile(value: str) -> str:
    """Show the first 3 and last 4 digits: 138****5678."""
    value = str(value or "")
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_email(address: str) -> str:
    """Show the first character of the local part and the domain: z***@example.gov.cn."""
    local, at, domain = str(address or "").partition("@")
    if not at:
        return "***" if local else ""
    return f"{local[:1]}***@{domain}"


def mask_birth_date(value: Any) -> str:
    """Keep only the decade of a birth date: 1980-01-01 -> "1980年代"; anything unreadable -> "******"."""
    if isinstance(value, datetime.date):
        return f"{value.year // 10 * 10}年代"
    match = _DATE_RE.fullmatch(str(value).strip())
    if match is None or not 1000 <= int(match.group(1)) <= 2999:
        return "******"
    return f"{int(match.group(1)) // 10 * 10}年代"


def mask_text(text: str) -> str:
    """Mask ID and mobile numbers found anywhere in free text, and dates written next to a word for birth."""
    if not text:
        return text
    text = _ID_RE.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], text)
    text = _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _ID15_RE.sub(lambda m: m.group(1) + "*" * 7 + m.group(2), text)
    text = _BIRTH_TEXT_RE.sub(lambda m: m.group(1) + m.group(2) + f"{int(m.group(3)) // 10 * 10}年代", text)
    return text


def mask_value(kind: str, value: Any) -> Any:
    if value in (None, ""):
        return value
    if kind == "id":
        return mask_id_number(str(value))
    if kind == "mobile":
        return mask_mobile(str(value))
    if kind == "birth":
        return mask_birth_date(value)
    return "******"


def mask_mapping(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return a copy of `data` with personal keys masked by kind and ID/mobile numbers masked in text."""
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = PERSONAL_KEYS.get(key)
        if kind:
            out[key] = mask_value(kind, value)
        elif isinstance(value, Mapping):
            out[key] = mask_mapping(value)
        elif isinstance(value, str):
            out[key] = mask_text(value)
        elif isinstance(value, list | tuple):
            out[key] = [mask_text(v) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


class MaskPersonalFilter(logging.Filter):
    """Logging filter that masks ID and mobile numbers in every log message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
