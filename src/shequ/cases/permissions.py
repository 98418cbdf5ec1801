"""Who may see and act on a case (DESIGN §2; issue 4 routing and confidentiality rules).

- Seeing follows the place and the holder: staff see cases located in their subtree or held by a unit in it.
- Accepting, rejecting, dispatching, transferring and merging is the dispatcher's work: community staff for a
  case their community holds, street or district officers for cases escalated to them.
- Handling (start, resolve, return) belongs to the holder: any territorial staff role whose subtree holds it.
- A complaint's or report's reporter is known only to the dispatcher and the community Party secretary.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

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
SUBMIT_ROLES = frozenset({"micro_grid_worker", "grid_worker", "community_worker", "community_secretary"})
DISPATCH_ROLES = frozenset({"community_worker", "community_secretary", "street_officer", "district_officer"})
HANDLE_ROLES = VIEW_ROLES
IDENTITY_ROLES = frozenset({"community_worker", "community_secretary"})


def _path(obj: Any, attr: str) -> str:
    return getattr(obj, attr, "") or ""


@register("cases.view", "查看本辖区内发生或由本辖区承办的诉求")
def can_view(actor: Any, case: Any) -> Decision:
    scope = scope_of(actor)
    if case is None:
        return ALLOW if scope.paths(roles=VIEW_ROLES) else deny(_("您无权查看诉求"))
    if scope.covers(_path(case, "location_path"), VIEW_ROLES) or scope.covers(_path(case, "holder_path"), VIEW_ROLES):
        return ALLOW
    return deny(_("您无权查看该诉求"))


@register("cases.submit", "代居民登记诉求（电话、来访、网格员上报）")
def can_submit(actor: Any, area: Any) -> Decision:
    scope = scope_of(actor)
    if area is None:
        return ALLOW if scope.paths(roles=SUBMIT_ROLES) else deny(_("您无权登记诉求"))
    return ALLOW if scope.covers(area.path, SUBMIT_ROLES) else deny(_("该地点不在您的辖区内"))


@register("cases.dispatch", "受理、不予受理、派单、转办、合并本单位持有的诉求")
def can_dispatch(actor: Any, case: Any) -> Decision:
    if case is not None and scope_of(actor).covers(_path(case, "holder_path"), DISPATCH_ROLES):
        return ALLOW
    return deny(_("只有当前持有该诉求的单位的受理人员可以受理和派单"))


@register("cases.handle", "承办本单位持有的诉求：签收、办结答复、退单")
def can_handle(actor: Any, case: Any) -> Decision:
    if case is not None and scope_of(actor).covers(_path(case, "holder_path"), HANDLE_ROLES):
        return ALLOW
    return deny(_("只有当前承办单位可以办理该诉求"))


@register("cases.see_reporter", "查看报告人身份（投诉、举报仅限受理人员和社区党组织书记）")
def can_see_reporter(actor: Any, case: Any) -> Decision:
    if case is None:
        return deny()
    scope = scope_of(actor)
    if case.case_type in ("complaint", "report"):
        path = case.first_receiver.path if getattr(case, "first_receiver", None) else ""
        return ALLOW if path and scope.covers(path, IDENTITY_ROLES) else deny(_("投诉、举报的报告人身份保密"))
    return can_view(actor, case)


@register("cases.import_hotline", "导入12345热线工单（按工单编号去重）")
def can_import_hotline(actor: Any, area: Any) -> Decision:
    scope = scope_of(actor)
    if area is None:
        return ALLOW if scope.paths(roles=DISPATCH_ROLES) else deny(_("您无权导入热线工单"))
    return ALLOW if scope.covers(area.path, DISPATCH_ROLES) else deny(_("该社区不在您的辖区内"))
