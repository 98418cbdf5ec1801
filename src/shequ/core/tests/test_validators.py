"""Tests for shequ.core.validators (pure functions, no database)."""

from __future__ import annotations

import datetime
import os

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError

from shequ.core.validators import (
    birth_date_from_resident_id,
    convert_15_to_18,
    gender_from_resident_id,
    resident_id_check_char,
    uscc_check_char,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)

# Lazy messages need settings and a ready app registry to be rendered; configure a minimal set-up only
# when no project settings are in play (e.g. when run with -p no:django).
if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=True, LANGUAGE_CODE="zh-hans")
if not apps.ready:
    django.setup()

MSG_ID_FORMAT = "身份证号码应为18位，前17位为数字，最后一位为数字或X"
MSG_ID_REGION = "身份证号码的地区码无效"
MSG_ID_BIRTH = "身份证号码中的出生日期无效"
MSG_ID_CHECKSUM = "身份证号码校验位错误"
MSG_MOBILE = "手机号码应为11位数字，以13–19开头"
MSG_USCC_FORMAT = "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）"
MSG_USCC_CHECKSUM = "统一社会信用代码校验位错误"


def assert_invalid(func, value: str, message: str, code: str, **kwargs) -> None:
    """Assert that ``func(value)`` raises ValidationError with exactly ``message`` and ``code``."""
    with pytest.raises(ValidationError) as excinfo:
        func(value, **kwargs)
    assert str(excinfo.value.message) == message
    assert excinfo.value.code == code


# --- resident identity number -----------------------------------------------------------------------


def test_resident_id_check_char_published_example() -> None:
    """The GB 11643-1999 example 11010519491231002 has check character X."""
    assert resident_id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("51010719900101123", "X"),
        ("51010720000229002", "9"),
        ("51010719000101001", "7"),
        ("81000019850615003", "9"),
    ],
)
def test_resident_id_check_char_values(first17: str, expected: str) -> None:
    """The MOD 11-2 check character matches independently computed values."""
    assert resident_id_check_char(first17) == expected


def test_resident_id_check_char_rejects_non_digits() -> None:
    """Anything but 17 ASCII digits is a programming error and raises ValueError."""
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100")
    with pytest.raises(ValueError):
        resident_id_check_char("1101051949123100A")


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "51010719900101123X",
        "510107200002290029",
        "510107190001010017",
        "810000198506150039",
    ],
)
def test_valid_resident_ids_are_returned_unchanged(value: str) -> None:
    """Valid 18-character numbers (incl. leap day, 1900-01-01, HK permit code 81) pass unchanged."""
    assert validate_resident_id(value) == value


def test_resident_id_lowercase_x_and_whitespace_are_normalised() -> None:
    """A lower-case x check character is upper-cased and surrounding whitespace stripped."""
    assert validate_resident_id(" 11010519491231002x ") == "11010519491231002X"


def test_resident_id_full_width_digits_are_normalised() -> None:
    """Full-width digits typed with a Chinese input method are folded to ASCII."""
    assert validate_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",
        "11010519491231002X1",
        "1101051949123100XX",
        "11010519491231002Y",
        "110105194912310 2X",
    ],
)
def test_resident_id_bad_format(value: str) -> None:
    """Wrong length or non-digit characters give the format message and code resident_id_format."""
    assert_invalid(validate_resident_id, value, MSG_ID_FORMAT, "core.resident_id_format")


def test_resident_id_non_string_is_format_error() -> None:
    """A non-string value is reported as a format error, not a crash."""
    assert_invalid(validate_resident_id, None, MSG_ID_FORMAT, "core.resident_id_format")  # type: ignore[arg-type]


def test_resident_id_wrong_checksum() -> None:
    """Changing only the check character gives the checksum message."""
    assert_invalid(validate_resident_id, "110105194912310021", MSG_ID_CHECKSUM, "core.resident_id_checksum")


def test_resident_id_transposed_digits_fail_checksum() -> None:
    """Swapping two adjacent digits (a typical typing error) is caught by the checksum."""
    assert_invalid(validate_resident_id, "11010519491213002X", MSG_ID_CHECKSUM, "core.resident_id_checksum")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("510107199002301239", "30 February does not exist"),
        ("510107209901011231", "birth date in the future"),
        ("510107189912311234", "birth date before 1900-01-01"),
    ],
)
def test_resident_id_bad_birth_date(value: str, why: str) -> None:
    """Impossible, future or pre-1900 birth dates give the birth-date message (check char is correct)."""
    assert_invalid(validate_resident_id, value, MSG_ID_BIRTH, "core.resident_id_birth_date")


def test_resident_id_birth_date_today_boundary() -> None:
    """A birth date equal to ``today`` is accepted, one day later is rejected."""
    first17 = "51010720240315001"
    value = first17 + resident_id_check_char(first17)
    assert validate_resident_id(value, today=datetime.date(2024, 3, 15)) == value
    assert_invalid(
        validate_resident_id,
        value,
        MSG_ID_BIRTH,
        "core.resident_id_birth_date",
        today=datetime.date(2024, 3, 14),
    )


@pytest.mark.parametrize("value", ["990107199001011239", "100107199001011233"])
def test_resident_id_bad_province(value: str) -> None:
    """Province codes 99 and 10 do not exist and give the region message (check char is correct)."""
    assert_invalid(validate_resident_id, value, MSG_ID_REGION, "core.resident_id_region")


def test_convert_15_to_18_published_example() -> None:
    """110105491231002 becomes 11010519491231002X ("19" inserted, check char appended)."""
    assert convert_15_to_18("110105491231002") == "11010519491231002X"


def test_convert_15_to_18_bad_date() -> None:
    """A 15-digit number with 30 February is rejected with the birth-date message."""
    assert_invalid(convert_15_to_18, "510107900230123", MSG_ID_BIRTH, "core.resident_id_birth_date")


def test_convert_15_to_18_bad_format() -> None:
    """A 15-character value with a letter is rejected with code resident_id_format."""
    assert_invalid(convert_15_to_18, "11010549123100X", "15位身份证号码应全部为数字", "core.resident_id_format")


def test_birth_date_and_gender_from_resident_id() -> None:
    """Birth date comes from positions 7-14; odd 17th digit is male, even is female."""
    assert birth_date_from_resident_id("11010519491231002X") == datetime.date(1949, 12, 31)
    assert gender_from_resident_id("11010519491231002X") == "F"
    assert gender_from_resident_id("51010719900101123X") == "M"


def test_birth_date_and_gender_accept_15_digit_numbers() -> None:
    """15-digit numbers are converted first, so the same helpers work on them."""
    assert birth_date_from_resident_id("110105491231002") == datetime.date(1949, 12, 31)
    assert gender_from_resident_id("110105491231002") == "F"


def test_birth_date_from_invalid_id_raises() -> None:
    """Extracting data from an invalid number raises the validator's ValidationError."""
    assert_invalid(birth_date_from_resident_id, "110105194912310021", MSG_ID_CHECKSUM, "core.resident_id_checksum")


# --- mobile numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "008613800138000",
        "8613800138000",
        " 13800138000 ",
    ],
)
def test_mobile_is_normalised_to_11_digits(value: str) -> None:
    """Spaces, hyphens and a +86/0086/86 prefix are removed, leaving the 11 digits."""
    assert validate_mobile(value) == "13800138000"


@pytest.mark.parametrize("value", ["19912345678", "15012345678"])
def test_mobile_accepts_13_to_19(value: str) -> None:
    """Numbers in the 15x and 19x segments are valid."""
    assert validate_mobile(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "12800138000", "1380013800", "138001380000", "23800138000", "+87 13800138000", "1380013800a"],
)
def test_mobile_invalid(value: str) -> None:
    """Wrong prefix, length or characters give the mobile message and code mobile_format."""
    assert_invalid(validate_mobile, value, MSG_MOBILE, "core.mobile_format")


# --- unified social credit code ---------------------------------------------------------------------


def test_uscc_check_char() -> None:
    """The MOD 31 check character matches published codes."""
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("91440300192203821") == "6"
    assert uscc_check_char("91110108551385082") == "Q"


def test_uscc_check_char_rejects_bad_input() -> None:
    """Characters outside the GB 32100 charset are a programming error and raise ValueError."""
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100I4")


@pytest.mark.parametrize("value", ["91350100M000100Y43", "914403001922038216", "91110108551385082Q"])
def test_uscc_valid(value: str) -> None:
    """Published codes validate and are returned unchanged."""
    assert validate_uscc(value) == value


def test_uscc_lowercase_is_normalised() -> None:
    """Lower-case letters are upper-cased."""
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_uscc_wrong_checksum() -> None:
    """Changing the check character gives the checksum message."""
    assert_invalid(validate_uscc, "91350100M000100Y44", MSG_USCC_CHECKSUM, "core.uscc_checksum")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "91350100M000100Y4",
        "91350100M000100Y431",
        "91350100M000100I43",
        "91350100O000100Y43",
        "9135010-M000100Y43",
    ],
)
def test_uscc_bad_format(value: str) -> None:
    """Wrong length or characters outside the charset (I, O, ...) give the format message."""
    assert_invalid(validate_uscc, value, MSG_USCC_FORMAT, "core.uscc_format")
