"""Tests for shequ.registry.documents (pure functions, no database)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from shequ.core.validators import resident_id_check_char
from shequ.registry.documents import NormalisedDocument, infer_id_type, parse_id_type, validate_document
from shequ.registry.domain import Gender, IdType

TODAY = datetime.date(2026, 3, 16)


def gb11643(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check character."""
    return first17 + resident_id_check_char(first17)


def wrong_check(first17: str) -> str:
    """Complete 17 digits with a check character that is NOT the right one."""
    right = resident_id_check_char(first17)
    return first17 + ("0" if right != "0" else "1")


def assert_invalid(id_type, number, message: str, code: str) -> None:
    """Assert that validate_document raises exactly one error with ``message`` and ``code``."""
    with pytest.raises(ValidationError) as excinfo:
        validate_document(id_type, number, today=TODAY)
    assert excinfo.value.messages == [message]
    assert excinfo.value.code == code


# --- 居民身份证 -------------------------------------------------------------------------------------


def test_resident_id_valid_18_digits_derives_birth_date_and_gender():
    """The GB 11643 worked example is valid: born 1949-12-31, even sequence digit, so female."""
    assert validate_document(IdType.RESIDENT_ID, "11010519491231002X", today=TODAY) == NormalisedDocument(
        IdType.RESIDENT_ID, "11010519491231002X", datetime.date(1949, 12, 31), Gender.FEMALE
    )


def test_resident_id_is_normalised_from_full_width_lower_case_and_spaces():
    """Full-width digits, inner spaces and a lower-case x are normalised before checking."""
    document = validate_document("resident_id", " １１０１０５ 19491231 002x ", today=TODAY)
    assert document.number == "11010519491231002X"


def test_resident_id_male_from_odd_sequence_digit():
    """An odd 17th digit means male."""
    number = gb11643("51010719900101123")
    assert validate_document(IdType.RESIDENT_ID, number, today=TODAY) == NormalisedDocument(
        IdType.RESIDENT_ID, number, datetime.date(1990, 1, 1), Gender.MALE
    )


def test_resident_id_15_digits_is_converted_to_18():
    """A first-generation 15-digit number becomes the 18-character number, 19 inserted before the year."""
    assert validate_document(IdType.RESIDENT_ID, "110105491231002", today=TODAY) == NormalisedDocument(
        IdType.RESIDENT_ID, "11010519491231002X", datetime.date(1949, 12, 31), Gender.FEMALE
    )


@pytest.mark.parametrize(
    ("number", "message", "code"),
    [
        (wrong_check("11010519491231002"), "身份证号码校验位错误", "core.resident_id_checksum"),
        ("1101051949123100", "身份证号码应为18位，前17位为数字，最后一位为数字或X", "core.resident_id_format"),
        ("11010549123100A", "15位身份证号码应全部为数字", "core.resident_id_format"),
        (gb11643("00010519491231002"), "身份证号码的地区码无效", "core.resident_id_region"),
        (gb11643("11010520990101001"), "身份证号码中的出生日期无效", "core.resident_id_birth_date"),
        (gb11643("11010519900230001"), "身份证号码中的出生日期无效", "core.resident_id_birth_date"),
        ("", "请填写居民身份证号码", "registry.document_required"),
    ],
)
def test_resident_id_invalid(number, message, code):
    """Invalid resident IDs are refused with the message of the first rule they break."""
    assert_invalid(IdType.RESIDENT_ID, number, message, code)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (gb11643("81000019900101001"), "该号码是港澳居民居住证号码，请将证件类型选为“港澳居民居住证”"),
        (gb11643("82000019900101001"), "该号码是港澳居民居住证号码，请将证件类型选为“港澳居民居住证”"),
        (gb11643("83000019900101001"), "该号码是台湾居民居住证号码，请将证件类型选为“台湾居民居住证”"),
        (gb11643("91184019900101001"), "该号码是外国人永久居留身份证号码，请将证件类型选为“外国人永久居留身份证”"),
    ],
)
def test_resident_id_refuses_permit_and_foreigner_numbers_naming_the_right_type(number, message):
    """81/82/83/9 are not mainland province codes: such a number is another document type, named in the error."""
    assert_invalid(IdType.RESIDENT_ID, number, message, "registry.document_type_mismatch")


# --- 港澳居民居住证 / 台湾居民居住证 ------------------------------------------------------------------


def test_hong_kong_permit_valid():
    """810000 + birth date + sequence + check character; birth date and gender are read like a resident ID."""
    number = gb11643("81000019900101001")
    assert validate_document(IdType.HK_MACAO_PERMIT, number, today=TODAY) == NormalisedDocument(
        IdType.HK_MACAO_PERMIT, number, datetime.date(1990, 1, 1), Gender.MALE
    )


def test_macao_permit_valid_and_upper_cased():
    """820000 is Macao; a lower-case x check character is stored upper-case."""
    assert gb11643("82000019851231058") == "82000019851231058X"
    document = validate_document("hk_macao_permit", "82000019851231058x", today=TODAY)
    assert document == NormalisedDocument(
        IdType.HK_MACAO_PERMIT, "82000019851231058X", datetime.date(1985, 12, 31), Gender.FEMALE
    )


def test_taiwan_permit_valid():
    """830000 is Taiwan; 29 February of a leap year is a valid birth date."""
    number = gb11643("83000019800229003")
    assert validate_document(IdType.TAIWAN_PERMIT, number, today=TODAY) == NormalisedDocument(
        IdType.TAIWAN_PERMIT, number, datetime.date(1980, 2, 29), Gender.MALE
    )


@pytest.mark.parametrize(
    ("id_type", "number", "message", "code"),
    [
        (
            IdType.HK_MACAO_PERMIT,
            gb11643("11010519491231002"),
            "港澳居民居住证号码应以810000（香港）或820000（澳门）开头",
            "registry.document_prefix",
        ),
        (
            IdType.HK_MACAO_PERMIT,
            gb11643("83000019900101001"),
            "港澳居民居住证号码应以810000（香港）或820000（澳门）开头",
            "registry.document_prefix",
        ),
        (
            IdType.HK_MACAO_PERMIT,
            wrong_check("81000019900101001"),
            "港澳居民居住证号码校验位错误",
            "registry.document_checksum",
        ),
        (
            IdType.HK_MACAO_PERMIT,
            gb11643("81000019901301001"),
            "港澳居民居住证号码中的出生日期无效",
            "registry.document_birth_date",
        ),
        (
            IdType.HK_MACAO_PERMIT,
            "81000019900101",
            "港澳居民居住证号码应为18位，前17位为数字，最后一位为数字或X",
            "registry.document_format",
        ),
        (IdType.HK_MACAO_PERMIT, "", "请填写港澳居民居住证号码", "registry.document_required"),
        (
            IdType.TAIWAN_PERMIT,
            gb11643("81000019900101001"),
            "台湾居民居住证号码应以830000开头",
            "registry.document_prefix",
        ),
        (
            IdType.TAIWAN_PERMIT,
            wrong_check("83000019900101001"),
            "台湾居民居住证号码校验位错误",
            "registry.document_checksum",
        ),
        (
            IdType.TAIWAN_PERMIT,
            gb11643("83000020990101001"),
            "台湾居民居住证号码中的出生日期无效",
            "registry.document_birth_date",
        ),
        (
            IdType.TAIWAN_PERMIT,
            "83000019900101001A",
            "台湾居民居住证号码应为18位，前17位为数字，最后一位为数字或X",
            "registry.document_format",
        ),
    ],
)
def test_permits_invalid(id_type, number, message, code):
    """Permit errors name the permit type: wrong prefix, checksum, birth date, format, missing number."""
    assert_invalid(id_type, number, message, code)


# --- 外国人永久居留身份证 -----------------------------------------------------------------------------


def test_foreign_permanent_2023_version_valid():
    """9 + province 11 + nationality 840 + birth date + sequence + check: birth date derived, gender not."""
    number = gb11643("91184019900101001")
    assert validate_document(IdType.FOREIGN_PERMANENT, number, today=TODAY) == NormalisedDocument(
        IdType.FOREIGN_PERMANENT, number, datetime.date(1990, 1, 1), None
    )


def test_foreign_permanent_old_version_valid_and_upper_cased():
    """The 15-character version (3 letters + 12 digits) is upper-cased; no birth date is derived."""
    assert validate_document(IdType.FOREIGN_PERMANENT, "usa 123456789012", today=TODAY) == NormalisedDocument(
        IdType.FOREIGN_PERMANENT, "USA123456789012", None, None
    )


MSG_FOREIGN_FORMAT = (
    "外国人永久居留身份证号码应为18位（以9开头，前17位为数字，最后一位为数字或X）或15位（3个大写字母加12位数字）"
)


@pytest.mark.parametrize(
    ("number", "message", "code"),
    [
        (wrong_check("91184019900101001"), "外国人永久居留身份证号码校验位错误", "registry.document_checksum"),
        (
            gb11643("99984019900101001"),
            "外国人永久居留身份证号码第2–3位应为省级行政区划代码",
            "registry.document_region",
        ),
        (
            gb11643("91184019901301001"),
            "外国人永久居留身份证号码中的出生日期无效",
            "registry.document_birth_date",
        ),
        (gb11643("11010519491231002"), MSG_FOREIGN_FORMAT, "registry.document_format"),
        ("US1234567890123", MSG_FOREIGN_FORMAT, "registry.document_format"),
        ("USA12345678901", MSG_FOREIGN_FORMAT, "registry.document_format"),
        ("", "请填写外国人永久居留身份证号码", "registry.document_required"),
    ],
)
def test_foreign_permanent_invalid(number, message, code):
    """Foreigners' card errors: checksum, province, birth date, format of either version, missing number."""
    assert_invalid(IdType.FOREIGN_PERMANENT, number, message, code)


# --- 护照 and 无证件 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [("e 1234 5678", "E12345678"), ("E1234", "E1234"), ("A" * 17, "A" * 17), ("１２３４５６７８９", "123456789")],
)
def test_passport_valid_is_upper_cased_without_spaces(number, expected):
    """5–17 letters and digits; spaces removed, full-width folded, upper-cased; no birth date."""
    assert validate_document(IdType.PASSPORT, number, today=TODAY) == NormalisedDocument(
        IdType.PASSPORT, expected, None, None
    )


@pytest.mark.parametrize("number", ["E123", "A" * 18, "E1234-567", "护照123456"])
def test_passport_invalid(number):
    """Too short, too long or with characters other than letters and digits."""
    assert_invalid(IdType.PASSPORT, number, "护照号码应为5–17位字母或数字", "registry.document_format")


def test_passport_required():
    """A passport needs a number."""
    assert_invalid(IdType.PASSPORT, "  ", "请填写护照号码", "registry.document_required")


@pytest.mark.parametrize("number", ["", None, "   "])
def test_no_document_without_number(number):
    """无证件 with no number is valid and carries nothing."""
    assert validate_document(IdType.NONE, number, today=TODAY) == NormalisedDocument(IdType.NONE, "", None, None)


def test_no_document_with_number_is_refused():
    """无证件 with a number is a contradiction."""
    assert_invalid(IdType.NONE, "E12345678", "证件类型为“无证件”时不应填写证件号码", "registry.document_unexpected")


def test_type_given_as_chinese_label():
    """validate_document also takes the type as a spreadsheet label."""
    assert validate_document("身份证", "11010519491231002X", today=TODAY).id_type == IdType.RESIDENT_ID


def test_unknown_type_label_is_refused_without_repeating_it():
    """An unknown type lists the accepted labels and does not echo the cell (it may be a misplaced ID)."""
    with pytest.raises(ValidationError) as excinfo:
        validate_document("11010519491231002X", "11010519491231002X", today=TODAY)
    assert excinfo.value.messages == [
        "无法识别的证件类型，可填写：居民身份证、港澳居民居住证、台湾居民居住证、外国人永久居留身份证、护照、无证件"
    ]
    assert excinfo.value.code == "registry.id_type_unknown"


# --- Inference and labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("", IdType.NONE),
        (None, IdType.NONE),
        ("  ", IdType.NONE),
        (gb11643("81000019900101001"), IdType.HK_MACAO_PERMIT),
        (gb11643("82000019900101001"), IdType.HK_MACAO_PERMIT),
        ("8100001990", IdType.HK_MACAO_PERMIT),
        (gb11643("83000019900101001"), IdType.TAIWAN_PERMIT),
        (gb11643("91184019900101001"), IdType.FOREIGN_PERMANENT),
        ("11010519491231002X", IdType.RESIDENT_ID),
        ("11010519491231002x", IdType.RESIDENT_ID),
        ("110105491231002", IdType.RESIDENT_ID),
        ("11010519491231002", IdType.RESIDENT_ID),  # 17 digits: a mistyped ID, not a passport
        ("1101051949123100", IdType.RESIDENT_ID),
        ("USA123456789012", IdType.FOREIGN_PERMANENT),
        ("usa123456789012", IdType.FOREIGN_PERMANENT),
        ("E12345678", IdType.PASSPORT),
        ("123456789", IdType.PASSPORT),
        ("AB1234567", IdType.PASSPORT),
    ],
)
def test_infer_id_type(number, expected):
    """The type column may be missing: prefixes and shapes decide the type, anything else is a passport."""
    assert infer_id_type(number) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("居民身份证", IdType.RESIDENT_ID),
        ("身份证", IdType.RESIDENT_ID),
        (" 居民 身份证 ", IdType.RESIDENT_ID),
        ("港澳居民居住证", IdType.HK_MACAO_PERMIT),
        ("港澳居住证", IdType.HK_MACAO_PERMIT),
        ("台湾居民居住证", IdType.TAIWAN_PERMIT),
        ("台湾居住证", IdType.TAIWAN_PERMIT),
        ("外国人永久居留身份证", IdType.FOREIGN_PERMANENT),
        ("外国人永久居留证", IdType.FOREIGN_PERMANENT),
        ("永久居留证", IdType.FOREIGN_PERMANENT),
        ("护照", IdType.PASSPORT),
        ("无", IdType.NONE),
        ("无证件", IdType.NONE),
        ("passport", IdType.PASSPORT),
        ("RESIDENT_ID", IdType.RESIDENT_ID),
    ],
)
def test_parse_id_type(label, expected):
    """Labels, common aliases and enum values are accepted, ignoring spaces and case."""
    assert parse_id_type(label) == expected


def test_parse_id_type_empty_is_refused():
    """An empty label is the caller's cue to infer the type; parse_id_type itself refuses it."""
    with pytest.raises(ValidationError) as excinfo:
        parse_id_type(" ")
    assert excinfo.value.messages == ["请填写证件类型"]
    assert excinfo.value.code == "registry.id_type_required"


def test_parse_id_type_unknown():
    """An unknown label lists the accepted ones."""
    with pytest.raises(ValidationError) as excinfo:
        parse_id_type("驾驶证")
    assert excinfo.value.messages == [
        "无法识别的证件类型，可填写：居民身份证、港澳居民居住证、台湾居民居住证、外国人永久居留身份证、护照、无证件"
    ]
