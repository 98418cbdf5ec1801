"""Forms of the dispute pages. They only shape input; the services check every rule again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.cases.domain import STATUS_LABELS
from shequ.core.widgets import IsoDateInput
from shequ.registry import selectors as registry_selectors

from .domain import (
    ATTITUDE_LABELS,
    HONOURED_LABELS,
    OUTCOME_LABELS,
    PARTY_KIND_LABELS,
    PARTY_ROLE_LABELS,
    RISK_COLOUR_LABELS,
    VISIT_METHOD_LABELS,
)
from .selectors import NO_COLOUR

REGISTER_LIMIT = 500  # residents or households offered in a party form


def _choices(labels: dict, blank: Any = None) -> list[tuple[str, Any]]:
    rows = [(k.value, v) for k, v in labels.items()]
    return ([("", blank)] if blank is not None else []) + rows


def _required(message: Any) -> dict[str, Any]:
    return {"required": message, "invalid_choice": message}


class FilterForm(forms.Form):
    colour = forms.ChoiceField(
        label=_("风险等级"),
        required=False,
        choices=[("", _("全部")), *_choices(RISK_COLOUR_LABELS), (NO_COLOUR, _("未定级"))],
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *[(k.value, v) for k, v in STATUS_LABELS.items()]]
    )
    text = forms.CharField(label=_("标题、编号或当事人"), required=False, max_length=50)


class RiskForm(forms.Form):
    colour = forms.ChoiceField(
        label=_("风险等级"),
        choices=_choices(RISK_COLOUR_LABELS),
        widget=forms.RadioSelect,
        error_messages=_required(_("请选择风险等级")),
    )
    reason = forms.CharField(
        label=_("定级理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写定级理由")},
        help_text=_("例如：涉及住建、城管多个部门；当事人扬言集体上访。"),
    )


class PartyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("当事人类别"),
        choices=_choices(PARTY_KIND_LABELS, _("请选择")),
        error_messages=_required(_("请选择当事人类别")),
    )
    role = forms.ChoiceField(
        label=_("当事人身份"),
        choices=_choices(PARTY_ROLE_LABELS, _("请选择")),
        error_messages=_required(_("请选择当事人身份")),
    )
    resident = forms.ChoiceField(label=_("居民（类别为居民时）"), required=False)
    household = forms.ChoiceField(label=_("住户（类别为住户时）"), required=False)
    name = forms.CharField(
        label=_("名称（单位组织或其他当事人）"),
        required=False,
        max_length=100,
        help_text=_("如：小区物业服务企业名称。请勿填写电话、证件号码。"),
    )

    def __init__(self, *args: Any, actor: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        residents = (
            registry_selectors.residents_for(actor)
            .filter(community=case.community)
            .select_related("dwelling__building")
            .order_by("name", "id")[:REGISTER_LIMIT]
        )
        self.fields["resident"].choices = [("", _("请选择"))] + [
            (str(r.public_id), f"{r.name}（{r.dwelling.building.name} {r.dwelling.number}）" if r.dwelling else r.name)
            for r in residents
        ]
        households = (
            registry_selectors.households_for(actor)
            .filter(community=case.community)
            .select_related("head")
            .order_by("number")[:REGISTER_LIMIT]
        )
        self.fields["household"].choices = [("", _("请选择"))] + [
            (str(h.public_id), f"{h.number}（{h.head.name}）" if h.head else h.number) for h in households
        ]


class SessionForm(forms.Form):
    held_on = forms.DateField(
        label=_("调解日期"),
        widget=IsoDateInput(),
        error_messages={"required": _("请填写调解日期"), "invalid": _("日期格式应为 年-月-日")},
    )
    place = forms.CharField(label=_("调解地点"), max_length=100, error_messages={"required": _("请填写调解地点")})
    mediator_name = forms.CharField(label=_("调解员"), max_length=100, error_messages={"required": _("请填写调解员")})
    attendees = forms.CharField(
        label=_("参加人员"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写参加人员")},
    )
    summary = forms.CharField(
        label=_("调解情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写调解情况")},
    )
    outcome = forms.ChoiceField(
        label=_("调解结果"),
        choices=_choices(OUTCOME_LABELS, _("请选择")),
        error_messages=_required(_("请选择调解结果")),
    )


class AgreementForm(forms.Form):
    terms = forms.CharField(
        label=_("协议内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("请填写协议内容")},
        help_text=_("每条一行，例如：一、乙方于4月30日前完成卫生间防水维修。"),
    )
    signatories = forms.MultipleChoiceField(
        label=_("签署当事人"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择签署协议的当事人"), "invalid_choice": _("签署方须为本纠纷已登记的当事人")},
    )

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signatories"].choices = [
            (str(p.public_id), f"{PARTY_ROLE_LABELS.get(p.role, p.role)}：{p.name}") for p in parties
        ]


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("回访日期"),
        widget=IsoDateInput(),
        error_messages={"required": _("请填写回访日期"), "invalid": _("日期格式应为 年-月-日")},
    )
    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=_choices(VISIT_METHOD_LABELS, _("请选择")),
        error_messages=_required(_("请选择回访方式")),
    )
    attitude = forms.ChoiceField(
        label=_("当事人态度"),
        choices=_choices(ATTITUDE_LABELS, _("请选择")),
        error_messages=_required(_("请选择当事人态度")),
    )
    honoured = forms.ChoiceField(
        label=_("协议履行情况"),
        choices=_choices(HONOURED_LABELS, _("请选择")),
        error_messages=_required(_("请选择协议履行情况")),
    )
    note = forms.CharField(
        label=_("回访情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
