"""Pure rules of "one core, many actors" (一核多元) and joint meetings (联席会议).

Rules encoded here (the Chengdu model of Party-building-led community governance; DESIGN §1 pillar 1):

- The community Party organisation is the centre; every other organisation acting in the community is grouped by
  its kind in a fixed order (residents' committee first, departments last), so every community's page reads alike.
- A joint meeting is convened by the community Party organisation with at least two organisations taking part
  (a "joint" meeting of one unit is an ordinary meeting), has a topic and minutes, and is recorded on or after the
  day it was held (never in advance).
- A follow-up (会议议定事项) has a text and, when a due date is set, it is not before the meeting; it is open until
  done (with the day and the result). An open follow-up may be handed over once: as a case (立案) or as a proposal
  of the community's deliberation (转为议题); a follow-up already handed over, or done, is refused.
- A follow-up is overdue when it is open and its due date has passed.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition

MIN_PARTICIPANTS = 2
TOPIC_LIMIT = 200
MINUTES_LIMIT = 20000
FOLLOW_UP_LIMIT = 300
RESULT_LIMIT = 500
RESPONSIBILITIES_LIMIT = 2000

# The ring around the centre, in reading order: unit kinds (organisations.Unit.KIND_CHOICES) grouped under a heading.
RING_GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("party", _("党组织"), ("party_committee", "party_general_branch", "party_branch", "party_group")),
    ("residents_committee", _("居民委员会"), ("residents_committee",)),
    ("councils", _("议事会"), ("residents_council", "courtyard_council", "supervisory_board")),
    ("owners", _("业主委员会"), ("owners_committee", "owners_assembly")),
    ("property_company", _("物业服务企业"), ("property_company",)),
    ("social_org", _("社会组织"), ("social_org",)),
    ("social_enterprise", _("社区社会企业"), ("social_enterprise",)),
    ("resident_unit", _("驻区单位"), ("resident_unit",)),
    ("department", _("职能部门"), ("department",)),
    ("other", _("其他单位"), ("other",)),
)
GROUP_OF_KIND = {kind: key for key, _label, kinds in RING_GROUPS for kind in kinds}


def group_of(kind: str) -> str:
    """The ring group of a unit kind (unknown kinds go to "other")."""
    return GROUP_OF_KIND.get(kind, "other")


class Status(StrEnum):
    OPEN = "open"
    DONE = "done"


STATUS_LABELS = {Status.OPEN: _("办理中"), Status.DONE: _("已办结")}


class Kind(StrEnum):
    NONE = "none"
    CASE = "case"
    PROPOSAL = "proposal"


KIND_LABELS = {Kind.NONE: _("会议督办"), Kind.CASE: _("已立案"), Kind.PROPOSAL: _("已转为议题")}


class Event(StrEnum):
    COMPLETE = "complete"
    TO_CASE = "to_case"
    TO_PROPOSAL = "to_proposal"


# A hand-over leaves the follow-up open: the work goes on in the case or the proposal, and the follow-up is closed
# with its result when that work is done.
TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.OPEN, Event.COMPLETE): Status.DONE,
    (Status.OPEN, Event.TO_CASE): Status.OPEN,
    (Status.OPEN, Event.TO_PROPOSAL): Status.OPEN,
}
HAND_OVERS = {Event.TO_CASE: Kind.CASE, Event.TO_PROPOSAL: Kind.PROPOSAL}


def next_status(status: str, event: str) -> Status:
    """The status after `event`; InvalidTransition when the table has no such row."""
    try:
        return TRANSITIONS[(Status(status), Event(event))]
    except (KeyError, ValueError) as exc:
        raise InvalidTransition(f"{status} --{event}-->") from exc


def hand_over_refusal(status: str, kind: str) -> str:
    """Why an open follow-up cannot be handed over (立案 / 转为议题), or "" when it can."""
    if status != Status.OPEN:
        return str(_("该事项已办结，不能再立案或转为议题"))
    if kind != Kind.NONE:
        return str(_("该事项已立案或已转为议题，不能重复办理"))
    return ""


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    return status == Status.OPEN and due_on is not None and due_on < today


@dataclass(frozen=True)
class Problem:
    """A refused input: the field and the message (the service adds the stable code)."""

    field: str
    message: str
    code: str


def check_meeting(
    *, held_on: date | None, today: date, topic: str, minutes: str, participants: int, convener_takes_part: bool
) -> list[Problem]:
    """What is wrong with a joint meeting's record (empty when nothing)."""
    problems: list[Problem] = []
    if held_on is None:
        problems.append(Problem("held_on", str(_("须填写会议日期")), "date_invalid"))
    elif held_on > today:
        problems.append(Problem("held_on", str(_("会议日期不能晚于今天")), "future_date"))
    if not topic:
        problems.append(Problem("topic", str(_("须填写会议议题")), "text_required"))
    if not minutes:
        problems.append(Problem("minutes", str(_("须填写会议纪要")), "minutes_required"))
    if participants < MIN_PARTICIPANTS:
        problems.append(Problem("participants", str(_("联席会议至少须有两个单位参加")), "participants_too_few"))
    elif not convener_takes_part:
        problems.append(Problem("participants", str(_("召集单位须在参会单位之中")), "participants_too_few"))
    return problems


def check_follow_up(*, text: str, due_on: date | None, held_on: date) -> list[Problem]:
    problems: list[Problem] = []
    if not text:
        problems.append(Problem("text", str(_("须填写议定事项")), "text_required"))
    if due_on is not None and due_on < held_on:
        problems.append(Problem("due_on", str(_("完成期限不能早于会议日期")), "due_before_meeting"))
    return problems


def check_completion(*, done_on: date | None, held_on: date, today: date, result: str) -> list[Problem]:
    problems: list[Problem] = []
    if done_on is None:
        problems.append(Problem("done_on", str(_("须填写办结日期")), "date_invalid"))
    elif done_on > today:
        problems.append(Problem("done_on", str(_("办结日期不能晚于今天")), "future_date"))
    elif done_on < held_on:
        problems.append(Problem("done_on", str(_("办结日期不能早于会议日期")), "date_invalid"))
    if not result:
        problems.append(Problem("result", str(_("须填写办理结果")), "text_required"))
    return problems
