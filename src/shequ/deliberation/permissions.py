"""Registered actions of deliberation (see docs/permissions.md).

Every object of deliberation belongs to one community: a body (its unit's area), a meeting (its body's), a
proposal, a residents' group, a residents' meeting request. The checks take that object, or the community itself.

- Community staff (community workers and the community Party secretary) of that community manage bodies,
  members and rules, meetings, agendas, attendance, minutes, resolutions, residents' groups and residents'
  meeting requests (``deliberation.manage``), and moderate comments (``deliberation.moderate``).
- Street and district officers whose scope holds the community see all of it (``deliberation.view``).
- Residents of the community (signed in to the portal, not anonymously) submit proposals, support them and
  comment; council members are residents and submit the same way. Community staff may also record a proposal
  (from the Party organisation, a member, or a case). The author alone withdraws their own proposal.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

COMMUNITY_ROLES = frozenset({"community_worker", "community_secretary"})
VIEW_ROLES = COMMUNITY_ROLES | {"street_officer", "district_officer"}
STAFF_AND_RESIDENTS = (Kind.STAFF, Kind.RESIDENT)


def community_of(obj: Any) -> Any:
    """The community an object of deliberation belongs to (None when it cannot be told)."""
    if obj is None:
        return None
    if hasattr(obj, "level") and hasattr(obj, "path"):  # an Area
        return obj
    for attr in ("community", "area"):  # proposals, groups, requests; a body (Unit)
        value = getattr(obj, attr, None)
        if value is not None and hasattr(value, "path"):
            return value
    body = getattr(obj, "body", None)  # a meeting
    if body is not None:
        return getattr(body, "area", None)
    meeting = getattr(obj, "meeting", None)  # a resolution or agenda item
    if meeting is not None:
        return community_of(meeting)
    return None


def _path(obj: Any) -> str:
    community = community_of(obj)
    return getattr(community, "path", "") or ""


def _staff_covers(actor: Any, obj: Any, roles: frozenset[str]) -> bool:
    path = _path(obj)
    return bool(path) and scope_of(actor).covers(path, roles)


def _resident_of(actor: Any, obj: Any) -> bool:
    if getattr(actor, "anonymous", True):
        return False
    resident = actor.resident
    community = community_of(obj)
    return (
        community is not None and getattr(resident, "status", "") == "active" and resident.community_id == community.pk
    )


@register("deliberation.view", "查看本辖区的议事机构、议题、会议、居民小组和居民会议")
def can_view(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(VIEW_ROLES) else deny(_("您无权查看议事协商"))
    return ALLOW if _staff_covers(actor, obj, VIEW_ROLES) else deny(_("您无权查看议事协商"))


@register(
    "deliberation.manage", "管理本社区的议事机构、成员、会议、议程、纪要、决议、居民小组和居民会议（社区工作人员）"
)
def can_manage(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(COMMUNITY_ROLES) else deny(_("只有社区工作人员可以管理议事协商"))
    return ALLOW if _staff_covers(actor, obj, COMMUNITY_ROLES) else deny(_("只有本社区工作人员可以管理议事协商"))


@register("deliberation.moderate", "隐藏不当的议题意见并说明原因（社区工作人员）")
def can_moderate(actor: Any, obj: Any) -> Decision:
    return ALLOW if _staff_covers(actor, obj, COMMUNITY_ROLES) else deny(_("只有本社区工作人员可以管理议题意见"))


@register(
    "deliberation.propose", "提出议题（本社区居民、议事会成员；社区工作人员代为登记）", actors=STAFF_AND_RESIDENTS
)
def can_propose(actor: Any, obj: Any) -> Decision:
    if getattr(actor, "kind", None) is Kind.RESIDENT:
        return ALLOW if _resident_of(actor, obj) else deny(_("只能在本人所在社区提出议题"))
    return ALLOW if _staff_covers(actor, obj, COMMUNITY_ROLES) else deny(_("只有本社区工作人员可以登记议题"))


@register("deliberation.support", "附议本社区的议题（居民）", actors=(Kind.RESIDENT,))
def can_support(actor: Any, obj: Any) -> Decision:
    return ALLOW if _resident_of(actor, obj) else deny(_("只能附议本人所在社区的议题"))


@register("deliberation.comment", "对本社区的议题发表意见（居民、社区工作人员）", actors=STAFF_AND_RESIDENTS)
def can_comment(actor: Any, obj: Any) -> Decision:
    if getattr(actor, "kind", None) is Kind.RESIDENT:
        return ALLOW if _resident_of(actor, obj) else deny(_("只能对本人所在社区的议题发表意见"))
    return ALLOW if _staff_covers(actor, obj, COMMUNITY_ROLES) else deny(_("只有本社区工作人员可以发表意见"))


@register("deliberation.withdraw", "撤回本人提出的议题（居民）", actors=(Kind.RESIDENT,))
def can_withdraw(actor: Any, proposal: Any) -> Decision:
    author = getattr(proposal, "author_resident_id", None)
    if _resident_of(actor, proposal) and author is not None and author == actor.resident.pk:
        return ALLOW
    return deny(_("只能撤回本人提出的议题"))
