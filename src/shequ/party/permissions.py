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
(``party.view``), never its members. Hub households (党员中心户) are reached like the members they link (an
organiser or secretary reaching the host's organisation).

In-service members reporting to their residence community (在职党员双报到) are reached by community
(`service_community_ids`): the community Party secretary of that community, and organisers of the community's
Party organisation (the top one placed in the community) or of an organisation above it — not organisers of a
branch in it. They see and manage the registrations, the needs list, claims and services (``party.service``); a
resident acts on their own registration only (``party.service_self``: register, claim, withdraw, record a
service, download their quarterly record).
"""

from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind, kind_of
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
    for attr in ("org", "meeting", "hub", "link"):
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


@register("party.members", "查看本党组织及下级党组织的党员、组织生活记录和党员中心户（党务工作者、社区党组织书记）")
def can_see_members(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if has_reach(actor) else deny(_("只有党务工作者可以查看党员信息"))
    return ALLOW if _reaches(actor, org_of(obj)) else deny(_("只有本党组织及上级党组织的党务工作者可以查看党员信息"))


@register(
    "party.manage",
    "登记党组织、党员、组织关系转接、班子职务和三会一课记录，设立和调整党员中心户（党务工作者、社区党组织书记）",
)
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


# --- in-service members (在职党员双报到) -------------------------------------------------------------------------


def service_community_ids(actor: Any) -> frozenset[int]:
    """Communities whose in-service members, needs and services the actor reaches (staff only): those the actor is
    community Party secretary of, and those whose Party organisation (the top one placed in the community) lies in
    the subtree of an organisation the actor is an organiser of."""
    from shequ.territory.models import Area

    from .models import PartyOrg

    ids: set[int] = set()
    secretary_paths = scope_of(actor).paths(SECRETARY_ROLES)
    if secretary_paths:
        q = Q(pk__in=[])
        for path in secretary_paths:
            q |= Q(path__startswith=path)
        ids |= set(Area.objects.filter(q, level="community").values_list("pk", flat=True))
    paths = organiser_paths(actor)
    if paths:
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(tree_path__startswith=path)
        tops = PartyOrg.objects.filter(q, unit__area__level="community").filter(
            Q(parent__isnull=True) | ~Q(parent__unit__area=F("unit__area"))
        )
        ids |= set(tops.values_list("unit__area_id", flat=True))
    return frozenset(ids)


def _community_id(obj: Any) -> int | None:
    """The community an object of 双报到 belongs to (an area is its own)."""
    if obj is None:
        return None
    if getattr(obj, "level", None) == "community" and hasattr(obj, "path"):
        return obj.pk
    for attr in ("community_id",):
        value = getattr(obj, attr, None)
        if value is not None:
            return value
    for attr in ("member", "need", "claim"):
        value = getattr(obj, attr, None)
        if value is not None:
            return _community_id(value)
    return None


def _resident_id(obj: Any) -> int | None:
    """The resident an object of 双报到 is about: a registration's, a claim's or an entry's member's; a resident is
    their own."""
    if obj is None:
        return None
    if hasattr(obj, "resident_id"):
        return obj.resident_id
    member = getattr(obj, "member", None)
    if member is not None:
        return _resident_id(member)
    if hasattr(obj, "household_id") and hasattr(obj, "community_id"):  # a registry.Resident
        return obj.pk
    return None


def _service_reach(actor: Any, obj: Any) -> bool:
    if kind_of(actor) != Kind.STAFF:
        return False
    ids = service_community_ids(actor)
    return bool(ids) if obj is None else _community_id(obj) in ids


@register(
    "party.service",
    "查看和管理社区的在职党员报到登记、需求清单、认领和服务记录，出具服务情况反馈（社区党组织书记、社区党组织及上级党组织的党务工作者）",
)
def can_manage_service(actor: Any, obj: Any) -> Decision:
    if _service_reach(actor, obj):
        return ALLOW
    return deny(_("只有本社区党组织书记和社区党组织的党务工作者可以管理在职党员报到"))


@register(
    "party.service_self",
    "在职党员本人报到、认领需求、放弃认领、记录服务和下载本人的服务情况反馈（本人，或可管理该社区报到的工作人员代为办理）",
    actors=(Kind.STAFF, Kind.RESIDENT),
)
def can_act_for_self(actor: Any, obj: Any) -> Decision:
    if kind_of(actor) == Kind.RESIDENT:
        resident = actor.resident
        if obj is None:
            return ALLOW
        if getattr(obj, "level", None) == "community":  # the resident's own community (its needs list)
            return ALLOW if obj.pk == resident.community_id else deny(_("只能在本人居住的社区报到"))
        if hasattr(obj, "wanted"):  # a need: of the resident's community
            return ALLOW if obj.community_id == resident.community_id else deny(_("只能认领本人报到社区的需求"))
        return ALLOW if _resident_id(obj) == resident.pk else deny(_("只能办理本人的报到事项"))
    if _service_reach(actor, obj):
        return ALLOW
    return deny(_("只有在职党员本人或本社区党组织可以办理"))
