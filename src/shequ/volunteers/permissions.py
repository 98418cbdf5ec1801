"""Registered actions of volunteer service (see docs/permissions.md).

- A volunteer (a resident signed in to the portal, ``volunteers.self``) acts only on their own record: registers
  as a volunteer, signs up for and withdraws from activities of their community, asks for a correction of one of
  their services and asks for a proof of service.
- The organiser of an activity (``volunteers.organise``) is staff holding a role for the activity's organiser unit
  (org_staff, party_organiser, department_officer of that unit), or a community worker or secretary of the
  activity's community: they publish activities, record attendance, confirm hours and answer corrections.
- Community workers and secretaries keep the registry of their community (``volunteers.manage``): register
  volunteers, record a guardian's consent, training, commendations and complaints, issue proofs, export the
  masked list. Street and district officers read within their scope (``volunteers.view``).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of
from shequ.organisations.models import Unit
from shequ.registry.models import Resident
from shequ.territory.models import Area

from .models import Activity, Correction, ServiceRecord, Signup, Volunteer

KEEPER_ROLES = frozenset({"community_worker", "community_secretary"})
VIEW_ROLES = KEEPER_ROLES | {"street_officer", "district_officer"}
UNIT_ROLES = frozenset({"org_staff", "party_organiser", "department_officer"})


def _activity_of(obj: Any) -> Activity | None:
    """The activity an object belongs to (a sign-up's, a record's, a correction's record's), or None."""
    if isinstance(obj, Activity):
        return obj
    if isinstance(obj, Signup | ServiceRecord):
        return obj.activity
    if isinstance(obj, Correction):
        return obj.record.activity
    return None


def _community_path(obj: Any) -> str:
    """The path of the community an object belongs to (an area is its own, a unit's is its place)."""
    if isinstance(obj, Area):
        return obj.path
    if isinstance(obj, Unit):
        return obj.area.path
    if isinstance(obj, Volunteer | Activity):
        return obj.community.path
    volunteer = getattr(obj, "volunteer", None)  # a sign-up, record, entry, consent, correction, proof
    return volunteer.community.path if isinstance(volunteer, Volunteer) else ""


def organiser_unit_ids(actor: Any) -> frozenset[int]:
    return scope_of(actor).unit_ids(UNIT_ROLES)


def organises(actor: Any, obj: Any) -> bool:
    """Whether the actor organises `obj`: a unit they hold or whose place they keep, an activity of such a unit
    or community, or a sign-up, record or correction of one (a record without an activity: its organiser unit and
    the volunteer's community)."""
    if isinstance(obj, Unit):
        return obj.pk in organiser_unit_ids(actor) or scope_of(actor).covers(obj.area.path, KEEPER_ROLES)
    activity = _activity_of(obj)
    if activity is not None:
        unit_id, path = activity.organiser_id, activity.community.path
    else:
        record = obj.record if isinstance(obj, Correction) else obj
        if not isinstance(record, ServiceRecord):
            return False
        unit_id, path = record.organiser_id, record.volunteer.community.path
    return unit_id in organiser_unit_ids(actor) or scope_of(actor).covers(path, KEEPER_ROLES)


@register(
    "volunteers.view", "查看辖区内的志愿者名册、服务记录、活动和证明（社区工作者、社区党组织书记、街道和区工作人员）"
)
def can_view(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(VIEW_ROLES) else deny(_("您无权查看志愿者名册"))
    path = _community_path(obj)
    return ALLOW if path and scope_of(actor).covers(path, VIEW_ROLES) else deny(_("您无权查看该志愿者"))


@register(
    "volunteers.manage",
    "登记志愿者、监护人同意、培训表彰和投诉，出具证明，导出名册（本社区的社区工作者、社区党组织书记）",
)
def can_manage(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(KEEPER_ROLES) else deny(_("只有社区工作者可以管理志愿者名册"))
    path = _community_path(obj)
    return (
        ALLOW
        if path and scope_of(actor).covers(path, KEEPER_ROLES)
        else deny(_("只有志愿者所在社区的社区工作者可以管理"))
    )


@register(
    "volunteers.organise",
    "发布志愿服务活动、登记到场、确认服务时长、答复更正申请（组织单位的工作人员，或活动所在社区的社区工作者）",
)
def can_organise(actor: Any, obj: Any) -> Decision:
    if obj is None:
        scope = scope_of(actor)
        return ALLOW if organiser_unit_ids(actor) or scope.paths(KEEPER_ROLES) else deny(_("您不是活动的组织者"))
    return ALLOW if organises(actor, obj) else deny(_("只有活动的组织单位或所在社区可以办理"))


def _volunteer_of(obj: Any) -> Volunteer | None:
    if isinstance(obj, Volunteer):
        return obj
    volunteer = getattr(obj, "volunteer", None)
    return volunteer if isinstance(volunteer, Volunteer) else None


@register(
    "volunteers.self",
    "居民注册为志愿者、报名或退出本社区的活动、对本人的服务记录申请更正、申请出具证明（只能办理本人的记录）",
    actors=(Kind.RESIDENT,),
)
def can_act_for_self(actor: Any, obj: Any) -> Decision:
    resident = actor.resident
    if obj is None:
        return ALLOW
    if isinstance(obj, Resident):  # registering: themselves only
        return ALLOW if obj.pk == resident.pk else deny(_("只能为本人注册志愿者"))
    if isinstance(obj, Activity):  # signing up: an activity of the resident's community
        return ALLOW if obj.community_id == resident.community_id else deny(_("只能报名本社区的活动"))
    volunteer = _volunteer_of(obj)
    if volunteer is None or volunteer.resident_id != resident.pk:
        return deny(_("只能办理本人的志愿服务记录"))
    return ALLOW if volunteer.active else deny(_("该志愿者已不在册"))
