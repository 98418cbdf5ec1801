"""Who may act on warnings, set a district's threshold and recompute the warnings.

- Acting on a warning (acknowledge, assign, note, close) is the dispatchers' work: community workers and
  Party secretaries, street and district officers whose subtree holds the case's place or its holder.
- A district's petition-risk threshold is set by the district's officers.
- Recomputation runs as a system job (the periodic task, the demo loader); dispatchers may also run it on demand,
  for the cases of their own territory.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.cases.permissions import DISPATCH_ROLES
from shequ.core.actors import DEMO_LOADER, Kind, SystemActor, kind_of, system_job
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

RECOMPUTE_JOB = system_job("analysis.recompute_warnings", _("预警计算"))
THRESHOLD_ROLES = frozenset({"district_officer"})


def _case_paths(warning: Any) -> tuple[str, str]:
    case = getattr(warning, "case", None)
    return getattr(case, "location_path", "") or "", getattr(case, "holder_path", "") or ""


@register("analysis.act_on_warning", "处置本辖区诉求的预警：知悉、指派、备注、关闭")
def can_act_on_warning(actor: Any, warning: Any) -> Decision:
    scope = scope_of(actor)
    if warning is None:
        return ALLOW if scope.paths(DISPATCH_ROLES) else deny(_("您无权处置预警"))
    location, holder = _case_paths(warning)
    if (location and scope.covers(location, DISPATCH_ROLES)) or (holder and scope.covers(holder, DISPATCH_ROLES)):
        return ALLOW
    return deny(_("您无权处置该预警"))


@register("analysis.set_threshold", "设置本区的信访风险预警阈值（区级工作人员）")
def can_set_threshold(actor: Any, district: Any) -> Decision:
    scope = scope_of(actor)
    if district is None:
        return ALLOW if scope.paths(THRESHOLD_ROLES) else deny(_("只有区级工作人员可以设置预警阈值"))
    if getattr(district, "level", "") == "district" and scope.covers(district.path, THRESHOLD_ROLES):
        return ALLOW
    return deny(_("只有本区的区级工作人员可以设置预警阈值"))


@register(
    "analysis.recompute",
    "重新计算预警：系统定时任务计算全部在办诉求，受理人员可随时计算本辖区的诉求",
    actors={Kind.SYSTEM, Kind.STAFF},
)
def can_recompute(actor: Any, obj: Any = None) -> Decision:
    if kind_of(actor) is Kind.SYSTEM:
        ok = isinstance(actor, SystemActor) and actor.name in {RECOMPUTE_JOB.name, DEMO_LOADER.name}
        return ALLOW if ok else deny(_("该系统任务不能计算预警"))
    return ALLOW if scope_of(actor).paths(DISPATCH_ROLES) else deny(_("您无权重新计算预警"))
