"""Who may see and write the mediation file of a dispute (矛盾纠纷).

- Seeing follows the case: whoever may see the case (``cases.view``) sees its parties, sessions, agreement
  versions and follow-up visits.
- Writing (parties, sessions, agreement, follow-up visits: ``disputes.record``) belongs to the people doing the
  mediation: the unit handling the case (whoever may ``cases.handle`` it: the holder's staff, or the leading
  department's) and the community staff (community workers and the community Party secretary) of the
  community where the dispute arose, even after the case has moved up or been closed — the community keeps
  the file and does the follow-up visit.
- Setting the risk colour (``disputes.set_risk``): the same people, plus street and district officers whose
  subtree holds the place of the dispute (they grade red, cross-department disputes).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import ALLOW, Decision, can, deny, register
from shequ.core.scoping import scope_of

COMMUNITY_ROLES = frozenset({"community_worker", "community_secretary"})
OVERSIGHT_ROLES = frozenset({"street_officer", "district_officer"})


def _community_path(case: Any) -> str:
    community = getattr(case, "community", None)
    return getattr(community, "path", "") or ""


@register("disputes.view", "查看本辖区矛盾纠纷的当事人、调解记录、调解协议和回访记录")
def can_view(actor: Any, case: Any) -> Decision:
    decision = can(actor, "cases.view", case)
    return ALLOW if decision else deny(_("您无权查看该矛盾纠纷"))


@register("disputes.record", "登记矛盾纠纷的当事人、调解记录、调解协议和回访（承办单位、纠纷所在社区）")
def can_record(actor: Any, case: Any) -> Decision:
    if case is None:
        return deny(_("只有承办单位或纠纷所在社区的工作人员可以登记调解情况"))
    if can(actor, "cases.handle", case):
        return ALLOW
    path = _community_path(case)
    if path and scope_of(actor).covers(path, COMMUNITY_ROLES):
        return ALLOW
    return deny(_("只有承办单位或纠纷所在社区的工作人员可以登记调解情况"))


@register("disputes.set_risk", "标定矛盾纠纷风险等级（承办单位、纠纷所在社区、街道和区）")
def can_set_risk(actor: Any, case: Any) -> Decision:
    if case is None:
        return deny(_("您无权标定该矛盾纠纷的风险等级"))
    if can_record(actor, case):
        return ALLOW
    location = getattr(case, "location_path", "") or ""
    if location and scope_of(actor).covers(location, OVERSIGHT_ROLES):
        return ALLOW
    return deny(_("您无权标定该矛盾纠纷的风险等级"))
