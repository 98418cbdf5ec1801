"""Rules of Party building in the community (党建): organisations and their levels, the size of a branch and of its
committee, members' voting rights, the meetings of "三会一课" and the themed Party day, the validity of a general
meeting, Party-member hub households (党员中心户), quarters and coverage. Service hours and minors (volunteers and
in-service members alike) are rules of ``shequ.volunteers.domain``.

Rules and sources:

- Levels (中国共产党支部工作条例（试行）2018 第二章): Party committee (党委), general branch (党总支), branch (党支部),
  Party group (党小组). A committee sits under a committee; a general branch under a committee; a branch under a
  committee or a general branch; a group only under a branch (``ALLOWED_PARENTS``). A committee, general branch
  or branch may have no recorded parent (its superior, e.g. the sub-district's working committee, lies outside
  the system); a group never.
- Setting up a branch (同 第四条及第二章): a unit with 3 or more full members (正式党员) sets up a branch; units with
  fewer join neighbouring units in a joint branch (联合党支部). A branch generally has no more than 50 members.
- The branch committee (同 第六章): a branch with 7 or more full members shall set up a branch committee (支部委员会),
  of 3 to 5 members as a rule and never more than 7 (``COMMITTEE_MAX``, a refusal above it). A branch with fewer
  than 7 full members has no committee: the general meeting elects a secretary and, where needed, a deputy
  secretary. A missing committee is a warning, not a refusal: members are entered after their election, and the
  7th full member must be recordable before the committee exists.
- Posts (同 第六章): the committee has a secretary and organisation, publicity and discipline members, and a deputy
  secretary where needed; a group has a group leader (党小组组长).
- Voting rights (中国共产党基层组织选举工作条例 2020; 支部工作条例 第十一条): only full members vote, stand and elect;
  probationary members (预备党员) have none of these rights, and neither do members under 留党察看 while it lasts.
  The counts passed to the quorum functions are full members with voting rights only: probationary members who
  attend count neither for the quorum nor for the votes.
- The general meeting (支部工作条例 第十一条): a vote needs more than half of the full members entitled to vote
  present (the brief for this module reads "半数以上到会" strictly: exactly one half is not enough); a decision
  passes when the votes for are MORE THAN HALF OF THOSE ENTITLED to attend, not of those present.
- Elections (中国共产党基层组织选举工作条例 2020): an election is valid when the members with the right to elect
  who attend are MORE THAN 4/5 of those entitled (exactly 4/5 fails); a candidate is elected with more than half
  of the votes of the members with the right to elect who ATTEND (at a basic-level organisation the base is those
  present, not those entitled).
- "三会一课" and the themed Party day (支部工作条例 第五章): the general meeting is held as a rule once a quarter,
  the committee meeting and the group meeting once a month, a Party lesson once a quarter, and a themed Party day
  on a fixed day each month. Periods are calendar months and calendar quarters.
- Hub households (党员中心户): sizes are local practice, passed in as settings; exceeding them gives warnings only.
- In-service members reporting to their residence community (在职党员双报到; 中共中央组织部《关于在职党员到社区报到
  为群众服务的通知》2014; 成都 practice): a need of the community's needs list (需求清单) takes claims while it is open
  and within its period, up to the number of people it wants (a withdrawn claim frees its place); a claim is
  withdrawn only before any service is recorded on it (``CLAIM_TRANSITIONS``). The quarterly record for the
  member's employer lists facts only (dates, needs, content, hours), never a score.
- No points, rankings, online time or frequency of posting anywhere (关于防治"指尖上的形式主义"的若干规定 2024):
  results state facts (held or not, counts, coverage), never a score.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition

__all__ = [
    "ALLOWED_PARENTS",
    "CADENCE",
    "CADENCE_LABELS",
    "CLAIM_STATUS_LABELS",
    "CLAIM_TRANSITIONS",
    "COMMITTEE_MAX",
    "COMMITTEE_REQUIRED_FROM",
    "COMMITTEE_USUAL_MAX",
    "COMMITTEE_USUAL_MIN",
    "DECISION_QUORUM",
    "ENTRY_STATUS_LABELS",
    "HOLDING_CLAIMS",
    "ELECTION_QUORUM",
    "MAJORITY",
    "MEETING_KIND_LABELS",
    "MEMBER_STATUS_LABELS",
    "MIN_BRANCH_FULL_MEMBERS",
    "NEED_KIND_LABELS",
    "NEED_STATUS_LABELS",
    "ORG_LEVEL_LABELS",
    "POST_LABELS",
    "REGISTRATION_STATUS_LABELS",
    "ROOT_LEVELS",
    "USUAL_BRANCH_MAX",
    "Cadence",
    "Check",
    "ClaimEvent",
    "ClaimStatus",
    "Coverage",
    "EntryStatus",
    "MeetingDue",
    "MeetingKind",
    "MemberStatus",
    "NeedKind",
    "NeedStatus",
    "OrgLevel",
    "PartyRuleError",
    "Post",
    "Quorum",
    "RegistrationStatus",
    "VoteResult",
    "check_branch_size",
    "check_committee_size",
    "check_hub",
    "check_parent",
    "committee_required",
    "coverage",
    "date_text",
    "decision_passes",
    "due_periods",
    "has_vote",
    "meeting_quorum",
    "month_label",
    "need_open_on",
    "next_claim_status",
    "period_label",
    "period_of",
    "places_left",
    "quarter_label",
    "quarter_of",
    "quarter_range",
]


class PartyRuleError(ValueError):
    """Input no real situation can produce (more present than entitled, a negative count …); the message is
    Chinese and may be shown to the person who entered the figures."""


@dataclass(frozen=True)
class Check:
    """The outcome of a rule check: refusal reasons (``errors``) and advice that does not refuse (``warnings``),
    each a plain Chinese sentence."""

    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def _counts(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {value!r}")
        if value < 0:
            raise PartyRuleError(gettext("人数不能为负数"))


def _needed_above(share: Fraction, base: int) -> int:
    """The smallest whole count that is strictly more than `share` of `base`."""
    return math.floor(share * base) + 1


# --- organisations -------------------------------------------------------------------------------------------


class OrgLevel(StrEnum):
    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"


ORG_LEVEL_LABELS = {
    OrgLevel.COMMITTEE: _("党委"),
    OrgLevel.GENERAL_BRANCH: _("党总支"),
    OrgLevel.BRANCH: _("党支部"),
    OrgLevel.GROUP: _("党小组"),
}

ALLOWED_PARENTS: dict[OrgLevel, tuple[OrgLevel, ...]] = {
    OrgLevel.COMMITTEE: (OrgLevel.COMMITTEE,),
    OrgLevel.GENERAL_BRANCH: (OrgLevel.COMMITTEE,),
    OrgLevel.BRANCH: (OrgLevel.COMMITTEE, OrgLevel.GENERAL_BRANCH),
    OrgLevel.GROUP: (OrgLevel.BRANCH,),
}
# Levels that may be recorded without a parent: their superior lies outside the system.
ROOT_LEVELS = frozenset({OrgLevel.COMMITTEE, OrgLevel.GENERAL_BRANCH, OrgLevel.BRANCH})


def check_parent(child_level: OrgLevel | str, parent_level: OrgLevel | str | None) -> Check:
    """Whether an organisation of `child_level` may sit under one of `parent_level` (None: no recorded parent)."""
    child = OrgLevel(child_level)
    child_label = str(ORG_LEVEL_LABELS[child])
    allowed = gettext("或").join(str(ORG_LEVEL_LABELS[level]) for level in ALLOWED_PARENTS[child])
    if parent_level is None:
        if child in ROOT_LEVELS:
            return Check()
        return Check(errors=(gettext("%(child)s须设在%(allowed)s之下") % {"child": child_label, "allowed": allowed},))
    parent = OrgLevel(parent_level)
    if parent in ALLOWED_PARENTS[child]:
        return Check()
    return Check(
        errors=(
            gettext("%(child)s不能设在%(parent)s之下，只能设在%(allowed)s之下")
            % {"child": child_label, "parent": str(ORG_LEVEL_LABELS[parent]), "allowed": allowed},
        )
    )


# --- branch and committee size -------------------------------------------------------------------------------

MIN_BRANCH_FULL_MEMBERS = 3
USUAL_BRANCH_MAX = 50  # members of all kinds; full members alone above it certainly exceed it
COMMITTEE_REQUIRED_FROM = 7  # full members
COMMITTEE_USUAL_MIN = 3
COMMITTEE_USUAL_MAX = 5
COMMITTEE_MAX = 7


def committee_required(full_members: int) -> bool:
    """Whether a branch with this many full members shall set up a branch committee (7 or more)."""
    _counts(full_members=full_members)
    return full_members >= COMMITTEE_REQUIRED_FROM


def check_branch_size(full_members: int, joint: bool) -> Check:
    """Check the full members of a branch being set up: at least 3 unless it is a joint branch of several units.

    A service recording a later change of membership should not refuse on these errors (the members left; the
    record must say so) but show them as advice."""
    _counts(full_members=full_members)
    errors: list[str] = []
    warnings: list[str] = []
    if full_members < MIN_BRANCH_FULL_MEMBERS:
        if joint:
            warnings.append(
                gettext("联合党支部的正式党员仍不足 %(min)d 人") % {"min": MIN_BRANCH_FULL_MEMBERS},
            )
        else:
            errors.append(
                gettext("正式党员不足 %(min)d 人，不能单独成立党支部，应当与邻近单位的党员联合成立党支部")
                % {"min": MIN_BRANCH_FULL_MEMBERS}
            )
    if full_members > USUAL_BRANCH_MAX:
        warnings.append(gettext("党支部党员人数一般不超过 %(max)d 人") % {"max": USUAL_BRANCH_MAX})
    return Check(errors=tuple(errors), warnings=tuple(warnings))


def check_committee_size(members: int, full_members: int) -> Check:
    """Check the size of a branch committee (`members`, 0 = no committee) against the branch's full members."""
    _counts(members=members, full_members=full_members)
    errors: list[str] = []
    warnings: list[str] = []
    if members > COMMITTEE_MAX:
        errors.append(gettext("支部委员会最多不超过 %(max)d 人") % {"max": COMMITTEE_MAX})
    if members > full_members:
        errors.append(gettext("支部委员只能由正式党员担任，委员人数不能多于正式党员人数"))
    if members == 0:
        if full_members >= COMMITTEE_REQUIRED_FROM:
            warnings.append(
                gettext("有正式党员 %(n)d 人以上的党支部，应当设立支部委员会") % {"n": COMMITTEE_REQUIRED_FROM}
            )
        return Check(errors=tuple(errors), warnings=tuple(warnings))
    if full_members < COMMITTEE_REQUIRED_FROM:
        warnings.append(
            gettext("正式党员不足 %(n)d 人的党支部不设支部委员会，设书记 1 名，必要时设副书记 1 名")
            % {"n": COMMITTEE_REQUIRED_FROM}
        )
    if not COMMITTEE_USUAL_MIN <= members <= COMMITTEE_USUAL_MAX:
        warnings.append(
            gettext("支部委员会一般由 %(min)d 至 %(max)d 人组成")
            % {"min": COMMITTEE_USUAL_MIN, "max": COMMITTEE_USUAL_MAX}
        )
    return Check(errors=tuple(errors), warnings=tuple(warnings))


# --- posts ---------------------------------------------------------------------------------------------------


class Post(StrEnum):
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    ORGANISATION = "organisation"
    PUBLICITY = "publicity"
    DISCIPLINE = "discipline"
    MEMBER = "member"  # any other committee member (青年委员, 统战委员 …)
    GROUP_LEADER = "group_leader"


POST_LABELS = {
    Post.SECRETARY: _("书记"),
    Post.DEPUTY_SECRETARY: _("副书记"),
    Post.ORGANISATION: _("组织委员"),
    Post.PUBLICITY: _("宣传委员"),
    Post.DISCIPLINE: _("纪检委员"),
    Post.MEMBER: _("委员"),
    Post.GROUP_LEADER: _("党小组组长"),
}


# --- members ---------------------------------------------------------------------------------------------------


class MemberStatus(StrEnum):
    FULL = "full"
    PROBATIONARY = "probationary"


MEMBER_STATUS_LABELS = {MemberStatus.FULL: _("正式党员"), MemberStatus.PROBATIONARY: _("预备党员")}


def has_vote(status: MemberStatus | str) -> bool:
    """Whether a member of this status votes and elects: full members only."""
    return MemberStatus(status) is MemberStatus.FULL


# --- periods ---------------------------------------------------------------------------------------------------


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """The calendar quarter of a day: (year, 1–4)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_range(year: int, q: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of a calendar quarter."""
    if q not in (1, 2, 3, 4):
        raise ValueError(f"a quarter is 1 to 4, not {q!r}")
    first_month, last_month = 3 * q - 2, 3 * q
    return (
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def quarter_label(year: int, q: int) -> str:
    """A quarter in words: "2026年第4季度"."""
    if q not in (1, 2, 3, 4):
        raise ValueError(f"a quarter is 1 to 4, not {q!r}")
    return gettext("%(year)d年第%(q)d季度") % {"year": year, "q": q}


def month_label(year: int, month: int) -> str:
    """A month in words: "2026年10月"."""
    return gettext("%(year)d年%(month)d月") % {"year": year, "month": month}


def date_text(day: datetime.date) -> str:
    """A day in words: "2026年10月8日"."""
    return gettext("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


# --- meetings (三会一课, 主题党日) -------------------------------------------------------------------------------


class MeetingKind(StrEnum):
    GENERAL = "general"
    COMMITTEE = "committee"
    GROUP = "group"
    LESSON = "lesson"
    THEMED_DAY = "themed_day"


MEETING_KIND_LABELS = {
    MeetingKind.GENERAL: _("支部党员大会"),
    MeetingKind.COMMITTEE: _("支部委员会会议"),
    MeetingKind.GROUP: _("党小组会"),
    MeetingKind.LESSON: _("党课"),
    MeetingKind.THEMED_DAY: _("主题党日"),
}


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


CADENCE_LABELS = {Cadence.MONTHLY: _("每月一次"), Cadence.QUARTERLY: _("每季度一次")}

CADENCE = {
    MeetingKind.GENERAL: Cadence.QUARTERLY,
    MeetingKind.COMMITTEE: Cadence.MONTHLY,
    MeetingKind.GROUP: Cadence.MONTHLY,
    MeetingKind.LESSON: Cadence.QUARTERLY,
    MeetingKind.THEMED_DAY: Cadence.MONTHLY,
}


def _period_index(cadence: Cadence, day: datetime.date) -> int:
    """Consecutive numbers for consecutive periods, so that the distance between two periods is a subtraction."""
    if cadence is Cadence.MONTHLY:
        return day.year * 12 + day.month - 1
    year, q = quarter_of(day)
    return year * 4 + q - 1


def period_of(kind: MeetingKind | str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period (calendar month or quarter, by the kind's cadence) that contains `day`: (first, last day)."""
    if CADENCE[MeetingKind(kind)] is Cadence.QUARTERLY:
        return quarter_range(*quarter_of(day))
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_label(kind: MeetingKind | str, day: datetime.date) -> str:
    """The period containing `day` in words: "2026年10月" or "2026年第4季度"."""
    if CADENCE[MeetingKind(kind)] is Cadence.QUARTERLY:
        return quarter_label(*quarter_of(day))
    return month_label(day.year, day.month)


@dataclass(frozen=True)
class MeetingDue:
    """Whether a kind of meeting is due in the current period.

    `due`: not yet held in the current period. `missed_periods`: whole periods between the one of the last meeting
    and the current one that had none; `overdue` when there is at least one (unknown, hence 0, without a record)."""

    kind: MeetingKind
    period_start: datetime.date
    period_end: datetime.date
    period_label: str
    last_held: datetime.date | None
    held_this_period: bool
    due: bool
    missed_periods: int
    overdue: bool
    days_left: int  # days after today up to the period's end (0 on its last day)
    explanation: str


def due_periods(kind: MeetingKind | str, last_held: datetime.date | None, today: datetime.date) -> MeetingDue:
    """Whether a meeting of `kind` is still to be held in the period containing `today`, given the date it was last
    held (None: never recorded)."""
    meeting = MeetingKind(kind)
    if last_held is not None and last_held > today:
        raise PartyRuleError(gettext("上次召开日期不能晚于今天"))
    cadence = CADENCE[meeting]
    start, end = period_of(meeting, today)
    label = period_label(meeting, today)
    held = last_held is not None and last_held >= start
    missed = 0
    if last_held is not None and not held:
        missed = _period_index(cadence, today) - _period_index(cadence, last_held) - 1
    days_left = (end - today).days
    words = {
        "period": label,
        "kind": str(MEETING_KIND_LABELS[meeting]),
        "end": date_text(end),
        "days": days_left,
    }
    if held:
        assert last_held is not None
        text = gettext("%(period)s的%(kind)s已于 %(held)s 召开。") % {**words, "held": date_text(last_held)}
    else:
        text = gettext("%(period)s尚未召开%(kind)s，须在 %(end)s 前召开（还有 %(days)d 天）。") % words
        if last_held is None:
            text += gettext("尚无召开记录。")
        elif missed:
            unit = gettext("个月") if cadence is Cadence.MONTHLY else gettext("个季度")
            text += gettext("上次召开于 %(held)s，其后 %(missed)d %(unit)s未召开。") % {
                "held": date_text(last_held),
                "missed": missed,
                "unit": unit,
            }
        else:
            text += gettext("上次召开于 %(held)s。") % {"held": date_text(last_held)}
    return MeetingDue(
        kind=meeting,
        period_start=start,
        period_end=end,
        period_label=label,
        last_held=last_held,
        held_this_period=held,
        due=not held,
        missed_periods=missed,
        overdue=missed > 0,
        days_left=days_left,
        explanation=text,
    )


# --- the general meeting: quorum and majority ------------------------------------------------------------------

DECISION_QUORUM = Fraction(1, 2)  # present must be strictly more than this share of those entitled
ELECTION_QUORUM = Fraction(4, 5)  # strictly more
MAJORITY = Fraction(1, 2)  # votes for: strictly more than this share of the base


@dataclass(frozen=True)
class Quorum:
    """Whether a general meeting may decide (or elect): full members with voting rights entitled and present."""

    entitled: int
    present: int
    election: bool
    needed: int  # the fewest present that make the meeting valid
    valid: bool
    explanation: str


def meeting_quorum(entitled_full: int, present_full: int, election: bool) -> Quorum:
    """Decide whether a general meeting is valid: present strictly more than 1/2 of the full members entitled to
    vote (more than 4/5 for an election). Probationary members are not counted in either figure."""
    _counts(entitled_full=entitled_full, present_full=present_full)
    if present_full > entitled_full:
        raise PartyRuleError(gettext("实到人数不能多于应到人数"))
    share = ELECTION_QUORUM if election else DECISION_QUORUM
    needed = _needed_above(share, entitled_full)
    valid = entitled_full > 0 and present_full >= needed
    if entitled_full == 0:
        text = (
            gettext("没有应到会的有选举权的正式党员，不能进行选举。")
            if election
            else gettext("没有应到会的有表决权的正式党员，不能作出决定。")
        )
        return Quorum(entitled_full, present_full, election, needed, valid, text)
    words = {"entitled": entitled_full, "present": present_full, "needed": needed}
    if election:
        if valid:
            text = gettext("应到有选举权的正式党员 %(entitled)d 人，实到 %(present)d 人，超过五分之四，选举有效。")
        else:
            text = gettext(
                "应到有选举权的正式党员 %(entitled)d 人，实到 %(present)d 人，未超过五分之四"
                "（至少须到会 %(needed)d 人），不能进行选举。"
            )
    elif valid:
        text = gettext("应到有表决权的正式党员 %(entitled)d 人，实到 %(present)d 人，超过半数，可以作出决定。")
    else:
        text = gettext(
            "应到有表决权的正式党员 %(entitled)d 人，实到 %(present)d 人，未超过半数"
            "（至少须到会 %(needed)d 人），不能作出决定。"
        )
    return Quorum(entitled_full, present_full, election, needed, valid, text % words)


@dataclass(frozen=True)
class VoteResult:
    """A decision (or a candidate's election) at a general meeting: the quorum, then the votes for on their base
    (those entitled for a decision, those present for an election)."""

    quorum: Quorum
    votes_for: int
    base: int
    needed: int  # the fewest votes for that pass
    passed: bool
    explanation: str


def decision_passes(entitled_full: int, present_full: int, votes_for: int, election: bool = False) -> VoteResult:
    """Decide a vote of the general meeting.

    A decision passes when the meeting is valid and the votes for are strictly more than half of the full members
    ENTITLED to vote (支部工作条例 第十一条); a candidate is elected when the election is valid and the votes for
    are strictly more than half of those with the right to elect who are PRESENT (基层组织选举工作条例)."""
    _counts(entitled_full=entitled_full, present_full=present_full, votes_for=votes_for)
    quorum = meeting_quorum(entitled_full, present_full, election)
    if votes_for > present_full:
        raise PartyRuleError(gettext("赞成票不能多于实到人数"))
    base = present_full if election else entitled_full
    needed = _needed_above(MAJORITY, base)
    passed = quorum.valid and votes_for >= needed
    words = {"votes": votes_for, "needed": needed}
    if not quorum.valid:
        tail = gettext("选举无效。") if election else gettext("事项未通过。")
    elif election:
        tail = (
            gettext("被选举人获得赞成票 %(votes)d 票，超过实到会有选举权党员的半数（至少须 %(needed)d 票），当选。")
            if passed
            else gettext(
                "被选举人获得赞成票 %(votes)d 票，未超过实到会有选举权党员的半数（至少须 %(needed)d 票），不能当选。"
            )
        ) % words
    else:
        tail = (
            gettext("赞成 %(votes)d 票，超过应到会有表决权党员的半数（至少须 %(needed)d 票），通过。")
            if passed
            else gettext("赞成 %(votes)d 票，未超过应到会有表决权党员的半数（至少须 %(needed)d 票），未通过。")
        ) % words
    return VoteResult(quorum, votes_for, base, needed, passed, quorum.explanation + tail)


# --- hub households (党员中心户) ---------------------------------------------------------------------------------


def check_hub(
    linked_members: int, households_per_member: Sequence[int], max_members: int, max_households: int
) -> Check:
    """Compare a hub household with the local settings: at most `max_members` linked Party members, each linking
    at most `max_households` households (`households_per_member`, one figure per linked member, in order).
    Warnings only: local practice, never a refusal."""
    _counts(linked_members=linked_members, max_members=max_members, max_households=max_households)
    for households in households_per_member:
        _counts(households=households)
    if max_members < 1 or max_households < 1:
        raise PartyRuleError(gettext("中心户的本地设定须至少为 1"))
    if len(households_per_member) != linked_members:
        raise PartyRuleError(gettext("联系户数须逐一对应所联系的党员"))
    warnings: list[str] = []
    if linked_members > max_members:
        warnings.append(
            gettext("中心户联系党员 %(n)d 名，超过本地设定的 %(max)d 名") % {"n": linked_members, "max": max_members}
        )
    for number, households in enumerate(households_per_member, start=1):
        if households > max_households:
            warnings.append(
                gettext("第 %(i)d 名党员联系 %(n)d 户，超过本地设定的 %(max)d 户")
                % {"i": number, "n": households, "max": max_households}
            )
        elif households == 0:
            warnings.append(gettext("第 %(i)d 名党员尚未联系群众户") % {"i": number})
    return Check(warnings=tuple(warnings))


# --- coverage --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How many of a whole are covered: the exact share (None when the whole is 0) and a percentage to one decimal
    ("71.3%", "—" when the whole is 0)."""

    covered: int
    total: int
    share: Fraction | None
    text: str


def coverage(covered: int, total: int) -> Coverage:
    """The share `covered`/`total`, with its percentage rounded half up exactly to one decimal."""
    _counts(covered=covered, total=total)
    if covered > total:
        raise PartyRuleError(gettext("覆盖数不能多于总数"))
    if total == 0:
        return Coverage(covered, total, None, "—")
    share = Fraction(covered, total)
    tenths = math.floor(share * 1000 + Fraction(1, 2))
    return Coverage(covered, total, share, f"{tenths // 10}.{tenths % 10}%")


# --- in-service members reporting to their residence community (在职党员双报到) ----------------------------------


class NeedKind(StrEnum):
    TUTORING = "tutoring"
    VISITS = "visits"
    MEDIATION = "mediation"
    ENVIRONMENT = "environment"
    PATROL = "patrol"
    CULTURE = "culture"
    OTHER = "other"


NEED_KIND_LABELS = {
    NeedKind.TUTORING: _("课业辅导"),
    NeedKind.VISITS: _("走访慰问"),
    NeedKind.MEDIATION: _("矛盾调解"),
    NeedKind.ENVIRONMENT: _("环境整治"),
    NeedKind.PATROL: _("平安巡逻"),
    NeedKind.CULTURE: _("文体活动"),
    NeedKind.OTHER: _("其他"),
}


class NeedStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


NEED_STATUS_LABELS = {NeedStatus.OPEN: _("认领中"), NeedStatus.CLOSED: _("已关闭")}


class ClaimStatus(StrEnum):
    CLAIMED = "claimed"
    WITHDRAWN = "withdrawn"
    DONE = "done"


CLAIM_STATUS_LABELS = {
    ClaimStatus.CLAIMED: _("已认领"),
    ClaimStatus.WITHDRAWN: _("已放弃"),
    ClaimStatus.DONE: _("已服务"),
}
# Claims that hold one of the places a need wants (a withdrawn claim frees its place).
HOLDING_CLAIMS = frozenset({ClaimStatus.CLAIMED, ClaimStatus.DONE})


class ClaimEvent(StrEnum):
    WITHDRAW = "withdraw"
    SERVE = "serve"  # a service is recorded on the claim


CLAIM_TRANSITIONS = {
    (ClaimStatus.CLAIMED, ClaimEvent.WITHDRAW): ClaimStatus.WITHDRAWN,
    (ClaimStatus.CLAIMED, ClaimEvent.SERVE): ClaimStatus.DONE,
    (ClaimStatus.DONE, ClaimEvent.SERVE): ClaimStatus.DONE,  # a need served several times (weekly tutoring …)
}


def next_claim_status(status: ClaimStatus | str, event: ClaimEvent | str) -> ClaimStatus:
    """The claim's status after `event`; InvalidTransition when the table has no such row (a withdrawn claim is
    not served, a served one is not withdrawn)."""
    try:
        return CLAIM_TRANSITIONS[ClaimStatus(status), ClaimEvent(event)]
    except (KeyError, ValueError):
        raise InvalidTransition(f"claim {status!r} cannot {event!r}") from None


class EntryStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"


ENTRY_STATUS_LABELS = {EntryStatus.PENDING: _("待社区确认"), EntryStatus.CONFIRMED: _("社区已确认")}


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


REGISTRATION_STATUS_LABELS = {RegistrationStatus.ACTIVE: _("在册"), RegistrationStatus.ENDED: _("已结束")}


def need_open_on(status: str, open_from: datetime.date, open_until: datetime.date | None, day: datetime.date) -> bool:
    """Whether a need takes claims on `day`: it is open and `day` lies in its period (no end: open until closed)."""
    return status == NeedStatus.OPEN and open_from <= day and (open_until is None or day <= open_until)


def places_left(wanted: int, holding: int) -> int:
    """Places of a need still free: those wanted less the claims holding one (never below 0)."""
    _counts(wanted=wanted, holding=holding)
    return max(wanted - holding, 0)
