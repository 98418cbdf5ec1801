"""Redaction of public text, without a database."""

import pytest

from shequ.core.redaction import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话138****5678"),
        ("身份证510104199001011234", "身份证5101**********1234"),
        ("车牌川A12345挡路", "车牌川A*****挡路"),
        ("新能源车川AD12345", "新能源车川A******"),
        ("住3-2-301的邻居", "住*-*-***的邻居"),
        ("楼上1502室漏水", "楼上****室漏水"),
        ("2025-09-28晚上很吵", "2025-09-28晚上很吵"),
        ("", ""),
        (None, ""),
    ],
)
def test_redact_masks_personal_data_and_keeps_the_rest(text, expected):
    """Mobiles, ID numbers, licence plates and room numbers are masked; dates and ordinary text stay."""
    assert redact(text) == expected
