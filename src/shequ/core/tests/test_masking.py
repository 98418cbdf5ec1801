"""Masking of personal information."""

import logging
from datetime import date

from shequ.core.masking import MaskPersonalFilter, mask_email, mask_id_number, mask_mapping, mask_mobile, mask_text


def test_id_number_shows_at_most_first_and_last_four():
    """An 18-digit ID becomes 5101**********1234."""
    assert mask_id_number("510107199001011234") == "5101**********1234"


def test_mobile_masked():
    """A mobile becomes 138****5678."""
    assert mask_mobile("13812345678") == "138****5678"


def test_email_masked():
    """An address keeps its first character and its domain; a value without @ is hidden, an empty one stays empty."""
    assert mask_email("zhang.wei@example.gov.cn") == "z***@example.gov.cn"
    assert mask_email("not-an-address") == "***"
    assert mask_email("") == ""


def test_text_masking_finds_numbers_in_prose():
    """IDs and mobiles inside free text are masked, other numbers kept."""
    assert mask_text("电话13812345678，身份证51010719900101123X，门牌12号") == (
        "电话138****5678，身份证5101**********123X，门牌12号"
    )


def test_mapping_masks_known_keys_and_nested_text():
    """Known personal keys are masked by kind; passwords never appear."""
    assert mask_mapping({"mobile": "13812345678", "password": "x", "n": {"t": "13900001111"}, "k": 3}) == {
        "mobile": "138****5678",
        "password": "******",
        "n": {"t": "139****1111"},
        "k": 3,
    }


def test_log_filter_masks_messages():
    """The logging filter rewrites messages containing personal numbers."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s", ("13812345678",), None)
    MaskPersonalFilter().filter(record)
    assert record.getMessage() == "call 138****5678"


def test_hex_digests_are_not_mistaken_for_numbers():
    """A SHA-256 digest that happens to contain 11 digits like a mobile is left intact (audit keeps file hashes)."""
    digest = "bfc144e3d79534d13035163777ce5af"
    assert mask_text(digest) == digest
    assert mask_text("号码13812345678") == "号码138****5678"


def test_birth_dates_keep_only_their_decade():
    """A birth date under a known key keeps its decade; an age under its key is hidden; anything unreadable too."""
    assert mask_mapping({"birth_date": "1980-01-01", "dob": date(1999, 5, 6), "birthday": "?", "age": 46}) == {
        "birth_date": "1980年代",
        "dob": "1990年代",
        "birthday": "******",
        "age": "******",
    }


def test_dates_next_to_a_word_for_birth_are_cut_to_the_decade_in_text():
    """In free text (logs, labels) a date after 出生/生日/birth keeps its decade; other dates are left alone."""
    assert mask_text("张三 出生日期：1980-01-01，2026-01-05 迁入") == "张三 出生日期：1980年代，2026-01-05 迁入"
    assert mask_text('{"birth_date": "1990/2/3"} born on 19900203') == '{"birth_date": "1990年代"} born on 1990年代'
    assert mask_text("生日 1990年1月2日") == "生日 1990年代"
