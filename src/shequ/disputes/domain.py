"""Rules of dispute mediation (矛盾纠纷调解): parties, sessions, agreements, risk colours and follow-up visits.

Rules and sources:

- A dispute record belongs to exactly one case of type 矛盾纠纷 (``cases.Case.case_type == "dispute"``); the
  case keeps the lifecycle (status, holder, deadlines), the dispute record keeps the mediation work.
- Parties (当事人): a resident, a household, an organisation (such as the property company) or another
  person, each as 申请人, 被申请人 or 第三人. Residents' and households' names are shown in clear as in the
  register; mobile and ID numbers are never stored in this app (free text carrying one is refused).
- Mediation sessions (调解记录, 人民调解法 2010 第二十二条 and 第二十八条): date, place, mediator, attendees,
  summary and outcome 达成协议 / 部分达成 / 未达成 / 改期. A session cannot lie in the future.
- Agreement (调解协议书, 人民调解法 第二十九条): the terms and the parties signing (at least two, among them an
  applicant and a respondent); each generated PDF is a new numbered version, older versions are kept.
- Risk colours (DESIGN R9): 红 red = crosses departments, 橙 orange = may escalate, 黄 yellow = routine,
  蓝 blue = latent; every colour is set with a reason; the history of changes is the audit log.
- Follow-up (回访): every resolved or closed dispute gets at least one follow-up visit (上门 / 电话 / 微信)
  recording the parties' attitude and whether the agreement is honoured; until then it stays in the
  "awaiting follow-up" queue.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from shequ.cases.domain import RISK_COLOUR_LABELS, RiskColour, Status
from shequ.core.masking import mask_text

__all__ = [
    "ATTITUDE_LABELS",
    "FOLLOW_UP_STATUSES",
    "HONOURED_LABELS",
    "MAX_TEXT",
    "OUTCOME_LABELS",
    "PARTY_KIND_LABELS",
    "PARTY_ROLE_LABELS",
    "RISK_COLOUR_LABELS",
    "VISIT_METHOD_LABELS",
    "Attitude",
    "Honoured",
    "Outcome",
    "PartyKind",
    "PartyRole",
    "RiskColour",
    "VisitMethod",
    "contains_personal_number",
    "needs_follow_up",
    "signing_problem",
    "session_date_problem",
]

MAX_TEXT = 4000  # longest free text accepted for a summary, terms or a note


class PartyKind(StrEnum):
    RESIDENT = "resident"
    HOUSEHOLD = "household"
    ORGANISATION = "organisation"
    OTHER = "other"


PARTY_KIND_LABELS = {
    PartyKind.RESIDENT: _("居民"),
    PartyKind.HOUSEHOLD: _("住户"),
    PartyKind.ORGANISATION: _("单位组织"),
    PartyKind.OTHER: _("其他"),
}


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    THIRD = "third"


PARTY_ROLE_LABELS = {
    PartyRole.APPLICANT: _("申请人"),
    PartyRole.RESPONDENT: _("被申请人"),
    PartyRole.THIRD: _("第三人"),
}


class Outcome(StrEnum):
    AGREED = "agreed"
    PARTIAL = "partial"
    FAILED = "failed"
    POSTPONED = "postponed"


OUTCOME_LABELS = {
    Outcome.AGREED: _("达成协议"),
    Outcome.PARTIAL: _("部分达成"),
    Outcome.FAILED: _("未达成"),
    Outcome.POSTPONED: _("改期"),
}


class VisitMethod(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    WECHAT = "wechat"


VISIT_METHOD_LABELS = {
    VisitMethod.VISIT: _("上门"),
    VisitMethod.PHONE: _("电话"),
    VisitMethod.WECHAT: _("微信"),
}


class Attitude(StrEnum):
    SATISFIED = "satisfied"
    ACCEPTING = "accepting"
    OBJECTING = "objecting"


ATTITUDE_LABELS = {
    Attitude.SATISFIED: _("认可调解结果"),
    Attitude.ACCEPTING: _("基本认可"),
    Attitude.OBJECTING: _("仍有异议"),
}


class Honoured(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NO_AGREEMENT = "none"


HONOURED_LABELS = {
    Honoured.YES: _("正在履行或已履行完毕"),
    Honoured.PARTLY: _("部分履行"),
    Honoured.NO: _("未履行"),
    Honoured.NO_AGREEMENT: _("无书面协议"),
}

# A dispute needs a follow-up visit once its case is resolved or closed.
FOLLOW_UP_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def needs_follow_up(case_status: str, visits: int) -> bool:
    """True when the case is resolved or closed and nobody has visited the parties yet."""
    return case_status in FOLLOW_UP_STATUSES and visits == 0


def contains_personal_number(text: str) -> bool:
    """True when `text` holds a mobile or resident ID number (these must not be stored here in clear)."""
    return bool(text) and mask_text(text) != text


def session_date_problem(held_on: datetime.date, today: datetime.date, case_submitted: datetime.date) -> str:
    """Why a session date is impossible, or "" when it is fine."""
    if held_on > today:
        return str(_("调解日期不能晚于今天"))
    if held_on < case_submitted:
        return str(_("调解日期不能早于纠纷登记日期"))
    return ""


def signing_problem(roles: list[str]) -> str:
    """Why these signing parties cannot sign an agreement, or "" when they can."""
    if len(roles) < 2:
        return str(_("协议至少需要两方当事人签署"))
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        return str(_("签署方须包括申请人和被申请人"))
    return ""
