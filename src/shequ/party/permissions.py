"""Registered actions of the Party side (see docs/permissions.md).

Who reaches which Party organisations (`reach_q` below):

- a Party organiser (党务工作者: the `party_organiser` role held for a Party organisation's unit) reaches that
  organisation and every organisation below it in the Party tree;
- the community Party secretary (`community_secretary`) reaches every Party organisation placed in their
  community (the community's Party committee and the branches and groups under it).

Within that reach they see members (membership is sensitive personal information: nobody else sees it), record
members, transfers, posts and 三会一课 meetings (``party.manage``), and reveal a member's name and mobile
(``party.reveal``, audited each time). Community workers and street and district officers whose scope holds an
organisation's place see the organisation itself, its posts held, its meeting schedule and the coverage figures
(``party.view``), never its members.
"""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

ORGANISER_ROLE = "party_organiser"
SECRETARY_ROLES = frozenset({"community_secretary"})
VIEW_ROLES = frozenset({"community_worker", "community_secretary", "street_officer", "district_officer"})


def organiser_paths(actor: Any) -> tuple[str, ...]:
    """The Party-tree paths of the organisations the actor is an organiser of."""
    unit_ids = scope_of(actor).unit_ids({ORGANISER_ROLE})
    if not unit_ids:
        return ()
    from .models import PartyOrg

    return tuple(PartyOrg.objects.filter(unit_id__in=unit_ids).values_list("tree_path", flat=True))


def reach_q(actor: Any, prefix: str = "") -> Q:
    """Party organisations (at `prefix`, e.g. "org__") whose members the actor may see; nothing when none."""
    q = Q(pk__in=[])
    for path in organiser_paths(actor):
        q |= Q(**{f"{prefix}tree_path__startswith": path})
    for path in scope_of(actor).paths(SECRETARY_ROLES):
        q |= Q(**{f"{prefix}unit__area__path__startswith": path})
    return q


def org_of(obj: Any) -> Any:
    """The Party organisation an object belongs to (an organisation is its own)."""
    if obj is None:
        return None
    if hasattr(obj, "tree_path"):
        return obj
    for attr in ("org", "meeting"):
        value = getattr(obj, attr, None)
        if value is not None:
            return org_of(value)
    return None


def _reaches(actor: Any, org: Any) -> bool:
    if org is None:
        return False
    if any(org.tree_path.startswith(p) for p in organiser_paths(actor)):
        return True
    return scope_of(actor).covers(org.unit.area.path, SECRETARY_ROLES)


def has_reach(actor: Any) -> bool:
    return bool(organiser_paths(actor)) or bool(scope_of(actor).paths(SECRETARY_ROLES))


@register("party.view", "查看辖区内的党组织、班子成员、组织生活安排和覆盖情况（不含党员名单）")
def can_view(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if has_reach(actor) or scope_of(actor).paths(VIEW_ROLES) else deny(_("您无权查看党组织"))
    org = org_of(obj)
    if org is None:  # an area: its coverage figures
        path = getattr(obj, "path", "")
        return ALLOW if path and scope_of(actor).covers(path, VIEW_ROLES) else deny(_("您无权查看党组织"))
    if _reaches(actor, org) or scope_of(actor).covers(org.unit.area.path, VIEW_ROLES):
        return ALLOW
    return deny(_("您无权查看该党组织"))


@register("party.members", "查看本党组织及下级党组织的党员、组织生活记录（党务工作者、社区党组织书记）")
def can_see_members(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if has_reach(actor) else deny(_("只有党务工作者可以查看党员信息"))
    return ALLOW if _reaches(actor, org_of(obj)) else deny(_("只有本党组织及上级党组织的党务工作者可以查看党员信息"))


@register("party.manage", "登记党组织、党员、组织关系转接、班子职务和三会一课记录（党务工作者、社区党组织书记）")
def can_manage(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if has_reach(actor) else deny(_("只有党务工作者可以管理党组织"))
    org = org_of(obj)
    if org is None:  # an area where a top organisation is set up: the community secretary of that community
        path = getattr(obj, "path", "")
        return (
            ALLOW if path and scope_of(actor).covers(path, SECRETARY_ROLES) else deny(_("只有党务工作者可以管理党组织"))
        )
    return ALLOW if _reaches(actor, org) else deny(_("只有本党组织及上级党组织的党务工作者可以管理"))


@register("party.reveal", "查看党员的完整姓名和手机号码（每次查看均记录审计）")
def can_reveal(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if has_reach(actor) else deny(_("只有党务工作者可以查看党员信息"))
    return ALLOW if _reaches(actor, org_of(obj)) else deny(_("只有本党组织及上级党组织的党务工作者可以查看党员信息"))
