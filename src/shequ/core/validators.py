"""Validate and normalise Chinese identity, telephone and organisation codes.

Rules implemented here and their sources:

* Resident identity number (公民身份号码), GB 11643-1999: 6-digit address code, 8-digit birth date
  (YYYYMMDD), 3-digit sequence code whose last digit is odd for men and even for women, and a check
  character computed with ISO 7064:1983 MOD 11-2 (weights 2^(17-i) mod 11, "X" stands for 10).
  The first two digits must be a province-level code from GB/T 2260 (11-15, 21-23, 31-37, 41-46,
  50-54, 61-65, 71 Taiwan) or one of the codes used on residence permits and permanent-residence
  cards (81 Hong Kong, 82 Macao, 83 Taiwan residents, 91 foreigners' permanent residence, 2023 format).
  First-generation 15-digit numbers (GB 11643-1989) carry a 2-digit year that is always 19xx.
* Mainland mobile number: 11 digits starting with 13-19 (MIIT numbering plan); the +86 / 0086 / 86
  country prefix, spaces and hyphens are tolerated and stripped.
* Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from the 31-character
  set 0-9 plus upper-case letters without I, O, Z, S, V; the 18th character is a MOD 31 check
  character with weights 3^i mod 31.

Every validator returns the normalised value and raises ``django.core.exceptions.ValidationError``
with a lazily translated Simplified Chinese message and a stable ``code``, so it can be used both as a
Django field validator and as a normalising function in services.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import CoreError

__all__ = [
    "RESIDENT_ID_PROVINCE_CODES",
    "USCC_CHARSET",
    "birth_date_from_resident_id",
    "convert_15_to_18",
    "gender_from_resident_id",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_mobile",
    "validate_resident_id",
    "validate_uscc",
]

# --- Resident identity number (GB 11643-1999) -------------------------------------------------------

RESIDENT_ID_PROVINCE_CODES: frozenset[str] = frozenset(
    [f"{n:02d}" for n in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47))]
    + [f"{n:02d}" for n in (*range(50, 55), *range(61, 66), 71, 81, 82, 83, 91)]
)

_RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_CHECK_CHARS = "10X98765432"
_RESIDENT_ID_18_RE = re.compile(r"[0-9]{17}[0-9X]")
_RESIDENT_ID_15_RE = re.compile(r"[0-9]{15}")
_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

MSG_RESIDENT_ID_FORMAT = _("身份证号码应为18位，前17位为数字，最后一位为数字或X")
MSG_RESIDENT_ID_15_FORMAT = _("15位身份证号码应全部为数字")
MSG_RESIDENT_ID_REGION = _("身份证号码的地区码无效")
MSG_RESIDENT_ID_BIRTH_DATE = _("身份证号码中的出生日期无效")
MSG_RESIDENT_ID_CHECKSUM = _("身份证号码校验位错误")

# --- Mobile number ----------------------------------------------------------------------------------

_MOBILE_SEPARATORS_RE = re.compile(r"[\s\-]+")
_MOBILE_RE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")

MSG_MOBILE_FORMAT = _("手机号码应为11位数字，以13–19开头")

# --- Unified social credit code (GB 32100-2015) -----------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(f"[{USCC_CHARSET}]{{18}}")

MSG_USCC_FORMAT = _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）")
MSG_USCC_CHECKSUM = _("统一社会信用代码校验位错误")


def _clean(value: object) -> str | None:
    """Return the stripped, NFKC-normalised text of ``value``, or None if it is not a string."""
    if not isinstance(value, str):
        return None
    # NFKC folds full-width digits and letters (common with Chinese input methods) to ASCII.
    return unicodedata.normalize("NFKC", value).strip()


def resident_id_check_char(first17: str) -> str:
    """Compute the GB 11643-1999 (ISO 7064 MOD 11-2) check character for 17 leading digits.

    Raises ``ValueError`` if ``first17`` is not exactly 17 ASCII digits.
    """
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK_CHARS[total % 11]


def _parse_birth_date(yyyymmdd: str, today: datetime.date | None) -> datetime.date:
    """Return the birth date encoded in ``yyyymmdd`` or raise the birth-date ValidationError."""
    try:
        birth = datetime.date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise ValidationError(MSG_RESIDENT_ID_BIRTH_DATE, code=CoreError.RESIDENT_ID_BIRTH_DATE) from None
    if today is None:
        today = datetime.date.today()
    if birth < _EARLIEST_BIRTH_DATE or birth > today:
        raise ValidationError(MSG_RESIDENT_ID_BIRTH_DATE, code=CoreError.RESIDENT_ID_BIRTH_DATE)
    return birth


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Validate an 18-character resident identity number and return it with an upper-case check char.

    Checks, in order: format (17 digits plus a digit or X), province code, birth date (a real date
    between 1900-01-01 and ``today``, default the system date) and the MOD 11-2 check character.
    """
    cleaned = _clean(value)
    if cleaned is None:
        raise ValidationError(MSG_RESIDENT_ID_FORMAT, code=CoreError.RESIDENT_ID_FORMAT)
    cleaned = cleaned.upper()
    if not _RESIDENT_ID_18_RE.fullmatch(cleaned):
        raise ValidationError(MSG_RESIDENT_ID_FORMAT, code=CoreError.RESIDENT_ID_FORMAT)
    if cleaned[:2] not in RESIDENT_ID_PROVINCE_CODES:
        raise ValidationError(MSG_RESIDENT_ID_REGION, code=CoreError.RESIDENT_ID_REGION)
    _parse_birth_date(cleaned[6:14], today)
    if resident_id_check_char(cleaned[:17]) != cleaned[17]:
        raise ValidationError(MSG_RESIDENT_ID_CHECKSUM, code=CoreError.RESIDENT_ID_CHECKSUM)
    return cleaned


def convert_15_to_18(value: str, *, today: datetime.date | None = None) -> str:
    """Convert a first-generation 15-digit resident identity number to the 18-character form.

    The 2-digit birth year is always in the 1900s, so "19" is inserted before the YYMMDD birth date
    and the check character is appended. The result is validated like any 18-character number.
    """
    cleaned = _clean(value)
    if cleaned is None or not _RESIDENT_ID_15_RE.fullmatch(cleaned):
        raise ValidationError(MSG_RESIDENT_ID_15_FORMAT, code=CoreError.RESIDENT_ID_FORMAT)
    first17 = cleaned[:6] + "19" + cleaned[6:]
    return validate_resident_id(first17 + resident_id_check_char(first17), today=today)


def _normalise_any_resident_id(value: str) -> str:
    """Return the validated 18-character form of a 15- or 18-character resident identity number."""
    cleaned = _clean(value)
    if cleaned is not None and len(cleaned) == 15:
        return convert_15_to_18(cleaned)
    return validate_resident_id(value)


def birth_date_from_resident_id(value: str) -> datetime.date:
    """Return the birth date encoded in a valid 15- or 18-character resident identity number."""
    normalised = _normalise_any_resident_id(value)
    return datetime.date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))


def gender_from_resident_id(value: str) -> str:
    """Return "M" or "F" from the parity of the sequence code's last digit (odd = male)."""
    normalised = _normalise_any_resident_id(value)
    return "M" if int(normalised[16]) % 2 else "F"


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number and return its 11 bare digits.

    Spaces, hyphens and a leading +86, 0086 or 86 country prefix are removed first.
    """
    cleaned = _clean(value)
    if cleaned is None:
        raise ValidationError(MSG_MOBILE_FORMAT, code=CoreError.MOBILE_FORMAT)
    match = _MOBILE_RE.fullmatch(_MOBILE_SEPARATORS_RE.sub("", cleaned))
    if match is None:
        raise ValidationError(MSG_MOBILE_FORMAT, code=CoreError.MOBILE_FORMAT)
    return match.group(1)


def uscc_check_char(first17: str) -> str:
    """Compute the GB 32100-2015 MOD 31 check character for the first 17 characters of a USCC.

    Raises ``ValueError`` if ``first17`` is not 17 characters from ``USCC_CHARSET``.
    """
    if len(first17) != 17 or any(char not in USCC_CHARSET for char in first17):
        raise ValueError(f"expected 17 characters from {USCC_CHARSET!r}, got {first17!r}")
    total = sum(USCC_CHARSET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate a unified social credit code and return it in upper case."""
    cleaned = _clean(value)
    if cleaned is None:
        raise ValidationError(MSG_USCC_FORMAT, code=CoreError.USCC_FORMAT)
    cleaned = cleaned.upper()
    if not _USCC_RE.fullmatch(cleaned):
        raise ValidationError(MSG_USCC_FORMAT, code=CoreError.USCC_FORMAT)
    if uscc_check_char(cleaned[:17]) != cleaned[17]:
        raise ValidationError(MSG_USCC_CHECKSUM, code=CoreError.USCC_CHECKSUM)
    return cleaned
