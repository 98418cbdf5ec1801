"""Who may see and change the register, and who may reveal personal information (PIPL §28, §51; 三员分立).

Viewing follows the territory: a role sees residents living in its subtree (a micro-grid worker: the
buildings of their micro-grid). System, security and audit admins, departments and organisations see no
resident data. Revealing is narrower than viewing and always audited with a reason.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
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
EDIT_ROLES = frozenset({"micro_grid_worker", "grid_worker", "community_worker", "community_secretary"})
REVEAL_MOBILE_ROLES = EDIT_ROLES
REVEAL_IDENTITY_ROLES = frozenset({"community_worker", "community_secretary"})
IMPORT_ROLES = frozenset({"community_worker", "community_secretary"})
# Who approves a full export: the community's secretary, or the street or district officer above it (issue 11).
APPROVE_EXPORT_ROLES = frozenset({"community_secretary", "street_officer", "district_officer"})


def location_path(resident: Any) -> str:
    """The territory path a resident lives under: their building's micro-grid, else their community."""
    dwelling = getattr(resident, "dwelling", None)
    if dwelling is not None:
        building = dwelling.building
        if building.micro_grid_id:
            return building.micro_grid.path
    return resident.community.path


def _covers(actor: Any, obj: Any, roles: frozenset[str]) -> bool:
    scope = scope_of(actor)
    if obj is None:
        return bool(scope.paths(roles=roles))
    path = obj.path if hasattr(obj, "path") else location_path(obj)
    return scope.covers(path, roles=roles)


@register("registry.view", "查看本辖区居民、户信息（已脱敏）")
def can_view(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, VIEW_ROLES) else deny(_("您无权查看该居民信息"))


@register("registry.edit", "登记、修改本辖区居民和户信息，记录迁入迁出、死亡、户变更、产权转移")
def can_edit(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, EDIT_ROLES) else deny(_("您无权修改该居民信息"))


@register("registry.reveal_mobile", "查看完整手机号码（须填写理由，留痕）")
def can_reveal_mobile(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, REVEAL_MOBILE_ROLES) else deny(_("您无权查看完整手机号码"))


@register("registry.reveal_identity", "查看完整证件号码、出生日期、敏感关怀标签和备注（须填写理由，留痕）")
def can_reveal_identity(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, REVEAL_IDENTITY_ROLES) else deny(_("您无权查看完整证件信息"))


@register("registry.export_unmasked", "申请导出未脱敏的居民名单（须选择理由，经他人审批后限时下载一次）")
def can_export_unmasked(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, REVEAL_IDENTITY_ROLES) else deny(_("您无权导出未脱敏信息"))


@register("registry.import", "从 Excel/CSV 导入本社区居民")
def can_import(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, IMPORT_ROLES) else deny(_("只能向本人负责的社区导入居民"))


@register("registry.create_dwellings", "从居民导入中新增登记中缺少的房屋（本社区已有的楼栋和单元内）")
def can_create_dwellings(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, IMPORT_ROLES) else deny(_("您无权为该社区新增房屋"))


@register("registry.manage_consent", "记录居民撤回同意，删除依同意采集的信息")
def can_manage_consent(actor: Any, obj: Any) -> Decision:
    return ALLOW if _covers(actor, obj, REVEAL_IDENTITY_ROLES) else deny(_("您无权处理同意撤回"))


@register(
    "registry.approve_export",
    "审批他人的完整信息导出申请（须覆盖申请人的全部可查看范围；不能审批本人的申请）",
)
def can_approve_export(actor: Any, obj: Any) -> Decision:
    """Another person whose approving roles cover every area of the requester's reveal scope (a request)."""
    scope = scope_of(actor)
    if obj is None:
        return ALLOW if scope.paths(roles=APPROVE_EXPORT_ROLES) else deny(_("您无权审批导出申请"))
    if getattr(actor, "pk", None) == obj.requester_id:
        return deny(_("不能审批本人的导出申请"))
    paths = list(obj.scope_paths or [])
    if paths and all(scope.covers(p, roles=APPROVE_EXPORT_ROLES) for p in paths):
        return ALLOW
    return deny(_("该申请超出您的审批范围"))


@register("registry.process_imports", "后台校验、导入已上传的居民批次（系统任务）", actors={Kind.SYSTEM})
def can_process_imports(actor: Any, obj: Any = None) -> Decision:
    return ALLOW


@register("registry.recover_imports", "恢复后台进程中断的导入批次（系统任务）", actors={Kind.SYSTEM})
def can_recover_imports(actor: Any, obj: Any = None) -> Decision:
    return ALLOW


@register("registry.expire_exports", "将超过下载期限的完整信息导出申请标记为已过期（系统任务）", actors={Kind.SYSTEM})
def can_expire_exports(actor: Any, obj: Any = None) -> Decision:
    return ALLOW


@register("registry.erase_withdrawn", "删除撤回同意满期居民的个人信息（系统任务）", actors={Kind.SYSTEM})
def can_erase_withdrawn(actor: Any, obj: Any = None) -> Decision:
    return ALLOW
