"""Rules of deliberation (议事协商): bodies, their quorum and majority, proposals, residents' meetings.

Rules and sources:

- Bodies are organisations (``organisations.Unit`` of kind 居民议事会, 院落议事会, 监事会, 业主大会, 业主委员会).
  A member serves from the start of their term to its end (inclusive) unless they left earlier. Sixty days
  before a term ends the body shows on the home page as "任期即将届满的议事机构" (``TERM_REMINDER_DAYS``).
- Each body's rules (its 议事规则) fix, as exact fractions, the quorum of a meeting (a share of all members who
  must be present) and the majority a resolution needs (a share of those present, or of all members).
  Chinese legal wording is kept exactly: "过半数" means *more than* half (strict), "以上" *includes* the number
  ("三分之二以上" = at least two thirds). Arithmetic is done with ``fractions.Fraction``, never floats.
  Defaults: quorum more than half of the members, majority more than half of those present.
- Residents' meeting (居民会议, 中华人民共和国城市居民委员会组织法 2018 第九条、第十条):
  - §9: it is made up of the residents aged 18 or over; all of them may attend, or one representative per
    household, or two or three representatives elected by each residents' group (居民小组). It may be held only
    when more than half of those entitled (the residents aged 18+, or the households' representatives, or the
    groups' representatives) are present; its decisions pass by more than half of those present.
  - §10: the residents' committee calls and chairs it; when at least one fifth of the residents aged 18+, at
    least one fifth of the households or at least one third of the residents' groups request it, the committee
    must call one. The system records such requests and counts the support against that threshold.
- Proposals (议题): from a resident in the portal, a council member, the Party organisation, the community
  staff, or a case turned into a proposal. The lifecycle is the explicit ``TRANSITIONS`` table below; residents
  support a proposal, and reaching the support threshold (configurable per body) makes it ready for the agenda.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition

TERM_REMINDER_DAYS = 60
DEFAULT_SUPPORT_THRESHOLD = 10
MAX_TEXT = 4000

BODY_KINDS = ("residents_council", "courtyard_council", "supervisory_board", "owners_assembly", "owners_committee")


# --- members ---------------------------------------------------------------------------------------------------


class Role(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"
    SUPERVISOR_CHIEF = "supervisor_chief"
    SUPERVISOR = "supervisor"
    SECRETARY = "secretary"


ROLE_LABELS = {
    Role.CHAIR: _("主任/召集人"),
    Role.VICE_CHAIR: _("副主任"),
    Role.MEMBER: _("委员"),
    Role.SUPERVISOR_CHIEF: _("监事长"),
    Role.SUPERVISOR: _("监事"),
    Role.SECRETARY: _("秘书"),
}


def is_serving(
    start: datetime.date, end: datetime.date | None, left_on: datetime.date | None, on: datetime.date
) -> bool:
    """True when a member whose term runs `start`–`end` (inclusive) and who left on `left_on` serves on `on`."""
    if on < start:
        return False
    if end is not None and on > end:
        return False
    return left_on is None or on < left_on


def term_ending_soon(end: datetime.date | None, today: datetime.date, days: int = TERM_REMINDER_DAYS) -> bool:
    """True when a term ends within `days` days from `today` (today included) and has not ended yet."""
    return end is not None and today <= end <= today + datetime.timedelta(days=days)


# --- thresholds ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """A share of a base: `strict` means "more than" (过半数), otherwise "at least" (以上)."""

    numerator: int
    denominator: int
    strict: bool

    def __post_init__(self) -> None:
        if self.denominator <= 0 or self.numerator < 0 or self.numerator > self.denominator:
            raise ValueError("a threshold is a fraction between 0 and 1")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def met(self, count: int, base: int) -> bool:
        """Whether `count` out of `base` reaches the threshold (a base of 0 never does)."""
        if base <= 0:
            return False
        share = Fraction(count, base)
        return share > self.fraction if self.strict else share >= self.fraction

    def needed(self, base: int) -> int:
        """The smallest count out of `base` that reaches the threshold (base + 1 when none can)."""
        if base <= 0:
            return 1
        exact = self.fraction * base
        floor = exact.numerator // exact.denominator
        if self.strict:
            return floor + 1  # more than: the next whole number above
        return floor if floor == exact else floor + 1  # at least: the ceiling

    def words(self) -> str:
        """The threshold in Chinese legal wording: 过半数, 三分之二以上, 超过三分之一 …"""
        if self.fraction == Fraction(1, 2):
            return _t("过半数") if self.strict else _t("半数以上")
        share = _t("%(d)s分之%(n)s") % {"d": _chinese(self.denominator), "n": _chinese(self.numerator)}
        return _t("超过%(share)s") % {"share": share} if self.strict else _t("%(share)s以上") % {"share": share}


_DIGITS = "零一二三四五六七八九十"


def _chinese(n: int) -> str:
    if 0 <= n <= 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + _DIGITS[n - 10]
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


MORE_THAN_HALF = Threshold(1, 2, strict=True)


class MajorityBase(StrEnum):
    PRESENT = "present"
    MEMBERS = "members"


MAJORITY_BASE_LABELS = {MajorityBase.PRESENT: _("出席人数"), MajorityBase.MEMBERS: _("全体成员")}


@dataclass(frozen=True)
class BodyRule:
    """A body's rule for its resolutions: the quorum (of all members) and the majority (of its base)."""

    quorum: Threshold = MORE_THAN_HALF
    majority: Threshold = MORE_THAN_HALF
    majority_base: MajorityBase = MajorityBase.PRESENT


@dataclass(frozen=True)
class Outcome:
    """The result of a vote: whether the meeting was quorate, whether it passed, and why, in Chinese."""

    quorum_met: bool
    passed: bool
    quorum_needed: int
    votes_needed: int
    explanation: str


def resolution_outcome(*, members: int, present: int, yes: int, rule: BodyRule) -> Outcome:
    """Decide a council resolution: quorum of present members, then the majority on its base."""
    if not 0 <= yes <= present <= members:
        raise ValueError("need 0 <= yes <= present <= members")
    quorum_needed = rule.quorum.needed(members)
    quorum_met = rule.quorum.met(present, members)
    base = present if rule.majority_base is MajorityBase.PRESENT else members
    votes_needed = rule.majority.needed(base)
    passed = quorum_met and rule.majority.met(yes, base)
    parts = [
        _t("应到 %(m)d 人，实到 %(p)d 人；法定人数为全体成员%(q)s（至少 %(n)d 人），")
        % {"m": members, "p": present, "q": rule.quorum.words(), "n": quorum_needed}
    ]
    if not quorum_met:
        parts.append(_t("未达到法定人数，会议不能作出决议。"))
    else:
        base_words = _t("出席人数") if rule.majority_base is MajorityBase.PRESENT else _t("全体成员")
        parts.append(
            _t("达到法定人数。赞成 %(y)d 票，须%(base)s的%(maj)s（至少 %(v)d 票），")
            % {"y": yes, "base": base_words, "maj": rule.majority.words(), "v": votes_needed}
        )
        parts.append(_t("决议通过。") if passed else _t("决议未通过。"))
    return Outcome(quorum_met, passed, quorum_needed, votes_needed, "".join(parts))


# --- residents' meetings (城市居民委员会组织法 §9–10) -------------------------------------------------------------


class Basis(StrEnum):
    RESIDENTS = "residents"  # residents aged 18 or over
    HOUSEHOLDS = "households"  # households (one representative each)
    GROUPS = "groups"  # residents' groups (their representatives)


BASIS_LABELS = {
    Basis.RESIDENTS: _("十八周岁以上的居民"),
    Basis.HOUSEHOLDS: _("户"),
    Basis.GROUPS: _("居民小组"),
}

# §10: the share of those entitled whose request obliges the committee to call a residents' meeting.
REQUEST_THRESHOLDS = {
    Basis.RESIDENTS: Threshold(1, 5, strict=False),
    Basis.HOUSEHOLDS: Threshold(1, 5, strict=False),
    Basis.GROUPS: Threshold(1, 3, strict=False),
}

ADULT_AGE = 18


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Full years of age on `on` (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def request_needed(basis: Basis | str, entitled: int) -> int:
    """How many supporters a request needs to oblige the committee to call a residents' meeting (§10)."""
    return REQUEST_THRESHOLDS[Basis(basis)].needed(entitled)


def request_met(basis: Basis | str, entitled: int, supporters: int) -> bool:
    return REQUEST_THRESHOLDS[Basis(basis)].met(supporters, entitled)


def residents_meeting_outcome(*, basis: Basis | str, entitled: int, present: int, yes: int) -> Outcome:
    """Decide a residents' meeting (§9): valid with more than half of those entitled present, passes by more
    than half of those present."""
    if not 0 <= yes <= present <= entitled:
        raise ValueError("need 0 <= yes <= present <= entitled")
    who = BASIS_LABELS[Basis(basis)]
    quorum_needed = MORE_THAN_HALF.needed(entitled)
    votes_needed = MORE_THAN_HALF.needed(present)
    quorum_met = MORE_THAN_HALF.met(present, entitled)
    passed = quorum_met and MORE_THAN_HALF.met(yes, present)
    text = _t("应出席（%(who)s）%(e)d，实际出席 %(p)d，须过半数（至少 %(n)d）出席，") % {
        "who": who,
        "e": entitled,
        "p": present,
        "n": quorum_needed,
    }
    if not quorum_met:
        text += _t("未过半数，会议不能举行，所作决定无效。")
    else:
        text += _t("会议有效。赞成 %(y)d，须出席人的过半数（至少 %(v)d），") % {"y": yes, "v": votes_needed}
        text += _t("决定通过。") if passed else _t("决定未通过。")
    return Outcome(quorum_met, passed, quorum_needed, votes_needed, text)


# --- proposals -------------------------------------------------------------------------------------------------


class Source(StrEnum):
    RESIDENT = "resident"
    MEMBER = "member"
    PARTY = "party"
    STAFF = "staff"
    CASE = "case"


SOURCE_LABELS = {
    Source.RESIDENT: _("居民提出"),
    Source.MEMBER: _("议事会成员提出"),
    Source.PARTY: _("党组织提出"),
    Source.STAFF: _("社区提出"),
    Source.CASE: _("由诉求转为议题"),
}


class Status(StrEnum):
    DISCUSSING = "discussing"
    READY = "ready"
    ON_AGENDA = "on_agenda"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    PUBLISHED = "published"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    Status.DISCUSSING: _("征集意见"),
    Status.READY: _("待上会"),
    Status.ON_AGENDA: _("已列入议程"),
    Status.ADOPTED: _("已通过"),
    Status.REJECTED: _("未通过"),
    Status.PUBLISHED: _("已公示"),
    Status.IN_PROGRESS: _("实施中"),
    Status.COMPLETED: _("已办结"),
    Status.DECLINED: _("不予列入议程"),
    Status.WITHDRAWN: _("已撤回"),
}

TERMINAL_STATUSES = frozenset({Status.REJECTED, Status.COMPLETED, Status.DECLINED, Status.WITHDRAWN})
# Residents may support and comment while the proposal is still being discussed or waits for a meeting.
OPEN_STATUSES = frozenset({Status.DISCUSSING, Status.READY, Status.ON_AGENDA})


class Event(StrEnum):
    QUALIFY = "qualify"  # the support threshold was reached
    SCHEDULE = "schedule"  # placed on a meeting's agenda
    DEFER = "defer"  # taken off the agenda, waits for another meeting
    ADOPT = "adopt"  # the meeting's resolution passed
    REJECT = "reject"  # the meeting's resolution did not pass
    PUBLISH = "publish"  # the decision was published
    START = "start"  # the first progress of the implementation
    COMPLETE = "complete"  # the implementation is done
    DECLINE = "decline"  # staff decline to put it on an agenda, with a reason
    WITHDRAW = "withdraw"  # the author withdraws it


S, E = Status, Event

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (S.DISCUSSING, E.QUALIFY): S.READY,
    (S.DISCUSSING, E.SCHEDULE): S.ON_AGENDA,  # a member's or the Party's proposal need not wait for support
    (S.READY, E.SCHEDULE): S.ON_AGENDA,
    (S.ON_AGENDA, E.DEFER): S.READY,
    (S.ON_AGENDA, E.ADOPT): S.ADOPTED,
    (S.ON_AGENDA, E.REJECT): S.REJECTED,
    (S.ADOPTED, E.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, E.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, E.COMPLETE): S.COMPLETED,
    (S.DISCUSSING, E.DECLINE): S.DECLINED,
    (S.READY, E.DECLINE): S.DECLINED,
    (S.DISCUSSING, E.WITHDRAW): S.WITHDRAWN,
    (S.READY, E.WITHDRAW): S.WITHDRAWN,
}

_EVENT_ORDER = {e: i for i, e in enumerate(Event)}


def next_status(status: Status | str, event: Event | str) -> Status:
    """The status a proposal in `status` moves to on `event`; InvalidTransition when the table has no such row."""
    try:
        current, happening = Status(status), Event(event)
    except ValueError:
        raise InvalidTransition(f"unknown status {status!r} or event {event!r}") from None
    try:
        return TRANSITIONS[(current, happening)]
    except KeyError:
        raise InvalidTransition(
            f"event {happening.value!r} is not allowed for a proposal in {current.value!r}"
        ) from None


def allowed_events(status: Status | str) -> list[Event]:
    current = Status(status)
    return sorted((e for (s, e) in TRANSITIONS if s is current), key=_EVENT_ORDER.__getitem__)


def support_reached(supports: int, threshold: int) -> bool:
    """Whether the supports reach the threshold ("以上": the threshold itself counts)."""
    return supports >= max(threshold, 1)


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


CHOICE_LABELS = {Choice.YES: _("赞成"), Choice.NO: _("反对"), Choice.ABSTAIN: _("弃权")}
