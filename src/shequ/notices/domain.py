"""Rules of public notices (公示) and the objections residents raise against them (异议).

Rules and sources:

- What is published: resolutions of residents' or owners' bodies (决议), results of owners' joint decisions
  (表决结果: 民法典 第二百七十八条 decisions, announced to the owners as 业主大会议事规则 requires), the use of
  community funds (资金使用: 居务公开, 财务公开, 中共中央 国务院《关于加强和完善城乡社区治理的意见》2017), and others
  (其他). Each notice is addressed to the residents of one community, or of one compound or building in it.
- Period (公示期): from `starts_on` to `ends_on`, both days included. It lasts at least
  `SHEQU_NOTICE_MIN_DAYS` days (5 by default: the shortest period common in local rules, e.g. 公示期不少于5个
  工作日 for community affairs; the platform counts calendar days and the setting can be raised). A notice
  cannot start before the day it is published.
- Status: 草稿 draft → 公示中 published → 已撤回 withdrawn (a reason is required; the record is kept) or
  → 已更正 superseded (a correction, itself a new notice, was published in its place; both are kept). A draft
  may also be withdrawn. A published notice is never edited: a correction is a new notice.
- Objections (异议): a resident living in the notice's area may object while the period runs (published, on or
  between the first and the last day); later, earlier, or from outside the area the objection is refused.
  Staff may record an objection received on paper, by phone or in person on behalf of a resident, with the day
  it was received, which must lie in the period. Every objection gets one written answer from the community's
  staff (待答复 → 已答复); the answer is shown to the resident.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition

__all__ = [
    "CHANNEL_LABELS",
    "DEFAULT_MIN_DAYS",
    "KIND_LABELS",
    "MAX_BODY",
    "MAX_TEXT",
    "MAX_TITLE",
    "OBJECTION_STATUS_LABELS",
    "OBJECTION_TRANSITIONS",
    "PHASE_LABELS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "Channel",
    "Event",
    "Kind",
    "ObjectionEvent",
    "ObjectionStatus",
    "Phase",
    "Status",
    "next_objection_status",
    "next_status",
    "objection_problem",
    "period_days",
    "period_problem",
    "phase",
]

DEFAULT_MIN_DAYS = 5
MAX_TITLE = 100
MAX_BODY = 10000
MAX_TEXT = 2000  # an objection, an answer, a withdrawal reason


class Kind(StrEnum):
    RESOLUTION = "resolution"
    VOTE_RESULT = "vote_result"
    FUND_USE = "fund_use"
    OTHER = "other"


KIND_LABELS = {
    Kind.RESOLUTION: _("决议"),
    Kind.VOTE_RESULT: _("表决结果"),
    Kind.FUND_USE: _("资金使用"),
    Kind.OTHER: _("其他"),
}


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


STATUS_LABELS = {
    Status.DRAFT: _("草稿"),
    Status.PUBLISHED: _("已发布"),
    Status.WITHDRAWN: _("已撤回"),
    Status.SUPERSEDED: _("已更正"),
}


class Event(StrEnum):
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    SUPERSEDE = "supersede"


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.DRAFT, Event.PUBLISH): Status.PUBLISHED,
    (Status.DRAFT, Event.WITHDRAW): Status.WITHDRAWN,
    (Status.PUBLISHED, Event.WITHDRAW): Status.WITHDRAWN,
    (Status.PUBLISHED, Event.SUPERSEDE): Status.SUPERSEDED,
}


def next_status(status: str, event: str) -> Status:
    """The status after `event`; InvalidTransition for a pair the table does not hold."""
    try:
        return TRANSITIONS[(Status(status), Event(event))]
    except (KeyError, ValueError):
        raise InvalidTransition(f"notice: {status} --{event}-->") from None


class ObjectionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


OBJECTION_STATUS_LABELS = {
    ObjectionStatus.OPEN: _("待答复"),
    ObjectionStatus.ANSWERED: _("已答复"),
}


class ObjectionEvent(StrEnum):
    ANSWER = "answer"


OBJECTION_TRANSITIONS: dict[tuple[ObjectionStatus, ObjectionEvent], ObjectionStatus] = {
    (ObjectionStatus.OPEN, ObjectionEvent.ANSWER): ObjectionStatus.ANSWERED,
}


def next_objection_status(status: str, event: str) -> ObjectionStatus:
    """The objection's status after `event`; InvalidTransition for a pair the table does not hold."""
    try:
        return OBJECTION_TRANSITIONS[(ObjectionStatus(status), ObjectionEvent(event))]
    except (KeyError, ValueError):
        raise InvalidTransition(f"objection: {status} --{event}-->") from None


class Channel(StrEnum):
    PORTAL = "portal"
    PAPER = "paper"
    PHONE = "phone"
    VISIT = "visit"


CHANNEL_LABELS = {
    Channel.PORTAL: _("居民服务门户"),
    Channel.PAPER: _("书面"),
    Channel.PHONE: _("电话"),
    Channel.VISIT: _("来访"),
}


class Phase(StrEnum):
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"


PHASE_LABELS = {
    Phase.UPCOMING: _("未开始"),
    Phase.RUNNING: _("公示中"),
    Phase.ENDED: _("公示期已结束"),
}


def period_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """Days of the period, both ends included (16 to 20 March: 5 days)."""
    return (ends_on - starts_on).days + 1


def phase(starts_on: datetime.date, ends_on: datetime.date, today: datetime.date) -> Phase:
    """Where `today` lies against the period."""
    if today < starts_on:
        return Phase.UPCOMING
    if today > ends_on:
        return Phase.ENDED
    return Phase.RUNNING


def period_problem(
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    *,
    min_days: int,
    today: datetime.date | None = None,
) -> str:
    """Why this period cannot be published (with `today`) or saved (without), or "" when it is fine."""
    if starts_on is None or ends_on is None:
        return str(_("请填写公示期的开始和结束日期"))
    if ends_on < starts_on:
        return str(_("公示结束日期不能早于开始日期"))
    if period_days(starts_on, ends_on) < min_days:
        return str(
            _("公示期不得少于%(n)s天（含开始和结束当天），当前为%(d)s天")
            % {"n": min_days, "d": period_days(starts_on, ends_on)}
        )
    if today is not None and starts_on < today:
        return str(_("公示开始日期不能早于发布当天，请修改公示期"))
    return ""


def objection_problem(status: str, starts_on: datetime.date, ends_on: datetime.date, day: datetime.date) -> str:
    """Why an objection on `day` is refused, or "" when the notice is open for objections that day."""
    if status != Status.PUBLISHED:
        if status == Status.SUPERSEDED:
            return str(_("该公示已更正，请对更正后的公示提出异议"))
        return str(_("该公示未在公示中，不能提出异议"))
    current = phase(starts_on, ends_on, day)
    if current is Phase.UPCOMING:
        return str(_("公示期尚未开始，请于%(d)s起提出异议") % {"d": starts_on.isoformat()})
    if current is Phase.ENDED:
        return str(_("公示期已于%(d)s结束，不能再提出异议") % {"d": ends_on.isoformat()})
    return ""
