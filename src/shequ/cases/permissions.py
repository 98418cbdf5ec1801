"""Who may see and act on a case (DESIGN §2; issue 4 routing and confidentiality rules).

- Seeing follows the place and the holder: staff see cases located in their subtree or held by a unit in it.
- Accepting, rejecting, dispatching, transferring and merging is the dispatcher's work: community staff for a
  case their community holds, street or district officers for cases escalated to them.
- Handling (start, resolve, return) belongs to the holder: any territorial staff role whose subtree holds it.
- A complaint's or report's reporter is known only to the dispatcher and the community Party secretary.
- Staff who see a case only through a case-level grant (departments, property companies, organisations) never
  see its reporter, whatever the case type; where the reporter agreed at intake to be contacted by the handling
  unit, the lead unit's staff may reveal the name and number, each time with a reason (audited).
- Units outside the territory tree (departments, property companies, owners' committees, organisations) see
  exactly the cases with an active case-level grant (`CaseAssignment`) for their unit, and handle those they
  lead. A helper unit (双派单) — a unit or an area outside the viewer's subtree — sees the case and adds its
  协办意见, but does not resolve it.
- Extensions and suspensions are approved by the level above the holder (the dispatching area when a unit
  outside the tree leads): its grid workers and dispatch roles, or any of those above it.
- A malicious-report flag is proposed by the dispatcher or the handler and confirmed or dismissed by someone
  else: the community Party secretary, or a street or district officer, of the first receiver.
- Residents act for themselves through the portal: they report for their own compound (their own community
  when the register knows no dwelling for them), withdraw, rate and (by rating unsatisfied) reopen their own
  non-anonymous cases, and support public cases of their own compound. Staff do the same for them in a
  call-back (withdraw: whoever sees the case; rate and reopen: the dispatcher). An Open311 client reports
  while its key is active.
- Jobs of the system write only through the actions open to them (category seeding, the escalation sweep).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind, kind_of
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

from .domain import CONFIDENTIAL_TYPES

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
UNIT_ROLES = frozenset({"department_officer", "org_staff"})
APPROVE_ROLES = DISPATCH_ROLES | {"grid_worker"}
MALICIOUS_REVIEW_ROLES = frozenset({"community_secretary", "street_officer", "district_officer"})


def _path(obj: Any, attr: str) -> str:
    return getattr(obj, attr, "") or ""


def _granted(actor: Any, case: Any, role: str | None = None) -> bool:
    """Whether an active case-level grant (lead or helper) covers the actor: their unit, or an area in scope."""
    scope = scope_of(actor)
    unit_ids = scope.unit_ids(UNIT_ROLES)
    paths = scope.paths(VIEW_ROLES)
    if not unit_ids and not paths or getattr(case, "pk", None) is None:
        return False
    grants = case.assignments.filter(active=True)
    if role is not None:
        grants = grants.filter(role=role)
    for unit_id, area_path in grants.values_list("unit_id", "area_path"):
        if unit_id is not None and unit_id in unit_ids:
            return True
        if area_path and any(area_path.startswith(p) for p in paths):
            return True
    return False


@register("cases.view", "查看本辖区内发生或由本辖区承办的诉求，以及派给本单位（主办或协办）的诉求")
def can_view(actor: Any, case: Any) -> Decision:
    scope = scope_of(actor)
    if case is None:
        return ALLOW if scope.paths(roles=VIEW_ROLES) or scope.unit_ids(UNIT_ROLES) else deny(_("您无权查看诉求"))
    if scope.covers(_path(case, "location_path"), VIEW_ROLES) or scope.covers(_path(case, "holder_path"), VIEW_ROLES):
        return ALLOW
    if _granted(actor, case):
        return ALLOW
    return deny(_("您无权查看该诉求"))


def _own_place(resident: Any, compound_id: Any, community_id: Any) -> bool:
    """Whether a place is the resident's own: their compound, or their community without a known dwelling."""
    compound_id_of_resident = resident.dwelling.building.compound_id if resident.dwelling_id else None
    if compound_id_of_resident is not None:
        return compound_id == compound_id_of_resident
    return community_id == resident.community_id


def _own_case(actor: Any, case: Any) -> bool:
    """Whether a resident acting under their name reported the case (never an anonymous report)."""
    return (
        case is not None
        and not actor.anonymous
        and not getattr(case, "anonymous", False)
        and getattr(case, "reporter_id", None) == actor.resident.pk
    )


@register(
    "cases.submit",
    "登记诉求：工作人员代居民登记（电话、来访、网格员上报）；居民为本小区（无住址时为本社区）反映；接口客户端提交",
    actors={Kind.STAFF, Kind.RESIDENT, Kind.API_CLIENT},
)
def can_submit(actor: Any, place: Any) -> Decision:
    """`place` is the case's place (`services.Place`, or an area); None asks whether the actor may report at all."""
    kind = kind_of(actor)
    if kind is Kind.API_CLIENT:
        return ALLOW  # an inactive client was refused before the check ran
    if kind is Kind.RESIDENT:
        if place is None:
            return ALLOW
        compound = getattr(place, "compound", None)
        community = getattr(place, "community", None)
        if _own_place(actor.resident, compound.pk if compound else None, community.pk if community else None):
            return ALLOW
        return deny(_("只能反映本小区（或本社区）的问题"))
    scope = scope_of(actor)
    if place is None:
        return ALLOW if scope.paths(roles=SUBMIT_ROLES) else deny(_("您无权登记诉求"))
    return ALLOW if scope.covers(place.path, SUBMIT_ROLES) else deny(_("该地点不在您的辖区内"))


@register("cases.dispatch", "受理、不予受理、派单、转办、合并本单位持有的诉求")
def can_dispatch(actor: Any, case: Any) -> Decision:
    if case is not None and scope_of(actor).covers(_path(case, "holder_path"), DISPATCH_ROLES):
        return ALLOW
    return deny(_("只有当前持有该诉求的单位的受理人员可以受理和派单"))


@register("cases.handle", "承办本单位持有的诉求：签收、办结答复、退单、申请延期或中止")
def can_handle(actor: Any, case: Any) -> Decision:
    if case is None:
        return deny(_("只有当前承办单位可以办理该诉求"))
    unit_id = getattr(case, "holder_unit_id", None)
    if unit_id is not None:
        # A department or organisation leads: its staff handle, the dispatching area only supervises.
        return ALLOW if unit_id in scope_of(actor).unit_ids(UNIT_ROLES) else deny(_("该诉求由主办单位办理"))
    if scope_of(actor).covers(_path(case, "holder_path"), HANDLE_ROLES):
        return ALLOW
    return deny(_("只有当前承办单位可以办理该诉求"))


@register("cases.resume", "恢复办理已中止的诉求（承办单位或受理单位）")
def can_resume(actor: Any, case: Any) -> Decision:
    if case is not None and (can_handle(actor, case).allowed or can_dispatch(actor, case).allowed):
        return ALLOW
    return deny(_("只有承办单位或受理单位可以恢复办理"))


@register("cases.assist", "协办单位填写协办意见")
def can_assist(actor: Any, case: Any) -> Decision:
    if case is not None and _granted(actor, case, role="helper"):
        return ALLOW
    return deny(_("只有协办单位可以填写协办意见"))


@register("cases.approve_request", "审批下级承办单位的延期、中止申请")
def can_approve_request(actor: Any, request: Any) -> Decision:
    if request is not None and scope_of(actor).covers(_path(request, "approver_path"), APPROVE_ROLES):
        if getattr(request, "requested_by_id", None) != getattr(actor, "pk", None):
            return ALLOW
        return deny(_("不能审批自己提出的申请"))
    return deny(_("只有上一级单位可以审批延期、中止申请"))


@register("cases.flag_malicious", "提出恶意诉求标记（须由他人复核）")
def can_flag_malicious(actor: Any, case: Any) -> Decision:
    if case is not None and (can_dispatch(actor, case).allowed or can_handle(actor, case).allowed):
        return ALLOW
    return deny(_("只有受理或承办单位可以提出恶意诉求标记"))


@register("cases.review_malicious", "复核恶意诉求标记（社区党组织书记、街道、区）")
def can_review_malicious(actor: Any, case: Any) -> Decision:
    if case is None:
        return deny()
    first = getattr(case, "first_receiver", None)
    if first is None or not scope_of(actor).covers(first.path, MALICIOUS_REVIEW_ROLES):
        return deny(_("只有社区党组织书记或街道、区工作人员可以复核恶意诉求标记"))
    if getattr(case, "malicious_proposed_by_id", None) == getattr(actor, "pk", None):
        return deny(_("提出标记的人不能复核自己的标记"))
    return ALLOW


REVIEW_ANSWER_ROLES = frozenset({"community_worker", "community_secretary"})
CONFIGURE_REVIEW_ROLES = frozenset({"community_secretary"})


@register("cases.review_answer", "审核网格员的答复：通过后向居民公开，或退回修改（社区工作人员、社区党组织书记）")
def can_review_answer(actor: Any, case: Any) -> Decision:
    community = getattr(case, "community", None)
    if community is not None and scope_of(actor).covers(community.path, REVIEW_ANSWER_ROLES):
        return ALLOW
    return deny(_("只有诉求所在社区的工作人员可以审核答复"))


@register("cases.configure_review", "设置本社区哪些类型的诉求答复须经社区审核（社区党组织书记）")
def can_configure_review(actor: Any, community: Any) -> Decision:
    path = getattr(community, "path", "")
    if community is not None and getattr(community, "level", "") == "community":
        if scope_of(actor).covers(path, CONFIGURE_REVIEW_ROLES):
            return ALLOW
    return deny(_("只有本社区党组织书记可以修改答复审核设置"))


def _territorial(actor: Any, case: Any) -> bool:
    """Whether the actor sees the case through the territory tree (its place or its holder area), not a grant."""
    scope = scope_of(actor)
    return scope.covers(_path(case, "location_path"), VIEW_ROLES) or scope.covers(
        _path(case, "holder_path"), VIEW_ROLES
    )


@register("cases.see_reporter", "查看报告人身份（辖区工作人员；投诉、举报仅限首接社区的受理人员和社区党组织书记）")
def can_see_reporter(actor: Any, case: Any) -> Decision:
    """The one rule on who knows the reporter without asking; `can_contact_reporter` is the only other way.

    Staff who see the case only through a case-level grant (departments, property companies, organisations,
    helper areas) never do, whatever the case type: they may at most ask, with a reason, where the reporter
    agreed to be contacted by the handling unit.
    """
    if case is None:
        return deny()
    scope = scope_of(actor)
    if case.case_type in CONFIDENTIAL_TYPES:
        path = case.first_receiver.path if getattr(case, "first_receiver", None) else ""
        return ALLOW if path and scope.covers(path, IDENTITY_ROLES) else deny(_("投诉、举报的报告人身份保密"))
    if _territorial(actor, case):
        return ALLOW
    return deny(_("承办单位看不到报告人身份"))


@register("cases.contact_reporter", "承办单位说明理由后查看报告人联系方式（仅限报告人同意由承办单位联系的诉求）")
def can_contact_reporter(actor: Any, case: Any) -> Decision:
    """Staff of the unit leading the case, where the reporter agreed at intake; each reveal needs a reason."""
    if case is None or getattr(case, "anonymous", False):
        return deny(_("匿名诉求没有报告人信息"))
    unit_id = getattr(case, "holder_unit_id", None)
    if unit_id is None or unit_id not in scope_of(actor).unit_ids(UNIT_ROLES):
        return deny(_("只有主办单位可以查看报告人联系方式"))
    if not getattr(case, "reporter_contact_consent", False):
        return deny(_("报告人未同意由承办单位联系"))
    return ALLOW


@register("cases.import_hotline", "导入12345热线工单（按工单编号去重）")
def can_import_hotline(actor: Any, area: Any) -> Decision:
    scope = scope_of(actor)
    if area is None:
        return ALLOW if scope.paths(roles=DISPATCH_ROLES) else deny(_("您无权导入热线工单"))
    return ALLOW if scope.covers(area.path, DISPATCH_ROLES) else deny(_("该社区不在您的辖区内"))


@register(
    "cases.resolve_on_the_spot",
    "现场办结：本人上报楼栋内的问题并受理、派给楼栋所在微网格、办结（须是该社区的受理人员）",
)
def can_resolve_on_the_spot(actor: Any, building: Any) -> Decision:
    """Staff who may report in the building's micro-grid and accept for its community (see `onsite`)."""
    micro = getattr(building, "micro_grid", None)
    scope = scope_of(actor)
    if (
        micro is not None
        and scope.covers(micro.path, SUBMIT_ROLES)
        and scope.covers(building.compound.community.path, DISPATCH_ROLES)
    ):
        return ALLOW
    return deny(_("只有该社区的受理人员可以现场办结，请上报后由社区受理"))


ROUTING_STATS_ROLES = frozenset({"district_officer", "system_admin"})


@register("cases.view_routing_stats", "查看分类建议和派单建议的采纳情况与准确率（区级工作人员、系统管理员）")
def can_view_routing_stats(actor: Any, obj: Any = None) -> Decision:
    if scope_of(actor).paths(roles=ROUTING_STATS_ROLES):
        return ALLOW
    return deny(_("只有区级工作人员和系统管理员可以查看派单建议统计"))


@register(
    "cases.rate",
    "评价已办结的诉求：报告人评价本人的诉求，或受理人员回访时代为记录",
    actors={Kind.STAFF, Kind.RESIDENT},
)
def can_rate(actor: Any, case: Any) -> Decision:
    if kind_of(actor) is Kind.RESIDENT:
        return ALLOW if _own_case(actor, case) else deny(_("只能评价本人反映的诉求"))
    if case is not None and can_dispatch(actor, case).allowed:
        return ALLOW
    return deny(_("只有受理单位的受理人员可以记录回访评价"))


@register(
    "cases.reopen",
    "重新办理（重办）：受理人员，或报告人对本人的诉求评价不满意时",
    actors={Kind.STAFF, Kind.RESIDENT},
)
def can_reopen(actor: Any, case: Any) -> Decision:
    if kind_of(actor) is Kind.RESIDENT:
        return ALLOW if _own_case(actor, case) else deny(_("只能申请重办本人反映的诉求"))
    if case is not None and can_dispatch(actor, case).allowed:
        return ALLOW
    return deny(_("只有受理单位的受理人员可以重新办理"))


@register(
    "cases.withdraw",
    "撤回诉求：报告人撤回本人的诉求，或能看到该诉求的工作人员应报告人要求撤回",
    actors={Kind.STAFF, Kind.RESIDENT},
)
def can_withdraw(actor: Any, case: Any) -> Decision:
    if kind_of(actor) is Kind.RESIDENT:
        return ALLOW if _own_case(actor, case) else deny(_("只能撤回本人反映的诉求"))
    if case is not None and can_view(actor, case).allowed:
        return ALLOW
    return deny(_("您无权撤回该诉求"))


@register("cases.support", "居民附议本小区（无住址时为本社区）的公开诉求", actors={Kind.RESIDENT})
def can_support(actor: Any, case: Any) -> Decision:
    if case is not None and not actor.anonymous and _own_place(actor.resident, case.compound_id, case.community_id):
        return ALLOW
    return deny(_("该诉求不在您所在小区的公开诉求中，不能附议。"))


@register("cases.seed_categories", "载入内置的诉求分类（系统任务）", actors={Kind.SYSTEM})
def can_seed_categories(actor: Any, obj: Any = None) -> Decision:
    return ALLOW


@register("cases.remind_deadlines", "提醒承办单位诉求即将超时（系统任务）", actors={Kind.SYSTEM})
def can_remind_deadlines(actor: Any, obj: Any = None) -> Decision:
    return ALLOW


@register("cases.escalate", "超时诉求自动升级督办（系统任务）", actors={Kind.SYSTEM})
def can_escalate(actor: Any, case: Any = None) -> Decision:
    return ALLOW
