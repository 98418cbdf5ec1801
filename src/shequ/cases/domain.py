"""Rules of cases (诉求/事件/矛盾纠纷): types, the lifecycle table, stage deadlines, the escalation ladder.

Rules and sources:

- Types and default deadlines (DESIGN R7, Sichuan 12345 government-service hotline practice): 咨询
  enquiry 3, 求助 help 7, 建议 suggestion 7, 投诉 complaint 15, 举报 report 15 working days.
  Disputes (矛盾纠纷) follow configuration; 15 is the default here, and a category or the configuration may
  override any type's figure (the caller passes the figure to ``compute_deadlines``).
- Working days are those of the official PRC calendar (国务院办公厅 annual holiday notices, with make-up
  working days), supplied as ``core.workdays.WorkCalendar``; a year without a published schedule counts
  weekends only and emits ``UnscheduledYearWarning``.
- Stage deadlines: accepted within 1 working day of submission, dispatched within 1 working day of
  acceptance, resolved by the type's deadline counted from acceptance. The starting day is day 0 and is
  never counted; a deadline is the END (23:59:59.999999, Asia/Shanghai by default) of the N-th working
  day after it. A suspended case has no running stage deadline. Extensions (延期) need approval by the
  level above (checked by the service) and add working days after the current deadline's date.
- First-receiver accountability, 双派单 (lead plus helper units) and call-back after closing (R7) are
  recorded by the service; this module only says which status changes are possible.
- Confidentiality: for complaints and reports (投诉/举报) the reporter's identity is visible only to the
  dispatcher and the community Party secretary, never to the handling unit.
- Lifecycle: the explicit ``TRANSITIONS`` table below; any (status, event) pair not in it is invalid. Time
  limits that gate a transition (e.g. the reporter's reopen period) are checked by the service, not here.
  ``CLOSED`` is terminal for work and metrics, but the reporter may still reopen it within that period.
- Escalation: an overdue stage moves the holder one rung up the responsibility ladder micro-grid → grid →
  community → street → district (the top inside the system; the city is not an escalation target). The
  status does not change. Only a status with a running stage deadline (``ESCALATABLE_STATUSES``) is escalated,
  and the deadline that drives it is the stage's (``STAGE_DEADLINE_FIELDS``: accept_by while waiting for
  acceptance, dispatch_by while waiting for dispatch, resolve_by while being handled). An escalated case is
  checked again at the end of the next working day (``next_escalation_check``), so each overdue day moves it
  one rung at most.
- Satisfaction (R7): 满意, 基本满意, 不满意; the satisfaction rate counts 满意 + 基本满意 over all rated.
- Dispute risk colours (R9): red (cross-department), orange (may escalate), yellow (routine), blue (latent).
- Petitions proper (信访工作条例 2022, R8: route within 15 days, conclude within 60 + 30) are a later
  issue and are not encoded here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition
from shequ.core.workdays import WorkCalendar

__all__ = [
    "ACCEPT_WITHIN_DAYS",
    "CHANNEL_LABELS",
    "CONFIDENTIAL_TYPES",
    "DEFAULT_RESOLVE_DAYS",
    "DISPATCH_WITHIN_DAYS",
    "ESCALATABLE_STATUSES",
    "ESCALATES_TO",
    "ESCALATION_LADDER",
    "INTERNAL_EVENTS",
    "EVENT_LABELS",
    "OPEN_STATUSES",
    "REPORTER_STATUS",
    "RISK_COLOUR_LABELS",
    "SATISFACTION_LABELS",
    "SATISFIED_VALUES",
    "SHANGHAI",
    "STAGE_DEADLINE_FIELDS",
    "STAGE_LABELS",
    "STATUS_LABELS",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "TYPE_LABELS",
    "CaseType",
    "Channel",
    "Deadlines",
    "Event",
    "HasDeadlines",
    "InvalidTransition",
    "RiskColour",
    "Satisfaction",
    "Stage",
    "Status",
    "allowed_events",
    "compute_deadlines",
    "current_stage",
    "deadline_field",
    "end_of_day",
    "escalation_due",
    "extend_deadline",
    "is_overdue",
    "level_above",
    "next_escalation_check",
    "next_status",
    "reporter_status",
    "running_deadline",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- types and deadlines ------------------------------------------------------------------------------


class CaseType(StrEnum):
    ENQUIRY = "enquiry"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    DISPUTE = "dispute"


TYPE_LABELS = {
    CaseType.ENQUIRY: _("咨询"),
    CaseType.HELP: _("求助"),
    CaseType.COMPLAINT: _("投诉"),
    CaseType.REPORT: _("举报"),
    CaseType.SUGGESTION: _("建议"),
    CaseType.DISPUTE: _("矛盾纠纷"),
}

# Working days from acceptance to resolution, before any category or configuration override.
DEFAULT_RESOLVE_DAYS: dict[CaseType, int] = {
    CaseType.ENQUIRY: 3,
    CaseType.HELP: 7,
    CaseType.SUGGESTION: 7,
    CaseType.COMPLAINT: 15,
    CaseType.REPORT: 15,
    CaseType.DISPUTE: 15,  # "per configuration": this is only the default
}
ACCEPT_WITHIN_DAYS = 1
DISPATCH_WITHIN_DAYS = 1

# The reporter's identity is shown only to the dispatcher and the community Party secretary.
CONFIDENTIAL_TYPES = frozenset({CaseType.COMPLAINT, CaseType.REPORT})


# --- lifecycle ----------------------------------------------------------------------------------------


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    SUSPENDED = "suspended"
    ANSWER_REVIEW = "answer_review"


STATUS_LABELS = {
    Status.SUBMITTED: _("已提交"),
    Status.ACCEPTED: _("已受理"),
    Status.DISPATCHED: _("已派单"),
    Status.IN_PROGRESS: _("办理中"),
    Status.RESOLVED: _("已办结"),
    Status.CLOSED: _("已关闭"),
    Status.NOT_ACCEPTED: _("不予受理"),
    Status.WITHDRAWN: _("已撤回"),
    Status.MERGED: _("已合并"),
    Status.SUSPENDED: _("已中止/延期"),
    Status.ANSWER_REVIEW: _("答复待审核"),
}

# Work is still owed on these. RESOLVED is in neither set: it waits for the rating or the close.
OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.SUSPENDED, Status.ANSWER_REVIEW}
)
# No further work; CLOSED alone can still be reopened by the reporter (see TRANSITIONS).
TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.MERGED})


class Event(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    DISPATCH = "dispatch"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    RETURN = "return"
    TRANSFER = "transfer"
    REOPEN = "reopen"
    SUSPEND = "suspend"
    RESUME = "resume"
    MERGE = "merge"
    ESCALATE = "escalate"
    HOLD_ANSWER = "hold_answer"
    REVISE_ANSWER = "revise_answer"


EVENT_LABELS = {
    Event.ACCEPT: _("受理"),
    Event.REJECT: _("不予受理"),
    Event.DISPATCH: _("派单"),
    Event.START: _("签收办理"),
    Event.RESOLVE: _("办结答复"),
    Event.CLOSE: _("关闭"),
    Event.WITHDRAW: _("撤回"),
    Event.RETURN: _("退单"),
    Event.TRANSFER: _("转办"),
    Event.REOPEN: _("重新办理"),
    Event.SUSPEND: _("中止/延期"),
    Event.RESUME: _("恢复办理"),
    Event.MERGE: _("合并"),
    Event.ESCALATE: _("升级督办"),
    Event.HOLD_ANSWER: _("答复提交社区审核"),
    Event.REVISE_ANSWER: _("答复退回修改"),
}

S, E = Status, Event
TRANSITIONS: dict[tuple[Status, Event], Status] = {
    # Intake: the receiving unit accepts, or refuses with a reason and where to go instead.
    (S.SUBMITTED, E.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, E.REJECT): S.NOT_ACCEPTED,
    # Dispatch to a lead unit (and helpers); the unit signs for it and starts work.
    (S.ACCEPTED, E.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, E.START): S.IN_PROGRESS,
    # Resolution with the official reply. From ACCEPTED: the receiver answers directly (typically an
    # enquiry); from DISPATCHED: handled on the spot without a separate start (e.g. a grid worker).
    (S.ACCEPTED, E.RESOLVE): S.RESOLVED,
    (S.DISPATCHED, E.RESOLVE): S.RESOLVED,
    (S.IN_PROGRESS, E.RESOLVE): S.RESOLVED,
    # After the reply: closed on rating or when the rating period ends; reopened by the reporter (or on an
    # unsatisfied rating). From CLOSED only within the reopen period, which the service checks.
    (S.RESOLVED, E.CLOSE): S.CLOSED,
    (S.RESOLVED, E.REOPEN): S.IN_PROGRESS,
    (S.CLOSED, E.REOPEN): S.IN_PROGRESS,
    # The reporter may withdraw until the case is resolved. Not from SUSPENDED: resume it first, so the
    # approved suspension is ended explicitly and recorded.
    (S.SUBMITTED, E.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, E.WITHDRAW): S.WITHDRAWN,
    (S.DISPATCHED, E.WITHDRAW): S.WITHDRAWN,
    (S.IN_PROGRESS, E.WITHDRAW): S.WITHDRAWN,
    # 退单: the handling unit sends it back; the dispatcher must dispatch it again.
    (S.DISPATCHED, E.RETURN): S.ACCEPTED,
    (S.IN_PROGRESS, E.RETURN): S.ACCEPTED,
    # 转办: handed to another community or unit, which has yet to sign for it.
    (S.ACCEPTED, E.TRANSFER): S.DISPATCHED,
    (S.DISPATCHED, E.TRANSFER): S.DISPATCHED,
    (S.IN_PROGRESS, E.TRANSFER): S.DISPATCHED,
    # Approved suspension/extension stops the clock; resuming restarts work (not a new dispatch).
    (S.DISPATCHED, E.SUSPEND): S.SUSPENDED,
    (S.IN_PROGRESS, E.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, E.RESUME): S.IN_PROGRESS,
    # A duplicate is merged into another case from any open status.
    (S.SUBMITTED, E.MERGE): S.MERGED,
    (S.ACCEPTED, E.MERGE): S.MERGED,
    (S.DISPATCHED, E.MERGE): S.MERGED,
    (S.IN_PROGRESS, E.MERGE): S.MERGED,
    (S.SUSPENDED, E.MERGE): S.MERGED,
    # Escalation moves the holder one level up and keeps the status: exactly the statuses with a running
    # stage deadline (see current_stage), so a suspended case is never escalated.
    (S.SUBMITTED, E.ESCALATE): S.SUBMITTED,
    (S.ACCEPTED, E.ESCALATE): S.ACCEPTED,
    (S.DISPATCHED, E.ESCALATE): S.DISPATCHED,
    (S.IN_PROGRESS, E.ESCALATE): S.IN_PROGRESS,
    # 答复待审核: where the community reviews a grid worker's answer (its setting), the answer is held instead of
    # resolving; the reviewer publishes it (RESOLVE) or sends it back with a note. The resolution deadline keeps
    # running (the reporter has no answer yet), so the case can still be escalated, withdrawn or merged.
    (S.DISPATCHED, E.HOLD_ANSWER): S.ANSWER_REVIEW,
    (S.IN_PROGRESS, E.HOLD_ANSWER): S.ANSWER_REVIEW,
    (S.ANSWER_REVIEW, E.RESOLVE): S.RESOLVED,
    (S.ANSWER_REVIEW, E.REVISE_ANSWER): S.IN_PROGRESS,
    (S.ANSWER_REVIEW, E.WITHDRAW): S.WITHDRAWN,
    (S.ANSWER_REVIEW, E.MERGE): S.MERGED,
    (S.ANSWER_REVIEW, E.ESCALATE): S.ANSWER_REVIEW,
}
# Steps inside the community that the reporter (portal, public pages) does not see: a held answer is not an
# answer yet, so the reporter sees the case as still being handled.
INTERNAL_EVENTS = frozenset({E.HOLD_ANSWER, E.REVISE_ANSWER})
REPORTER_STATUS = {S.ANSWER_REVIEW: S.IN_PROGRESS}
del S, E

_E = TypeVar("_E", Status, Event)
_EVENT_ORDER = {event: index for index, event in enumerate(Event)}


def _parse(enum: type[_E], value: str, what: str) -> _E:
    """Return ``value`` as a member of ``enum``; an unknown value is an InvalidTransition, not a crash."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidTransition(f"unknown case {what} {value!r}") from None


def next_status(status: Status | str, event: Event | str) -> Status:
    """Return the status a case in ``status`` moves to on ``event``.

    Raises InvalidTransition when the pair is not in TRANSITIONS or either value is unknown.
    """
    current = _parse(Status, status, "status")
    happening = _parse(Event, event, "event")
    try:
        return TRANSITIONS[(current, happening)]
    except KeyError:
        raise InvalidTransition(
            f"event {happening.value!r} is not allowed for a case in status {current.value!r}"
        ) from None


def reporter_status(status: Status | str) -> Status:
    """Return the status the reporter and the public see: a held answer (答复待审核) shows as 办理中."""
    current = Status(status)  # ValueError on an unknown status
    return REPORTER_STATUS.get(current, current)


def allowed_events(status: Status | str) -> list[Event]:
    """Return the events TRANSITIONS allows from ``status``, in Event declaration order."""
    current = _parse(Status, status, "status")
    return sorted((event for (source, event) in TRANSITIONS if source is current), key=_EVENT_ORDER.__getitem__)


class Stage(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    RESOLVE = "resolve"


STAGE_LABELS = {Stage.ACCEPT: _("受理"), Stage.DISPATCH: _("派单"), Stage.RESOLVE: _("办理")}

_STAGE_OF_STATUS = {
    Status.SUBMITTED: Stage.ACCEPT,
    Status.ACCEPTED: Stage.DISPATCH,
    Status.DISPATCHED: Stage.RESOLVE,
    Status.IN_PROGRESS: Stage.RESOLVE,
    Status.ANSWER_REVIEW: Stage.RESOLVE,
}


# The statuses with a running stage deadline: exactly those an overdue case can be escalated from.
ESCALATABLE_STATUSES = frozenset(_STAGE_OF_STATUS)

# The deadline (a field of ``Deadlines`` and of the stored case) that runs in each stage and drives escalation.
STAGE_DEADLINE_FIELDS: dict[Stage, str] = {
    Stage.ACCEPT: "accept_by",
    Stage.DISPATCH: "dispatch_by",
    Stage.RESOLVE: "resolve_by",
}


def current_stage(status: Status | str) -> Stage | None:
    """Return the stage whose deadline is running in ``status``, or None (suspended, resolved, terminal)."""
    return _STAGE_OF_STATUS.get(Status(status))


class HasDeadlines(Protocol):
    """Anything carrying the three stage deadlines: ``Deadlines`` or a stored case."""

    @property
    def accept_by(self) -> datetime.datetime | None: ...
    @property
    def dispatch_by(self) -> datetime.datetime | None: ...
    @property
    def resolve_by(self) -> datetime.datetime | None: ...


def deadline_field(status: Status | str) -> str | None:
    """Return the name of the deadline running in ``status`` (e.g. "accept_by"), or None when no stage runs."""
    stage = current_stage(status)
    return None if stage is None else STAGE_DEADLINE_FIELDS[stage]


def running_deadline(status: Status | str, deadlines: HasDeadlines) -> datetime.datetime | None:
    """Return the deadline running in ``status`` (the one escalation watches), or None when no stage runs."""
    field = deadline_field(status)
    if field is None:
        return None
    value: datetime.datetime | None = getattr(deadlines, field)
    return value


# --- deadlines ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """Stage deadlines of one case; dispatch and resolve are None until the case is accepted."""

    accept_by: datetime.datetime
    dispatch_by: datetime.datetime | None
    resolve_by: datetime.datetime | None


def _local_date(moment: datetime.datetime, tz: ZoneInfo, name: str) -> datetime.date:
    """Return the calendar date of an aware ``moment`` in ``tz``; a naive one is refused, not guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(tz).date()


def end_of_day(day: datetime.date, tz: ZoneInfo = SHANGHAI) -> datetime.datetime:
    """Return the last instant (23:59:59.999999) of ``day`` in ``tz``."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=tz)


def compute_deadlines(
    cal: WorkCalendar,
    *,
    submitted_at: datetime.datetime,
    accepted_at: datetime.datetime | None,
    resolve_days: int,
    tz: ZoneInfo = SHANGHAI,
) -> Deadlines:
    """Return the stage deadlines of a case, each the end of a working day in ``tz``.

    accept_by ends the ACCEPT_WITHIN_DAYS-th working day after the local submission date; dispatch_by
    the DISPATCH_WITHIN_DAYS-th and resolve_by the ``resolve_days``-th working day after the local
    acceptance date (each start date is day 0). Both datetimes must be aware. Emits
    UnscheduledYearWarning when a count runs into a year without an official schedule.
    """
    if resolve_days < 0:
        raise ValueError(f"resolve_days must not be negative, got {resolve_days}")
    submitted_on = _local_date(submitted_at, tz, "submitted_at")
    accept_by = end_of_day(cal.add_working_days(submitted_on, ACCEPT_WITHIN_DAYS), tz)
    if accepted_at is None:
        return Deadlines(accept_by=accept_by, dispatch_by=None, resolve_by=None)
    accepted_on = _local_date(accepted_at, tz, "accepted_at")
    return Deadlines(
        accept_by=accept_by,
        dispatch_by=end_of_day(cal.add_working_days(accepted_on, DISPATCH_WITHIN_DAYS), tz),
        resolve_by=end_of_day(cal.add_working_days(accepted_on, resolve_days), tz),
    )


def extend_deadline(
    cal: WorkCalendar, resolve_by: datetime.datetime, extra_days: int, *, tz: ZoneInfo = SHANGHAI
) -> datetime.datetime:
    """Return the end of the ``extra_days``-th working day after ``resolve_by``'s local date in ``tz``.

    ``resolve_by`` must be aware (it may come back from the database in UTC). Negative ``extra_days``
    raises ValueError; the approval of the extension is the service's business.
    """
    if extra_days < 0:
        raise ValueError(f"extra_days must not be negative, got {extra_days}")
    return end_of_day(cal.add_working_days(_local_date(resolve_by, tz, "resolve_by"), extra_days), tz)


def is_overdue(deadline: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Return whether ``now`` is past ``deadline``; no deadline (None) is never overdue."""
    return deadline is not None and now > deadline


# --- escalation ladder --------------------------------------------------------------------------------

ESCALATION_LADDER: tuple[str, ...] = ("micro_grid", "grid", "community", "street", "district")
# Holder level -> the level an overdue case escalates to; the district, at the top, escalates nowhere.
ESCALATES_TO: dict[str, str] = dict(zip(ESCALATION_LADDER, ESCALATION_LADDER[1:], strict=False))


def level_above(level: str) -> str | None:
    """Return the rung above ``level`` on the ladder, or None at the district (the top inside the system).

    An unknown level raises ValueError.
    """
    if level not in ESCALATION_LADDER:
        raise ValueError(f"unknown escalation level {level!r}; expected one of {ESCALATION_LADDER}")
    return ESCALATES_TO.get(level)


def escalation_due(
    *, status: Status | str, holder_level: str, escalate_after: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Return whether a case is escalated at ``now``: a stage deadline runs, has passed, and a rung is above.

    ``escalate_after`` is the case's running deadline, or the next check after an escalation.
    """
    return Status(status) in ESCALATABLE_STATUSES and holder_level in ESCALATES_TO and is_overdue(escalate_after, now)


def next_escalation_check(cal: WorkCalendar, now: datetime.datetime, tz: ZoneInfo = SHANGHAI) -> datetime.datetime:
    """Return when an escalated case is checked again: the end of the next working day after ``now`` in ``tz``."""
    return end_of_day(cal.add_working_days(_local_date(now, tz, "now"), 1), tz)


# --- rating, channel, risk ----------------------------------------------------------------------------


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"  # 基本满意
    UNSATISFIED = "unsatisfied"


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: _("满意"),
    Satisfaction.BASICALLY: _("基本满意"),
    Satisfaction.UNSATISFIED: _("不满意"),
}
# Ratings counted in the numerator of the satisfaction rate.
SATISFIED_VALUES = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY})


class Channel(StrEnum):
    PORTAL = "portal"
    GRID = "grid"
    STAFF = "staff"
    HOTLINE = "hotline"
    OPEN311 = "open311"


CHANNEL_LABELS = {
    Channel.PORTAL: _("居民端"),
    Channel.GRID: _("网格员上报"),
    Channel.STAFF: _("电话/来访"),
    Channel.HOTLINE: _("12345热线"),
    Channel.OPEN311: _("Open311"),
}


class RiskColour(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"


RISK_COLOUR_LABELS = {
    RiskColour.RED: _("红（跨部门）"),
    RiskColour.ORANGE: _("橙（可能升级）"),
    RiskColour.YELLOW: _("黄（一般）"),
    RiskColour.BLUE: _("蓝（潜在）"),
}
