"""Who may see, publish and withdraw public notices (公示), and who objects and answers.

- Seeing (``notices.view``): staff whose territorial scope holds the notice's community (its community staff,
  the street and the district above; grid workers' scope lies below the community and does not hold it).
- Publishing, correcting and withdrawing (``notices.publish``, ``notices.withdraw``) and answering objections
  (``notices.answer``, ``notices.record_objection`` for one received on paper or by phone): the community staff
  (community workers and the community Party secretary) of the notice's community. Street and district
  officers see, they do not publish for a community.
- Objecting (``notices.object``): a resident (portal) living in the notice's area: the community, and the
  compound or building when the notice names one, as the register holds their dwelling. Whether the period is
  running is a rule of the service (a refusal with the dates), not of the permission.

`obj` is a notice, a community (an Area) for a new notice, an objection for answering, or None for the
question "may this actor do this anywhere" (menus, to-dos).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

COMMUNITY_ROLES = frozenset({"community_worker", "community_secretary"})


def _path(obj: Any) -> str:
    """The community path an object is about: a notice's, an objection's notice's, an area's own."""
    notice = getattr(obj, "notice", None)
    if notice is not None:
        obj = notice
    return getattr(obj, "area_path", "") or getattr(obj, "path", "") or ""


def _community_staff(actor: Any, obj: Any) -> bool:
    scope = scope_of(actor)
    if obj is None:
        return bool(scope.paths(COMMUNITY_ROLES))
    path = _path(obj)
    return bool(path) and scope.covers(path, COMMUNITY_ROLES)


# Who reads notices with the objectors' names: the staff who work with residents in the territory (system and
# security administrators, auditors and department or organisation staff do not). The selectors scope by these.
VIEW_ROLES = frozenset(
    {
        "micro_grid_worker",
        "grid_worker",
        "community_worker",
        "community_secretary",
        "street_officer",
        "district_officer",
    }
)


@register("notices.view", "查看本辖区的公示和居民异议")
def can_view(actor: Any, obj: Any) -> Decision:
    scope = scope_of(actor)
    if obj is None:
        return ALLOW if scope.paths(VIEW_ROLES) else deny(_("您无权查看公示"))
    path = _path(obj)
    return ALLOW if path and scope.covers(path, VIEW_ROLES) else deny(_("您无权查看该公示"))


@register("notices.publish", "起草、发布和更正本社区的公示（社区工作者、社区党组织书记）")
def can_publish(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有本社区的社区工作人员可以发布公示"))


@register("notices.withdraw", "撤回本社区的公示（须说明理由，记录保留）")
def can_withdraw(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有本社区的社区工作人员可以撤回公示"))


@register("notices.answer", "答复居民对本社区公示提出的异议")
def can_answer(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有本社区的社区工作人员可以答复异议"))


@register("notices.record_objection", "代居民登记书面、电话或来访提出的公示异议")
def can_record_objection(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有本社区的社区工作人员可以代为登记异议"))


def lives_in_area(resident: Any, notice: Any) -> bool:
    """Whether the register places `resident` in the notice's area (community, and compound or building)."""
    if resident is None or getattr(resident, "status", "") != "active":
        return False
    if resident.community_id != notice.community_id:
        return False
    if notice.compound_id is None and notice.building_id is None:
        return True
    dwelling = resident.dwelling
    if dwelling is None:
        return False
    if notice.building_id is not None and dwelling.building_id != notice.building_id:
        return False
    return notice.compound_id is None or dwelling.building.compound_id == notice.compound_id


@register("notices.object", "对本人居住范围内的公示提出异议（居民本人）", actors={Kind.RESIDENT})
def can_object(actor: Any, notice: Any) -> Decision:
    if notice is None:
        return ALLOW
    if actor.anonymous or not lives_in_area(actor.resident, notice):
        return deny(_("您不在该公示的范围内居住，不能对其提出异议"))
    return ALLOW
