"""Pure rules of dispute mediation: follow-up need, personal numbers, session dates, signing parties."""

import datetime as dt

import pytest

from shequ.disputes import domain


@pytest.mark.parametrize(
    ("status", "visits", "expected"),
    [
        ("resolved", 0, True),
        ("closed", 0, True),
        ("closed", 1, False),
        ("in_progress", 0, False),
        ("submitted", 0, False),
        ("withdrawn", 0, False),
    ],
)
def test_needs_follow_up(status, visits, expected):
    """Only a resolved or closed dispute without any visit needs a follow-up visit."""
    assert domain.needs_follow_up(status, visits) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王秀英，住3栋2单元", False),
        ("联系电话13812345678", True),
        ("身份证510107198001011234", True),
        ("2026年4月30日前维修", False),
        ("", False),
    ],
)
def test_contains_personal_number(text, expected):
    """Mobile and ID numbers are recognised in free text; dates and addresses are not."""
    assert domain.contains_personal_number(text) is expected


def test_session_date_problem():
    """A session lies between the dispute's registration and today."""
    today, submitted = dt.date(2026, 3, 16), dt.date(2026, 3, 9)
    assert domain.session_date_problem(dt.date(2026, 3, 12), today, submitted) == ""
    assert domain.session_date_problem(today, today, submitted) == ""
    assert domain.session_date_problem(dt.date(2026, 3, 17), today, submitted) == "调解日期不能晚于今天"
    assert domain.session_date_problem(dt.date(2026, 3, 8), today, submitted) == "调解日期不能早于纠纷登记日期"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (["applicant", "respondent"], ""),
        (["applicant", "respondent", "third"], ""),
        (["applicant"], "协议至少需要两方当事人签署"),
        (["applicant", "third"], "签署方须包括申请人和被申请人"),
        (["respondent", "respondent"], "签署方须包括申请人和被申请人"),
    ],
)
def test_signing_problem(roles, expected):
    """An agreement is signed by an applicant and a respondent at least."""
    assert domain.signing_problem(roles) == expected
