"""Validate identity documents by type and return the number in its normalised form.

Rules and their sources:

- 居民身份证 (GB 11643-1999): 18 characters, checked by ``shequ.core.validators.validate_resident_id``.
  A first-generation 15-digit number (GB 11643-1989) is converted to 18 characters, and the 18-character
  form is what is stored. Birth date and gender are read from the number.
- 港澳居民居住证 / 台湾居民居住证 (《港澳台居民居住证申领发放办法》, 2018): the permit carries a
  公民身份号码 built like a resident ID (GB 11643 structure and MOD 11-2 check character) whose address
  code is 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan). Birth date and gender are read like a
  resident ID.
- 外国人永久居留身份证: the 2023 version (issued from 2023-12-01) has 18 characters: "9", a 2-digit
  province code of the accepting authority, a 3-digit numeric nationality code, the birth date
  (positions 7–14), a sequence code and a MOD 11-2 check character as in GB 11643. The earlier versions
  (2004, 2017) have 15 characters: a 3-letter nationality code and 12 digits; nothing more is checked
  for them, because their 2-digit birth year cannot be read without ambiguity.
- 护照: 5–17 letters and digits (passport numbers differ by country; ICAO 9303 allows up to 9 characters
  in the machine-readable zone, some older documents are longer).
- 无证件: children and others without a document; no number may be given.

All numbers are NFKC-normalised first (full-width digits and letters typed with Chinese input methods
become ASCII) and all whitespace is removed. Errors are ``ValidationError`` with a Simplified Chinese
message naming the document type; read them with ``error.messages`` (some carry ``params``).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shequ.core.validators import (
    RESIDENT_ID_PROVINCE_CODES,
    convert_15_to_18,
    resident_id_check_char,
    validate_resident_id,
)
from shequ.registry.domain import ID_TYPE_LABELS, Gender, IdType
from shequ.registry.errors import RegistryError

__all__ = [
    "NormalisedDocument",
    "infer_id_type",
    "normalise_number",
    "parse_id_type",
    "validate_document",
]

HK_MACAO_PREFIXES = ("810000", "820000")
TAIWAN_PREFIX = "830000"
# Codes that appear in the first two positions of permits and cards, never of a mainland resident ID.
_PERMIT_LEADING_CODES = {"81": IdType.HK_MACAO_PERMIT, "82": IdType.HK_MACAO_PERMIT, "83": IdType.TAIWAN_PERMIT}
# Province-level codes of an authority that can accept a foreigner's application (mainland only).
_MAINLAND_PROVINCE_CODES = RESIDENT_ID_PROVINCE_CODES - {"71", "81", "82", "83", "91"}
_EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

_WHITESPACE_RE = re.compile(r"\s+")
_GB11643_RE = re.compile(r"[0-9]{17}[0-9X]")
_RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_FOREIGN_OLD_RE = re.compile(r"[A-Z]{3}[0-9]{12}")
_PASSPORT_RE = re.compile(r"[A-Z0-9]{5,17}")
_DIGITS_RE = re.compile(r"[0-9]+")
# A run of this many digits is a mistyped resident ID, not a passport number: no passport is that long
# in digits, and accepting it as a passport would hide the typo.
_MIN_DIGITS_TAKEN_AS_RESIDENT_ID = 14

MSG_NUMBER_REQUIRED = _("请填写%(type)s号码")
MSG_PERMIT_FORMAT = _("%(type)s号码应为18位，前17位为数字，最后一位为数字或X")
MSG_HK_MACAO_PREFIX = _("港澳居民居住证号码应以810000（香港）或820000（澳门）开头")
MSG_TAIWAN_PREFIX = _("台湾居民居住证号码应以830000开头")
MSG_BIRTH_DATE = _("%(type)s号码中的出生日期无效")
MSG_CHECKSUM = _("%(type)s号码校验位错误")
MSG_FOREIGN_FORMAT = _(
    "外国人永久居留身份证号码应为18位（以9开头，前17位为数字，最后一位为数字或X）或15位（3个大写字母加12位数字）"
)
MSG_FOREIGN_PROVINCE = _("外国人永久居留身份证号码第2–3位应为省级行政区划代码")
MSG_PASSPORT_FORMAT = _("护照号码应为5–17位字母或数字")
MSG_NONE_WITH_NUMBER = _("证件类型为“无证件”时不应填写证件号码")
MSG_WRONG_TYPE = _("该号码是%(type)s号码，请将证件类型选为“%(type)s”")
MSG_ID_TYPE_EMPTY = _("请填写证件类型")
MSG_ID_TYPE_UNKNOWN = _("无法识别的证件类型，可填写：%(labels)s")


@dataclass(frozen=True)
class NormalisedDocument:
    id_type: IdType
    number: str  # "" for IdType.NONE
    birth_date: datetime.date | None
    gender: Gender | None


def normalise_number(number: str | None) -> str:
    """Return ``number`` NFKC-normalised, upper-cased and without any whitespace."""
    if not number:
        return ""
    return _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", str(number))).upper()


def _type_label(id_type: IdType) -> str:
    return str(ID_TYPE_LABELS[id_type])


def _invalid(message, code: RegistryError, id_type: IdType) -> ValidationError:
    return ValidationError(message, code=code, params={"type": _type_label(id_type)})


def _check_gb11643(
    number: str, id_type: IdType, today: datetime.date | None, *, birth_code: str | None = None
) -> datetime.date:
    """Check the GB 11643 form, birth date and MOD 11-2 check character; return the birth date."""
    if not _GB11643_RE.fullmatch(number):
        raise _invalid(MSG_PERMIT_FORMAT, RegistryError.DOCUMENT_FORMAT, id_type)
    yyyymmdd = number[6:14] if birth_code is None else birth_code
    try:
        birth = datetime.date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise _invalid(MSG_BIRTH_DATE, RegistryError.DOCUMENT_BIRTH_DATE, id_type) from None
    if birth < _EARLIEST_BIRTH_DATE or birth > (today or datetime.date.today()):
        raise _invalid(MSG_BIRTH_DATE, RegistryError.DOCUMENT_BIRTH_DATE, id_type)
    if resident_id_check_char(number[:17]) != number[17]:
        raise _invalid(MSG_CHECKSUM, RegistryError.DOCUMENT_CHECKSUM, id_type)
    return birth


def _gender_from_sequence(number: str) -> Gender:
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def _resident_id(number: str, today: datetime.date | None) -> NormalisedDocument:
    if _GB11643_RE.fullmatch(number):
        # Permits and foreigners' cards share the resident-ID layout; say which type was meant.
        other = IdType.FOREIGN_PERMANENT if number[0] == "9" else _PERMIT_LEADING_CODES.get(number[:2])
        if other is not None:
            raise _invalid(MSG_WRONG_TYPE, RegistryError.DOCUMENT_TYPE_MISMATCH, other)
    if len(number) == 15:
        number = convert_15_to_18(number, today=today)
    else:
        number = validate_resident_id(number, today=today)
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return NormalisedDocument(IdType.RESIDENT_ID, number, birth, _gender_from_sequence(number))


def _permit(number: str, id_type: IdType, today: datetime.date | None) -> NormalisedDocument:
    prefixes: tuple[str, ...]
    if id_type == IdType.HK_MACAO_PERMIT:
        prefixes, prefix_message = HK_MACAO_PREFIXES, MSG_HK_MACAO_PREFIX
    else:
        prefixes, prefix_message = (TAIWAN_PREFIX,), MSG_TAIWAN_PREFIX
    if _GB11643_RE.fullmatch(number) and not number.startswith(prefixes):
        raise ValidationError(prefix_message, code=RegistryError.DOCUMENT_PREFIX)
    birth = _check_gb11643(number, id_type, today)
    return NormalisedDocument(id_type, number, birth, _gender_from_sequence(number))


def _foreign_permanent(number: str, today: datetime.date | None) -> NormalisedDocument:
    id_type = IdType.FOREIGN_PERMANENT
    if _FOREIGN_OLD_RE.fullmatch(number):
        return NormalisedDocument(id_type, number, None, None)
    if len(number) != 18 or number[0] != "9" or not _GB11643_RE.fullmatch(number):
        raise ValidationError(MSG_FOREIGN_FORMAT, code=RegistryError.DOCUMENT_FORMAT)
    if number[1:3] not in _MAINLAND_PROVINCE_CODES:
        raise ValidationError(MSG_FOREIGN_PROVINCE, code=RegistryError.DOCUMENT_REGION)
    # The published layout does not state how gender is encoded, so none is derived.
    birth = _check_gb11643(number, id_type, today)
    return NormalisedDocument(id_type, number, birth, None)


def _passport(number: str) -> NormalisedDocument:
    if not _PASSPORT_RE.fullmatch(number):
        raise ValidationError(MSG_PASSPORT_FORMAT, code=RegistryError.DOCUMENT_FORMAT)
    return NormalisedDocument(IdType.PASSPORT, number, None, None)


def validate_document(
    id_type: IdType | str, number: str | None, *, today: datetime.date | None = None
) -> NormalisedDocument:
    """Validate ``number`` as a document of ``id_type`` and return its normalised form.

    ``id_type`` is an ``IdType``, its value ("resident_id") or a Chinese label (see ``parse_id_type``).
    ``today`` bounds birth dates (default: the system date). Raises ``ValidationError``.
    """
    kind = id_type if isinstance(id_type, IdType) else parse_id_type(id_type)
    cleaned = normalise_number(number)
    if kind == IdType.NONE:
        if cleaned:
            raise ValidationError(MSG_NONE_WITH_NUMBER, code=RegistryError.DOCUMENT_UNEXPECTED)
        return NormalisedDocument(IdType.NONE, "", None, None)
    if not cleaned:
        raise _invalid(MSG_NUMBER_REQUIRED, RegistryError.DOCUMENT_REQUIRED, kind)
    if kind == IdType.RESIDENT_ID:
        return _resident_id(cleaned, today)
    if kind in (IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT):
        return _permit(cleaned, kind, today)
    if kind == IdType.FOREIGN_PERMANENT:
        return _foreign_permanent(cleaned, today)
    return _passport(cleaned)


def infer_id_type(number: str | None) -> IdType:
    """Guess the document type of ``number`` when a spreadsheet gives none.

    A mainland resident ID never starts with 81, 82, 83 or 9 (not province codes), so those prefixes
    identify the permits and the foreigners' card. Long digit strings are taken as (possibly mistyped)
    resident IDs so that a missing digit is reported rather than accepted as a passport number.
    """
    cleaned = normalise_number(number)
    if not cleaned:
        return IdType.NONE
    if cleaned.startswith(HK_MACAO_PREFIXES):
        return IdType.HK_MACAO_PERMIT
    if cleaned.startswith(TAIWAN_PREFIX):
        return IdType.TAIWAN_PERMIT
    if len(cleaned) == 18 and cleaned[0] == "9":
        return IdType.FOREIGN_PERMANENT
    if _RESIDENT_ID_RE.fullmatch(cleaned):
        return IdType.RESIDENT_ID
    if _FOREIGN_OLD_RE.fullmatch(cleaned):
        return IdType.FOREIGN_PERMANENT
    if _DIGITS_RE.fullmatch(cleaned) and len(cleaned) >= _MIN_DIGITS_TAKEN_AS_RESIDENT_ID:
        return IdType.RESIDENT_ID
    return IdType.PASSPORT


_ID_TYPE_ALIASES: dict[str, IdType] = {
    "身份证": IdType.RESIDENT_ID,
    "居民身份证": IdType.RESIDENT_ID,
    "二代身份证": IdType.RESIDENT_ID,
    "公民身份证": IdType.RESIDENT_ID,
    "港澳居民居住证": IdType.HK_MACAO_PERMIT,
    "港澳居住证": IdType.HK_MACAO_PERMIT,
    "台湾居民居住证": IdType.TAIWAN_PERMIT,
    "台湾居住证": IdType.TAIWAN_PERMIT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
    "外国人永久居留证": IdType.FOREIGN_PERMANENT,
    "永久居留证": IdType.FOREIGN_PERMANENT,
    "永久居留身份证": IdType.FOREIGN_PERMANENT,
    "永居证": IdType.FOREIGN_PERMANENT,
    "护照": IdType.PASSPORT,
    "无": IdType.NONE,
    "无证件": IdType.NONE,
}


@lru_cache(maxsize=8)
def _id_type_lookup(language: str | None) -> dict[str, IdType]:
    """Aliases, enum values and the labels in the active language (labels may be translated)."""
    lookup = dict(_ID_TYPE_ALIASES)
    lookup.update({t.value.upper(): t for t in IdType})
    lookup.update({_normalise_label(str(label)): t for t, label in ID_TYPE_LABELS.items()})
    return lookup


def _normalise_label(label: str) -> str:
    return _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", label)).upper()


def parse_id_type(label: str | None) -> IdType:
    """Return the ``IdType`` named by a spreadsheet label (居民身份证, 身份证, 港澳居住证, 护照, 无, ...).

    An empty label raises ``ValidationError``: callers infer the type from the number instead
    (``infer_id_type``). The message never repeats the cell value, which may be a misplaced ID number.
    """
    key = _normalise_label(label or "")
    if not key:
        raise ValidationError(MSG_ID_TYPE_EMPTY, code=RegistryError.ID_TYPE_REQUIRED)
    found = _id_type_lookup(translation.get_language()).get(key)
    if found is None:
        labels = "、".join(_type_label(t) for t in IdType)
        raise ValidationError(MSG_ID_TYPE_UNKNOWN, code=RegistryError.ID_TYPE_UNKNOWN, params={"labels": labels})
    return found
