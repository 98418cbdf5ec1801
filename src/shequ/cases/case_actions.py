"""The case page's actions as the page shows them: each one's form, label and confirmation question, and the
service call behind it. Which actions are offered, and which is primary, is `next_steps`'s rule.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import NotFound, ValidationError

from . import approvals, forms, selectors, services


@dataclass(frozen=True)
class Action:
    form_class: type
    label: Any
    confirm: Any = ""  # the question of the confirmation step (destructive actions)


ACTIONS: dict[str, Action] = {
    "triage": Action(forms.TriageForm, gettext_lazy("分拣（确认分类）")),
    "accept": Action(forms.NoteForm, gettext_lazy("受理")),
    "reject": Action(forms.RejectForm, gettext_lazy("不予受理"), gettext_lazy("确认不予受理该诉求？")),
    "dispatch": Action(forms.DispatchForm, gettext_lazy("派单")),
    "transfer": Action(forms.TransferForm, gettext_lazy("转办"), gettext_lazy("确认转办？诉求将交由所选单位办理。")),
    "start": Action(forms.EmptyForm, gettext_lazy("签收")),
    "return": Action(forms.ReasonForm, gettext_lazy("退单"), gettext_lazy("确认退单？诉求将退回派单单位。")),
    "resolve": Action(forms.ResolveForm, gettext_lazy("办结")),
    "request": Action(forms.RequestChangeForm, gettext_lazy("申请延期/中止")),
    "decide": Action(forms.DecideForm, gettext_lazy("审批延期/中止申请")),
    "resume": Action(forms.NoteForm, gettext_lazy("恢复办理")),
    "assist": Action(forms.NoteForm, gettext_lazy("协办意见")),
    # The staff call-back; rating a resolved case closes it (or reopens it on request when unsatisfied).
    "rate": Action(forms.RateForm, gettext_lazy("回访评价")),
    "reopen": Action(forms.ReasonForm, gettext_lazy("重办")),
    "withdraw": Action(
        forms.WithdrawForm, gettext_lazy("应报告人要求撤回"), gettext_lazy("确认撤回该诉求？撤回后不再办理。")
    ),
    "merge": Action(
        forms.MergeForm,
        gettext_lazy("合并重复诉求"),
        gettext_lazy("确认将本诉求合并到所填编号的诉求？合并后本诉求结束。"),
    ),
    "flag": Action(
        forms.ReasonForm, gettext_lazy("提出恶意诉求标记"), gettext_lazy("恶意诉求标记须由他人复核，确认提出？")
    ),
    "review": Action(forms.MaliciousReviewForm, gettext_lazy("复核恶意诉求标记")),
}


def make_form(name: str, actor: Any, case: Any, data: Any = None) -> Any:
    form_class = ACTIONS[name].form_class
    if form_class in (forms.DispatchForm, forms.TransferForm):
        return form_class(data, actor=actor, case=case, prefix=name)
    if form_class is forms.TriageForm:
        return form_class(data, case=case, prefix=name)
    return form_class(data, prefix=name)


def shown_values(form: Any) -> list[tuple[str, str]]:
    """The entered values in words, for the confirmation step: (label, value) per field, choices by their label."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif hasattr(field, "choices"):
            labels = dict(field.choices)
            value = "、".join(str(labels.get(v, v)) for v in (value if isinstance(value, list) else [value]) if v)
        rows.append((str(field.label), str(value or "—")))
    return rows


def _target(targets: selectors.RoutingTargets, areas: Any, value: str) -> Any:
    """Resolve a dispatch or transfer choice among the case's routing targets: "u:<id>" a unit outside the tree,
    "a:<id>" one of `areas` (lead, helper or transfer areas); NotFound for anything else."""
    from shequ.core.lookup import get_by_public_id

    kind, _sep, public_id = (value or "").partition(":")
    if kind == "u":
        return get_by_public_id(targets.units, public_id)
    if kind != "a":
        raise NotFound()
    return get_by_public_id(areas, public_id)


def run(name: str, actor: Any, case: Any, data: dict[str, Any]) -> str:
    """Call the service behind action `name`; return the success message."""
    if name == "triage":
        category = selectors.category_by_public_id(data["category"])
        if category is None:
            raise ValidationError({"category": _("请选择有效的分类")})
        services.case_triage(actor=actor, case=case, category=category, note=data["note"])
        return _("已确认分类：%(name)s") % {"name": category.name}
    if name == "accept":
        services.case_accept(actor=actor, case=case, note=data["note"])
        return _("已受理")
    if name == "reject":
        services.case_reject(actor=actor, case=case, reason=data["reason"], where_instead=data["where_instead"])
        return _("已不予受理")
    if name == "dispatch":
        targets = selectors.routing_targets(case)
        target = _target(targets, targets.lead_areas, data["target"])
        helpers = [_target(targets, targets.helper_areas, value) for value in data["helpers"]]
        services.case_dispatch(actor=actor, case=case, target=target, helpers=helpers, note=data["note"])
        return _("已派单至 %(unit)s") % {"unit": target.name}
    if name == "transfer":
        targets = selectors.routing_targets(case)
        target = _target(targets, targets.transfer_areas, data["target"])
        services.case_transfer(actor=actor, case=case, target=target, reason=data["reason"])
        return _("已转办至 %(unit)s") % {"unit": target.name}
    if name == "request":
        approvals.case_request_change(
            actor=actor, case=case, kind=data["kind"], days=data.get("days"), reason=data["reason"]
        )
        return _("申请已提交，等待上一级审批")
    if name == "decide":
        pending = selectors.pending_request(case)
        if pending is None:
            raise NotFound()
        approvals.case_request_decide(
            actor=actor, request=pending, approve=data["decision"] == "approve", note=data["note"]
        )
        return _("已审批")
    if name == "resume":
        approvals.case_resume(actor=actor, case=case, note=data["note"])
        return _("已恢复办理")
    if name == "assist":
        services.case_assist(actor=actor, case=case, note=data["note"])
        return _("已记录协办意见")
    if name == "withdraw":
        services.case_withdraw(actor=actor, case=case, reason=data["reason"])
        return _("已撤回")
    if name == "merge":
        into = selectors.cases_for(actor).filter(tracking_number=data["into"].strip()).first()
        if into is None:
            raise ValidationError({"into": _("找不到该受理编号的诉求")})
        services.case_merge(actor=actor, case=case, into=into, note=data["note"])
        return _("已合并至 %(n)s") % {"n": into.tracking_number}
    if name == "flag":
        services.case_flag_malicious(actor=actor, case=case, reason=data["reason"])
        return _("已提出恶意诉求标记，等待复核")
    if name == "review":
        services.case_review_malicious(actor=actor, case=case, confirm=data["decision"] == "confirm", note=data["note"])
        return _("已复核")
    if name == "start":
        services.case_start(actor=actor, case=case)
        return _("已签收")
    if name == "return":
        services.case_return(actor=actor, case=case, reason=data["reason"])
        return _("已退单")
    if name == "resolve":
        services.case_resolve(actor=actor, case=case, reply=data["reply"])
        return _("已办结")
    if name == "rate":
        services.case_rate(actor=actor, case=case, satisfaction=data["satisfaction"], reopen=data["reopen"])
        return _("已记录回访评价")
    services.case_reopen(actor=actor, case=case, reason=data["reason"])
    return _("已重新办理")
