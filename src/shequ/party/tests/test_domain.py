"""The Party rules without a database: the level table, branch and committee sizes at 3, 7 and 50, the meetings'
periods, the general meeting at exactly 1/2 and exactly 4/5, hub households, quarters and coverage rounded half up
(service hours and minors: volunteers/tests/test_domain.py).

Properties (hypothesis) compare each threshold with a cross-multiplied integer reference, without Fraction."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.party import domain
from shequ.party.domain import (
    ALLOWED_PARENTS,
    CADENCE,
    Cadence,
    Check,
    MeetingKind,
    MemberStatus,
    OrgLevel,
    PartyRuleError,
    check_branch_size,
    check_committee_size,
    check_hub,
    check_parent,
    committee_required,
    coverage,
    decision_passes,
    due_periods,
    has_vote,
    meeting_quorum,
    period_label,
    period_of,
    quarter_label,
    quarter_of,
    quarter_range,
)

D = datetime.date
DT = datetime.datetime
H = Decimal
FAST = settings(max_examples=200, deadline=None)
L = OrgLevel

# --- levels ------------------------------------------------------------------------------------------------------

ALLOWED = {
    (L.COMMITTEE, L.COMMITTEE),
    (L.GENERAL_BRANCH, L.COMMITTEE),
    (L.BRANCH, L.COMMITTEE),
    (L.BRANCH, L.GENERAL_BRANCH),
    (L.GROUP, L.BRANCH),
    (L.COMMITTEE, None),
    (L.GENERAL_BRANCH, None),
    (L.BRANCH, None),
}


@pytest.mark.parametrize("child", list(OrgLevel))
@pytest.mark.parametrize("parent", [*OrgLevel, None])
def test_every_child_parent_pair_follows_the_table(child, parent):
    """Exactly the pairs in ALLOWED pass; every other pair is refused with one reason."""
    result = check_parent(child.value, parent.value if parent else None)
    assert result.ok is ((child, parent) in ALLOWED)
    assert len(result.errors) == (0 if result.ok else 1)
    assert result.warnings == ()


def test_the_parent_table_rows_are_exactly_these():
    """A change to the level table shows up here."""
    assert ALLOWED_PARENTS == {
        L.COMMITTEE: (L.COMMITTEE,),
        L.GENERAL_BRANCH: (L.COMMITTEE,),
        L.BRANCH: (L.COMMITTEE, L.GENERAL_BRANCH),
        L.GROUP: (L.BRANCH,),
    }


def test_parent_refusals_name_the_allowed_levels():
    """A refusal says where the organisation may sit instead."""
    assert check_parent(L.GROUP, L.GENERAL_BRANCH).errors == ("党小组不能设在党总支之下，只能设在党支部之下",)
    assert check_parent(L.BRANCH, L.GROUP).errors == ("党支部不能设在党小组之下，只能设在党委或党总支之下",)
    assert check_parent(L.GROUP, None).errors == ("党小组须设在党支部之下",)


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        check_parent("cell", L.BRANCH)


# --- branch and committee size -----------------------------------------------------------------------------------

TOO_FEW = "正式党员不足 3 人，不能单独成立党支部，应当与邻近单位的党员联合成立党支部"
JOINT_FEW = "联合党支部的正式党员仍不足 3 人"
OVER_50 = "党支部党员人数一般不超过 50 人"


@pytest.mark.parametrize(
    ("full", "joint", "errors", "warnings"),
    [
        (0, False, (TOO_FEW,), ()),
        (2, False, (TOO_FEW,), ()),
        (3, False, (), ()),
        (2, True, (), (JOINT_FEW,)),
        (3, True, (), ()),
        (7, False, (), ()),
        (50, False, (), ()),
        (51, False, (), (OVER_50,)),
        (51, True, (), (OVER_50,)),
    ],
)
def test_branch_size(full, joint, errors, warnings):
    """3 full members are enough (exactly 3 passes); fewer are refused unless the branch is joint; above 50 warns."""
    assert check_branch_size(full, joint) == Check(errors, warnings)


@pytest.mark.parametrize(("full", "required"), [(0, False), (6, False), (7, True), (8, True)])
def test_committee_required_from_seven_full_members(full, required):
    assert committee_required(full) is required


MAX_7 = "支部委员会最多不超过 7 人"
NOT_FULL = "支部委员只能由正式党员担任，委员人数不能多于正式党员人数"
NEEDS = "有正式党员 7 人以上的党支部，应当设立支部委员会"
NO_COMMITTEE = "正式党员不足 7 人的党支部不设支部委员会，设书记 1 名，必要时设副书记 1 名"
USUAL = "支部委员会一般由 3 至 5 人组成"


@pytest.mark.parametrize(
    ("members", "full", "errors", "warnings"),
    [
        (0, 6, (), ()),
        (0, 7, (), (NEEDS,)),
        (3, 7, (), ()),
        (5, 7, (), ()),
        (2, 7, (), (USUAL,)),
        (6, 9, (), (USUAL,)),
        (7, 9, (), (USUAL,)),
        (8, 9, (MAX_7,), (USUAL,)),
        (8, 7, (MAX_7, NOT_FULL), (USUAL,)),
        (3, 6, (), (NO_COMMITTEE,)),
        (4, 3, (NOT_FULL,), (NO_COMMITTEE,)),
    ],
)
def test_committee_size(members, full, errors, warnings):
    """3–5 is the rule, 6 and 7 only warn, 8 is refused; a committee of a branch under 7 full members warns."""
    assert check_committee_size(members, full) == Check(errors, warnings)


@pytest.mark.parametrize("call", [lambda: check_branch_size(-1, False), lambda: check_committee_size(-1, 7)])
def test_negative_counts_are_refused(call):
    with pytest.raises(PartyRuleError, match="人数不能为负数"):
        call()


def test_counts_must_be_int_not_bool():
    with pytest.raises(TypeError):
        check_branch_size(True, False)


# --- members -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "votes"), [(MemberStatus.FULL, True), (MemberStatus.PROBATIONARY, False)])
def test_only_full_members_vote(status, votes):
    assert has_vote(status.value) is votes


# --- periods -----------------------------------------------------------------------------------------------------


def test_cadences_are_exactly_these():
    """三会一课 and the themed Party day: quarterly general meeting and lesson, the rest monthly."""
    assert CADENCE == {
        MeetingKind.GENERAL: Cadence.QUARTERLY,
        MeetingKind.COMMITTEE: Cadence.MONTHLY,
        MeetingKind.GROUP: Cadence.MONTHLY,
        MeetingKind.LESSON: Cadence.QUARTERLY,
        MeetingKind.THEMED_DAY: Cadence.MONTHLY,
    }


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "label"),
    [
        (MeetingKind.GENERAL, D(2026, 10, 1), D(2026, 10, 1), D(2026, 12, 31), "2026年第4季度"),
        (MeetingKind.GENERAL, D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), "2026年第4季度"),
        (MeetingKind.LESSON, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31), "2026年第1季度"),
        (MeetingKind.LESSON, D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30), "2026年第2季度"),
        (MeetingKind.COMMITTEE, D(2028, 2, 15), D(2028, 2, 1), D(2028, 2, 29), "2028年2月"),
        (MeetingKind.GROUP, D(2026, 2, 28), D(2026, 2, 1), D(2026, 2, 28), "2026年2月"),
        (MeetingKind.THEMED_DAY, D(2026, 12, 1), D(2026, 12, 1), D(2026, 12, 31), "2026年12月"),
    ],
)
def test_period_of(kind, day, start, end, label):
    assert period_of(kind.value, day) == (start, end)
    assert period_label(kind, day) == label


def test_due_when_not_yet_held_this_month():
    due = due_periods(MeetingKind.COMMITTEE, D(2026, 9, 20), D(2026, 10, 19))
    assert (due.period_start, due.period_end, due.period_label) == (D(2026, 10, 1), D(2026, 10, 31), "2026年10月")
    assert (due.held_this_period, due.due, due.missed_periods, due.overdue) == (False, True, 0, False)
    assert due.days_left == 12
    assert due.explanation == (
        "2026年10月尚未召开支部委员会会议，须在 2026年10月31日 前召开（还有 12 天）。上次召开于 2026年9月20日。"
    )


def test_held_on_the_first_day_of_the_period_counts():
    due = due_periods(MeetingKind.GENERAL, D(2026, 10, 1), D(2026, 12, 31))
    assert (due.held_this_period, due.due, due.overdue, due.days_left) == (True, False, False, 0)
    assert due.explanation == "2026年第4季度的支部党员大会已于 2026年10月1日 召开。"


def test_held_on_the_last_day_of_the_previous_period_does_not_count():
    due = due_periods(MeetingKind.GENERAL, D(2026, 9, 30), D(2026, 10, 1))
    assert (due.held_this_period, due.due, due.missed_periods, due.overdue) == (False, True, 0, False)


@pytest.mark.parametrize(
    ("kind", "last", "today", "missed", "tail"),
    [
        (MeetingKind.THEMED_DAY, D(2026, 7, 31), D(2026, 10, 5), 2, "上次召开于 2026年7月31日，其后 2 个月未召开。"),
        (MeetingKind.LESSON, D(2025, 12, 31), D(2026, 4, 1), 1, "上次召开于 2025年12月31日，其后 1 个季度未召开。"),
        (MeetingKind.GROUP, D(2025, 12, 15), D(2026, 1, 31), 0, "上次召开于 2025年12月15日。"),
    ],
)
def test_overdue_counts_whole_periods_without_a_meeting(kind, last, today, missed, tail):
    """Periods are counted across a year's end; the period just before the current one counts when it had none."""
    due = due_periods(kind, last, today)
    assert (due.missed_periods, due.overdue, due.due) == (missed, missed > 0, True)
    assert due.explanation.endswith(tail)


def test_never_held_is_due_but_not_overdue():
    due = due_periods(MeetingKind.LESSON, None, D(2026, 11, 30))
    assert (due.due, due.overdue, due.missed_periods, due.days_left) == (True, False, 0, 31)
    assert due.explanation == "2026年第4季度尚未召开党课，须在 2026年12月31日 前召开（还有 31 天）。尚无召开记录。"


def test_last_held_after_today_is_refused():
    with pytest.raises(PartyRuleError, match="上次召开日期不能晚于今天"):
        due_periods(MeetingKind.GROUP, D(2026, 10, 2), D(2026, 10, 1))


@FAST
@given(
    st.sampled_from(list(MeetingKind)),
    st.dates(D(2000, 1, 1), D(2100, 12, 31)),
    st.integers(0, 800),
)
def test_due_agrees_with_the_period(kind, today, back):
    """Held this period exactly when the last meeting falls in the period containing today."""
    last = today - datetime.timedelta(days=back)
    due = due_periods(kind, last, today)
    start, end = period_of(kind, today)
    assert start <= today <= end
    assert due.held_this_period is (start <= last)
    assert due.due is not due.held_this_period
    assert due.days_left == (end - today).days
    if due.held_this_period:
        assert due.missed_periods == 0
    else:
        # the periods strictly between the last meeting's and today's, walked one by one
        walked, cursor = 0, period_of(kind, last)[1] + datetime.timedelta(days=1)
        while cursor < start:
            walked, cursor = walked + 1, period_of(kind, cursor)[1] + datetime.timedelta(days=1)
        assert due.missed_periods == walked


# --- quarters ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(D(2026, 1, 1), (2026, 1)), (D(2026, 3, 31), (2026, 1)), (D(2026, 4, 1), (2026, 2)), (D(2026, 12, 31), (2026, 4))],
)
def test_quarter_of(day, quarter):
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(
    ("year", "q", "first", "last"),
    [
        (2026, 1, D(2026, 1, 1), D(2026, 3, 31)),
        (2026, 2, D(2026, 4, 1), D(2026, 6, 30)),
        (2026, 3, D(2026, 7, 1), D(2026, 9, 30)),
        (2026, 4, D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_quarter_range(year, q, first, last):
    assert quarter_range(year, q) == (first, last)


def test_quarter_label():
    assert quarter_label(2026, 4) == "2026年第4季度"


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quarter_outside_1_to_4_is_refused(q):
    with pytest.raises(ValueError):
        quarter_range(2026, q)
    with pytest.raises(ValueError):
        quarter_label(2026, q)


@FAST
@given(st.dates(D(1, 1, 1), D(9999, 12, 31)))
def test_every_day_lies_in_its_quarter(day):
    """The quarter of a day contains it, ends the day before the next quarter starts, and is the general meeting's
    period."""
    first, last = quarter_range(*quarter_of(day))
    assert first <= day <= last
    assert (first.day, first.month % 3) == (1, 1)
    if last < D(9999, 12, 31):
        assert quarter_of(last + datetime.timedelta(days=1)) != quarter_of(day)
    assert period_of(MeetingKind.GENERAL, day) == (first, last)


# --- the general meeting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "election", "needed", "valid"),
    [
        (9, 5, False, 5, True),
        (9, 4, False, 5, False),
        (10, 5, False, 6, False),  # exactly one half fails
        (10, 6, False, 6, True),
        (1, 1, False, 1, True),
        (2, 1, False, 2, False),
        (0, 0, False, 1, False),
        (10, 8, True, 9, False),  # exactly four fifths fails
        (10, 9, True, 9, True),
        (5, 4, True, 5, False),
        (5, 5, True, 5, True),
        (9, 8, True, 8, True),
        (9, 7, True, 8, False),
        (0, 0, True, 1, False),
    ],
)
def test_meeting_quorum(entitled, present, election, needed, valid):
    q = meeting_quorum(entitled, present, election)
    assert (q.entitled, q.present, q.election, q.needed, q.valid) == (entitled, present, election, needed, valid)


@pytest.mark.parametrize(
    ("entitled", "present", "election", "text"),
    [
        (9, 5, False, "应到有表决权的正式党员 9 人，实到 5 人，超过半数，可以作出决定。"),
        (10, 5, False, "应到有表决权的正式党员 10 人，实到 5 人，未超过半数（至少须到会 6 人），不能作出决定。"),
        (10, 9, True, "应到有选举权的正式党员 10 人，实到 9 人，超过五分之四，选举有效。"),
        (10, 8, True, "应到有选举权的正式党员 10 人，实到 8 人，未超过五分之四（至少须到会 9 人），不能进行选举。"),
        (0, 0, False, "没有应到会的有表决权的正式党员，不能作出决定。"),
        (0, 0, True, "没有应到会的有选举权的正式党员，不能进行选举。"),
    ],
)
def test_quorum_explanation(entitled, present, election, text):
    assert meeting_quorum(entitled, present, election).explanation == text


@pytest.mark.parametrize(
    ("entitled", "present", "votes", "election", "base", "needed", "passed"),
    [
        (10, 6, 6, False, 10, 6, True),
        (10, 6, 5, False, 10, 6, False),  # exactly half of those entitled fails, though most of those present
        (10, 10, 5, False, 10, 6, False),
        (9, 5, 5, False, 9, 5, True),
        (10, 5, 5, False, 10, 6, False),  # no quorum
        (10, 9, 5, True, 9, 5, True),  # an election counts on those present
        (10, 9, 4, True, 9, 5, False),
        (10, 10, 5, True, 10, 6, False),  # exactly half of those present fails
        (10, 8, 8, True, 8, 5, False),  # no quorum for an election at exactly 4/5
    ],
)
def test_decision_passes(entitled, present, votes, election, base, needed, passed):
    r = decision_passes(entitled, present, votes, election)
    assert (r.base, r.needed, r.passed, r.votes_for) == (base, needed, passed, votes)


def test_decision_explanations():
    assert decision_passes(10, 6, 6).explanation == (
        "应到有表决权的正式党员 10 人，实到 6 人，超过半数，可以作出决定。"
        "赞成 6 票，超过应到会有表决权党员的半数（至少须 6 票），通过。"
    )
    assert decision_passes(10, 6, 5).explanation.endswith(
        "赞成 5 票，未超过应到会有表决权党员的半数（至少须 6 票），未通过。"
    )
    assert decision_passes(10, 5, 5).explanation == (
        "应到有表决权的正式党员 10 人，实到 5 人，未超过半数（至少须到会 6 人），不能作出决定。事项未通过。"
    )
    assert decision_passes(10, 9, 5, election=True).explanation.endswith(
        "被选举人获得赞成票 5 票，超过实到会有选举权党员的半数（至少须 5 票），当选。"
    )
    assert decision_passes(10, 9, 4, election=True).explanation.endswith("（至少须 5 票），不能当选。")
    assert decision_passes(10, 8, 8, election=True).explanation.endswith("不能进行选举。选举无效。")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((5, 6, 0), "实到人数不能多于应到人数"),
        ((5, 4, 5), "赞成票不能多于实到人数"),
        ((-1, 0, 0), "人数不能为负数"),
        ((5, -1, 0), "人数不能为负数"),
        ((5, 4, -1), "人数不能为负数"),
    ],
)
def test_impossible_figures_are_refused(args, message):
    with pytest.raises(PartyRuleError, match=message):
        decision_passes(*args)


def test_quorum_refuses_more_present_than_entitled():
    with pytest.raises(PartyRuleError):
        meeting_quorum(3, 4, False)


meetings = st.integers(0, 300).flatmap(
    lambda e: st.tuples(st.just(e), st.integers(0, e)).flatmap(
        lambda ep: st.tuples(st.just(ep[0]), st.just(ep[1]), st.integers(0, ep[1]), st.booleans())
    )
)


@FAST
@given(meetings)
def test_vote_agrees_with_cross_multiplication(figures):
    """valid: 2·present > entitled (5·present > 4·entitled for an election); passed: valid and 2·votes > base; the
    counts needed are the smallest that reach the thresholds."""
    entitled, present, votes, election = figures
    r = decision_passes(entitled, present, votes, election)
    valid = 5 * present > 4 * entitled if election else 2 * present > entitled
    base = present if election else entitled
    assert r.quorum.valid is valid
    assert r.passed is (valid and 2 * votes > base)
    assert 5 * r.quorum.needed > 4 * entitled if election else 2 * r.quorum.needed > entitled
    assert not (5 * (r.quorum.needed - 1) > 4 * entitled if election else 2 * (r.quorum.needed - 1) > entitled)
    assert 2 * r.needed > base and not 2 * (r.needed - 1) > base


# --- hub households ----------------------------------------------------------------------------------------------


def test_hub_within_settings_has_no_warnings():
    assert check_hub(3, [10, 1, 5], max_members=3, max_households=10) == Check()


def test_hub_over_settings_warns_only():
    r = check_hub(4, [11, 0, 10, 3], max_members=3, max_households=10)
    assert r.errors == ()
    assert r.warnings == (
        "中心户联系党员 4 名，超过本地设定的 3 名",
        "第 1 名党员联系 11 户，超过本地设定的 10 户",
        "第 2 名党员尚未联系群众户",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((2, [1], 3, 10), "联系户数须逐一对应所联系的党员"),
        ((1, [1], 0, 10), "中心户的本地设定须至少为 1"),
        ((1, [-1], 3, 10), "人数不能为负数"),
    ],
)
def test_hub_refuses_inconsistent_figures(args, message):
    with pytest.raises(PartyRuleError, match=message):
        check_hub(*args)


@FAST
@given(st.lists(st.integers(0, 40), max_size=15), st.integers(1, 12), st.integers(1, 30))
def test_hub_never_refuses(households, max_members, max_households):
    """Whatever the figures, only warnings: one for too many members, one per member over the limit or at 0."""
    r = check_hub(len(households), households, max_members, max_households)
    assert r.errors == () and r.ok
    expected = int(len(households) > max_members) + sum(1 for h in households if h > max_households or h == 0)
    assert len(r.warnings) == expected


# --- coverage ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("covered", "total", "text"),
    [
        (57, 80, "71.3%"),  # 71.25 rounds half up
        (713, 1000, "71.3%"),
        (2, 3, "66.7%"),
        (1, 3, "33.3%"),
        (1, 16, "6.3%"),  # 6.25
        (0, 7, "0.0%"),
        (5, 5, "100.0%"),
        (1, 2000, "0.1%"),  # 0.05
        (1, 2001, "0.0%"),
    ],
)
def test_coverage_text(covered, total, text):
    c = coverage(covered, total)
    assert c.text == text
    assert c.share is not None and c.share.numerator * total == covered * c.share.denominator


def test_coverage_of_nothing():
    assert (coverage(0, 0).share, coverage(0, 0).text) == (None, "—")


def test_coverage_refuses_more_covered_than_total():
    with pytest.raises(PartyRuleError, match="覆盖数不能多于总数"):
        coverage(4, 3)


@FAST
@given(st.integers(1, 10**6).flatmap(lambda t: st.tuples(st.integers(0, t), st.just(t))))
def test_coverage_agrees_with_decimal_half_up(figures):
    covered, total = figures
    expected = (Decimal(covered) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    # Decimal division rounds at 28 digits; totals up to 10**6 never put a tie there
    assert coverage(covered, total).text == f"{expected}%"


# --- the 2024 rules against formalism ----------------------------------------------------------------------------


def test_no_points_rankings_or_online_time():
    """No public name of the module scores, ranks or measures time online."""
    words = ("score", "point", "rank", "online", "积分", "排名")
    assert [name for name in domain.__all__ if any(w in name.lower() for w in words)] == []
    assert set(domain.__all__) <= set(dir(domain))
