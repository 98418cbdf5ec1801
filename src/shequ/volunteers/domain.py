"""Rules of volunteer service, shared by volunteers and in-service Party members (在职党员) serving where they live:
service hours, minors, and the numbering of proofs of service.

Rules and sources:

- Service hours (志愿服务记录与证明出具办法（试行）2020): the service time is the time actually served, in hours,
  without the journey there and back. One record covers at most one day (24 hours), is positive, has at most two
  decimals, and does not exceed the time between its start and end when both are recorded. Arithmetic is exact
  (``Decimal`` hours, ``Fraction`` spans; never ``float``).
- Minors (志愿服务条例 2017 第十五条: activities fit the volunteer's age; a minor acts with the guardian's consent):
  a minor (under 18 on the day) signs up only once the guardian's consent is recorded. Someone born on 29 February
  turns a year older on 1 March in common years (the same convention as ``deliberation.domain.age_on``).
- Proof of service (志愿服务记录与证明出具办法（试行）2020 第十二条至第十五条): issued free of charge on the volunteer's
  request, from the records; a record's correction is asked by the volunteer and answered by the organiser.
  Only hours the organiser confirmed count (`service_totals`); proofs are numbered per community and year
  (`proof_number`).
- Statuses: an activity is open, closed or cancelled; a sign-up is signed up, withdrawn, attended (hours confirmed)
  or absent; a correction is pending, accepted or refused. Each moves only by its transition table.
- The record's items besides services: training, commendations and complaints (`EntryKind`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ADULT_AGE",
    "MAX_DAY_HOURS",
    "MAX_HOURS_PLACES",
    "MINOR_NEEDS_CONSENT",
    "HoursCheck",
    "VolunteerRuleError",
    "check_service_hours",
    "hours_text",
    "is_minor",
    "signup_allowed",
    "ActivityStatus",
    "SignupStatus",
    "CorrectionStatus",
    "EntryKind",
    "next_status",
    "proof_number",
    "service_totals",
]


class VolunteerRuleError(ValueError):
    """Input no real situation can produce (a birth date after the day asked about …); the message is Chinese."""


# --- service hours ---------------------------------------------------------------------------------------------

MAX_DAY_HOURS = Decimal(24)
MAX_HOURS_PLACES = 2
_NO_HOURS = Decimal(0)
_MICROSECOND = datetime.timedelta(microseconds=1)
_MICROSECONDS_PER_HOUR = 3600 * 10**6


def _places(value: Decimal) -> int:
    """Decimals the value needs (trailing zeros do not count: 1.50 needs 1)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(-exponent, 0)


def hours_text(hours: Decimal) -> str:
    """Hours without trailing zeros and never in exponent notation ("3.5", "24", "0.25")."""
    return format(hours.normalize(), "f") if hours else "0"


def _duration_text(span: datetime.timedelta) -> str:
    minutes = span // datetime.timedelta(minutes=1)
    h, m = divmod(minutes, 60)
    if h and m:
        return gettext("%(h)d 小时 %(m)d 分钟") % {"h": h, "m": m}
    if h:
        return gettext("%(h)d 小时") % {"h": h}
    return gettext("%(m)d 分钟") % {"m": m}


@dataclass(frozen=True)
class HoursCheck:
    """A service-hours record checked: the hours counted (travel excluded), refusal reasons and an explanation."""

    hours: Decimal
    travel_hours: Decimal
    errors: tuple[str, ...]
    explanation: str

    @property
    def ok(self) -> bool:
        return not self.errors


def check_service_hours(
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    hours: Decimal,
    travel_hours: Decimal = _NO_HOURS,
) -> HoursCheck:
    """Check one day's service record: `hours` served (travel there and back excluded, given as `travel_hours`)
    must be more than 0, at most 24, with at most two decimals, and, when both `start` and `end` are given, no
    more than the time between them."""
    if not isinstance(hours, Decimal) or not isinstance(travel_hours, Decimal):
        raise TypeError("hours and travel_hours must be Decimal (never float)")
    errors: list[str] = []
    if not hours.is_finite():
        errors.append(gettext("服务时长无效"))
    elif hours <= 0:
        errors.append(gettext("服务时长须大于 0"))
    elif hours > MAX_DAY_HOURS:
        errors.append(gettext("服务时长不能超过一天（24 小时）"))
    if hours.is_finite() and _places(hours) > MAX_HOURS_PLACES:
        errors.append(gettext("服务时长最多保留两位小数"))
    if not travel_hours.is_finite() or travel_hours < 0:
        errors.append(gettext("往返交通时间不能为负数"))
    elif _places(travel_hours) > MAX_HOURS_PLACES:
        errors.append(gettext("往返交通时间最多保留两位小数"))
    if start is not None and end is not None:
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise TypeError("start and end must both be aware or both naive")
        span = end - start
        if span <= datetime.timedelta(0):
            errors.append(gettext("结束时间须晚于开始时间"))
        elif hours.is_finite() and Fraction(hours) * _MICROSECONDS_PER_HOUR > span // _MICROSECOND:
            errors.append(
                gettext("服务时长不能超过开始至结束的时间（%(span)s）") % {"span": _duration_text(span)},
            )
    if errors:
        explanation = gettext("不能记录：%(reasons)s。") % {"reasons": "；".join(errors)}
    elif travel_hours:
        explanation = gettext("计入服务时长 %(hours)s 小时；往返交通 %(travel)s 小时不计入。") % {
            "hours": hours_text(hours),
            "travel": hours_text(travel_hours),
        }
    else:
        explanation = gettext("计入服务时长 %(hours)s 小时。") % {"hours": hours_text(hours)}
    return HoursCheck(hours, travel_hours, tuple(errors), explanation)


# --- minors ----------------------------------------------------------------------------------------------------

ADULT_AGE = 18
MINOR_NEEDS_CONSENT = _("未成年人报名参加志愿服务，须先记录其监护人的同意")


def is_minor(birth_date: datetime.date, on: datetime.date) -> bool:
    """Whether someone born on `birth_date` is under 18 on `on` (18 from the birthday itself; born on 29 February:
    from 1 March in a common year)."""
    if birth_date > on:
        raise VolunteerRuleError(gettext("出生日期不能晚于计算日期"))
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return age < ADULT_AGE


def signup_allowed(is_minor: bool, guardian_consent_recorded: bool) -> bool:
    """Whether a volunteer may sign up: adults always, minors only with the guardian's consent recorded
    (the refusal to show is ``MINOR_NEEDS_CONSENT``)."""
    return not is_minor or guardian_consent_recorded


# --- statuses ----------------------------------------------------------------------------------------------------


class ActivityStatus(StrEnum):
    OPEN = "open"  # taking sign-ups
    CLOSED = "closed"  # no more sign-ups; attendance and hours may still be recorded
    CANCELLED = "cancelled"


class ActivityEvent(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"
    CANCEL = "cancel"


ACTIVITY_TRANSITIONS: dict[tuple[ActivityStatus, ActivityEvent], ActivityStatus] = {
    (ActivityStatus.OPEN, ActivityEvent.CLOSE): ActivityStatus.CLOSED,
    (ActivityStatus.OPEN, ActivityEvent.CANCEL): ActivityStatus.CANCELLED,
    (ActivityStatus.CLOSED, ActivityEvent.REOPEN): ActivityStatus.OPEN,
    (ActivityStatus.CLOSED, ActivityEvent.CANCEL): ActivityStatus.CANCELLED,
}


class SignupStatus(StrEnum):
    SIGNED_UP = "signed_up"
    WITHDRAWN = "withdrawn"
    ATTENDED = "attended"  # the organiser confirmed the hours served
    ABSENT = "absent"


class SignupEvent(StrEnum):
    SIGN_UP = "sign_up"  # again, after withdrawing
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"  # attended, with the hours
    MARK_ABSENT = "mark_absent"


SIGNUP_TRANSITIONS: dict[tuple[SignupStatus, SignupEvent], SignupStatus] = {
    (SignupStatus.WITHDRAWN, SignupEvent.SIGN_UP): SignupStatus.SIGNED_UP,
    (SignupStatus.SIGNED_UP, SignupEvent.WITHDRAW): SignupStatus.WITHDRAWN,
    (SignupStatus.SIGNED_UP, SignupEvent.CONFIRM): SignupStatus.ATTENDED,
    (SignupStatus.SIGNED_UP, SignupEvent.MARK_ABSENT): SignupStatus.ABSENT,
    (SignupStatus.ABSENT, SignupEvent.CONFIRM): SignupStatus.ATTENDED,  # marked absent by mistake
}

# Sign-ups that hold one of the activity's slots.
HOLDS_SLOT = frozenset({SignupStatus.SIGNED_UP, SignupStatus.ATTENDED, SignupStatus.ABSENT})


class CorrectionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class CorrectionEvent(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"


CORRECTION_TRANSITIONS: dict[tuple[CorrectionStatus, CorrectionEvent], CorrectionStatus] = {
    (CorrectionStatus.PENDING, CorrectionEvent.ACCEPT): CorrectionStatus.ACCEPTED,
    (CorrectionStatus.PENDING, CorrectionEvent.REFUSE): CorrectionStatus.REFUSED,
}


class EntryKind(StrEnum):
    """The record's items besides services: training, commendations, complaints."""

    TRAINING = "training"
    COMMENDATION = "commendation"
    COMPLAINT = "complaint"


class InvalidStatusChange(VolunteerRuleError):
    """The event is not allowed in the current status."""


def next_status(table: dict[tuple[Any, Any], Any], status: str, event: str) -> Any:
    """The status after `event` by `table`; `InvalidStatusChange` (with a Chinese message) when not allowed."""
    for (current, happened), after in table.items():
        if current == status and happened == event:
            return after
    raise InvalidStatusChange(gettext("当前状态下不能进行此操作"))


ACTIVITY_STATUS_LABELS = {
    ActivityStatus.OPEN: _("报名中"),
    ActivityStatus.CLOSED: _("已截止报名"),
    ActivityStatus.CANCELLED: _("已取消"),
}
SIGNUP_STATUS_LABELS = {
    SignupStatus.SIGNED_UP: _("已报名"),
    SignupStatus.WITHDRAWN: _("已退出"),
    SignupStatus.ATTENDED: _("已确认时长"),
    SignupStatus.ABSENT: _("未到"),
}
CORRECTION_STATUS_LABELS = {
    CorrectionStatus.PENDING: _("待答复"),
    CorrectionStatus.ACCEPTED: _("已更正"),
    CorrectionStatus.REFUSED: _("不予更正"),
}
ENTRY_KIND_LABELS = {
    EntryKind.TRAINING: _("培训"),
    EntryKind.COMMENDATION: _("表彰奖励"),
    EntryKind.COMPLAINT: _("被投诉"),
}
GENDER_LABELS = {"M": _("男"), "F": _("女"), "U": _("未说明")}


def slots_left(slots: int, taken: int) -> int:
    """Places still free on an activity with `slots` places of which `taken` are held."""
    return max(slots - taken, 0)


# --- proofs ------------------------------------------------------------------------------------------------------

PROOF_PREFIX = "ZYFW"


def proof_number(community_code: str, year: int, sequence: int) -> str:
    """The number of a proof: "ZYFW-<community code>-<year>-<sequence, 5 digits>", counted per community and year
    (ZYFW-510107001002-2026-00001)."""
    if sequence < 1:
        raise VolunteerRuleError(gettext("证明序号须从 1 开始"))
    return f"{PROOF_PREFIX}-{community_code}-{year}-{sequence:05d}"


@dataclass(frozen=True)
class ServiceTotals:
    services: int
    hours: Decimal

    @property
    def hours_text(self) -> str:
        return hours_text(self.hours)


def service_totals(hours: Iterable[Decimal]) -> ServiceTotals:
    """The number of confirmed services and their total hours (exact Decimal sum; travel is never in `hours`)."""
    values = list(hours)
    if any(not isinstance(h, Decimal) for h in values):
        raise TypeError("hours must be Decimal (never float)")
    return ServiceTotals(len(values), sum(values, _NO_HOURS))
