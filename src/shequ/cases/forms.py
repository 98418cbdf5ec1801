"""Forms of the case pages: queue filters, staff entry, and one small form per lifecycle action.

Forms only shape input; every rule (permission, scope, state, lengths) is checked again by the services.
"""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.territory import selectors as territory_selectors

from . import selectors
from .domain import CHANNEL_LABELS, SATISFACTION_LABELS, STATUS_LABELS, TYPE_LABELS, Channel

BUILDING_LIMIT = 500
LEVEL_PREFIX = {"community": "", "grid": "— ", "micro_grid": "—— "}
QUEUE_TABS = {
    "to_accept": _("待受理"),
    "triage": _("待分拣"),
    "to_dispatch": _("待派单"),
    "returned": _("被退回"),
    "to_handle": _("我承办的"),
    "assisting": _("我协办的"),
    "approvals": _("待审批"),
    "due_today": _("今日到期"),
    "overdue": _("已超时"),
    "supervised": _("督办"),
    "all": _("全部"),
}
QUEUE_EMPTY = {
    "to_accept": _("没有待受理的诉求。"),
    "triage": _("没有待分拣的诉求。系统无法确定分类的诉求会出现在这里，由受理人员确认分类。"),
    "to_dispatch": _("没有待派单的诉求。"),
    "returned": _("没有被退回、待重新派单的诉求。"),
    "to_handle": _("没有由您承办的诉求。"),
    "assisting": _("没有需要您协办的诉求。"),
    "approvals": _("没有待您审批的延期、中止申请。"),
    "due_today": _("没有今天到期的诉求。"),
    "overdue": _("没有超时的诉求。"),
    "supervised": _("没有督办中的诉求。"),
    "all": _("您的辖区内还没有诉求。"),
}


DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2099, 12, 31)
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DATE_ERRORS = {"invalid": _("日期格式应为 年-月-日，例如 2026-03-16")}
LEVEL_INDENT = "\u3000"  # a full-width space per level below the first, in category options


def filter_category_choices() -> list[tuple[str, str]]:
    """Every active category, indented by level: the community topics (社区事务) first, then the scheme."""
    rows = sorted(selectors.categories(), key=lambda c: (not c.code.startswith("S"), c.code))
    return [(str(c.public_id), f"{LEVEL_INDENT * (c.level - 1)}{c.name}") for c in rows]


def filter_community_choices(actor: Any) -> list[tuple[str, str]]:
    """Communities the actor may narrow the queue to: those in their subtree, the community above their grid or
    micro-grid, and, for the staff of a unit outside the tree, the communities of the cases granted to it."""
    from shequ.core.scoping import scope_of

    from .permissions import UNIT_ROLES

    found: dict[str, str] = {}
    for area in territory_selectors.top_areas_for(actor):
        if area.level in ("grid", "micro_grid"):
            for above in territory_selectors.ancestors_of(area):
                if above.level == "community":
                    found[str(above.public_id)] = above.name
    for public_id, name in (
        territory_selectors.areas_for(actor).filter(level="community").values_list("public_id", "name")
    ):
        found[str(public_id)] = name
    if scope_of(actor).unit_ids(UNIT_ROLES):
        granted = selectors.cases_for(actor).values_list("community__public_id", "community__name").distinct()
        for public_id, name in granted.order_by():
            found[str(public_id)] = name
    return sorted(found.items(), key=lambda kv: (kv[1], kv[0]))


class QueueFilterForm(forms.Form):
    """The queue's filters (page and Excel export alike); only the categories and communities offered are valid."""

    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *((s.value, lbl) for s, lbl in STATUS_LABELS.items())],
        error_messages={"invalid_choice": _("请选择有效的状态")},
    )
    text = forms.CharField(
        label=_("标题包含"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("标题关键词不能超过50个字")},
    )
    category = forms.ChoiceField(
        label=_("分类"),
        required=False,
        help_text=_("含下级分类；未分类的诉求按标题和内容的关键词归入话题，与热点预警相同"),
        error_messages={"invalid_choice": _("请选择有效的分类")},
    )
    community = forms.ChoiceField(
        label=_("社区"),
        required=False,
        error_messages={"invalid_choice": _("所选社区不存在或不在您的辖区内")},
    )
    submitted_from = forms.DateField(
        label=_("提交日期自"), required=False, input_formats=DATE_FORMATS, error_messages=DATE_ERRORS
    )
    submitted_to = forms.DateField(
        label=_("提交日期至"), required=False, input_formats=DATE_FORMATS, error_messages=DATE_ERRORS
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部分类")), *filter_category_choices()]
        self.fields["community"].choices = [("", _("全部社区")), *filter_community_choices(actor)]

    def _clean_date(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise forms.ValidationError(
                _("日期应在 %(min)s 至 %(max)s 之间") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
            )
        return value

    def clean_submitted_from(self) -> date | None:
        return self._clean_date("submitted_from")

    def clean_submitted_to(self) -> date | None:
        return self._clean_date("submitted_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("结束日期不能早于开始日期"))
        return data

    def choice_label(self, name: str, value: str) -> str:
        """The label of an offered choice, without the indentation of the option list."""
        return str(dict(self.fields[name].choices).get(value, value)).strip(LEVEL_INDENT)


class BulkTriageForm(forms.Form):
    """Bulk triage of the ticked cases of 待分拣: each one's suggestion, or one category for all."""

    SUGGESTED, CHOSEN = "suggested", "chosen"
    REVIEW, CONFIRM = "review", "confirm"

    mode = forms.ChoiceField(
        label=_("分拣方式"),
        choices=[(SUGGESTED, _("确认各自的建议分类")), (CHOSEN, _("统一设为所选分类"))],
        initial=SUGGESTED,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择分拣方式"), "invalid_choice": _("请选择分拣方式")},
    )
    category = forms.ChoiceField(
        label=_("统一设为"), required=False, error_messages={"invalid_choice": _("请选择有效的分类")}
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)
    step = forms.ChoiceField(choices=[(REVIEW, REVIEW), (CONFIRM, CONFIRM)], initial=REVIEW, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择分类")), *category_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == self.CHOSEN and not data.get("category"):
            self.add_error("category", _("请选择要统一设置的分类"))
        return data


# --- staff entry -------------------------------------------------------------------------------------------


def category_choices() -> list[tuple[str, str]]:
    """Leaf categories (no active child) labelled with their path, e.g. "一级 › 二级 › 三级"."""
    rows = list(selectors.categories())
    by_id = {c.pk: c for c in rows}
    parents = {c.parent_id for c in rows if c.parent_id}
    choices = []
    for c in rows:
        if c.pk in parents:
            continue
        names, node = [], c
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        choices.append((str(c.public_id), " › ".join(reversed(names))))
    return choices


def building_choices(actor: Any) -> list[tuple[str, str]]:
    qs = (
        territory_selectors.buildings_for(actor)
        .select_related("compound")
        .order_by("compound__name", "number", "id")[:BUILDING_LIMIT]
    )
    return [(str(b.public_id), f"{b.compound.name} {b.name}") for b in qs]


def community_choices(actor: Any) -> list[tuple[str, str]]:
    qs = territory_selectors.areas_for(actor).filter(level="community").order_by("code")
    return [(str(a.public_id), a.name) for a in qs]


class CaseEntryForm(forms.Form):
    """Staff entry for a phone call, a walk-in or a grid worker's report."""

    case_type = forms.ChoiceField(label=_("诉求类型"), choices=[(t.value, lbl) for t, lbl in TYPE_LABELS.items()])
    category = forms.ChoiceField(label=_("分类"), required=False)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    building = forms.ChoiceField(label=_("楼栋"), required=False, help_text=_("选择楼栋，或在下方选择社区"))
    community = forms.ChoiceField(label=_("社区"), required=False)
    address = forms.CharField(label=_("地点描述"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("报告人姓名"), max_length=50, required=False)
    reporter_mobile = forms.CharField(label=_("报告人电话"), max_length=20, required=False)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    contact_consent = forms.BooleanField(
        label=_("报告人同意由承办单位联系"),
        required=False,
        help_text=_(
            "请询问报告人：是否同意承办诉求的职能部门、物业等单位直接与其联系？不勾选时，承办单位看不到报告人的姓名和电话。"
        ),
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[(c.value, CHANNEL_LABELS[c]) for c in (Channel.STAFF, Channel.GRID)]
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cats = category_choices()
        self.fields["category"].choices = [("", _("请选择分类")), *cats]
        self.fields["category"].required = bool(cats)
        self.fields["building"].choices = [("", _("（不选楼栋）")), *building_choices(actor)]
        self.fields["community"].choices = [("", _("（不选社区）")), *community_choices(actor)]
        self.fields["title"].widget.attrs["maxlength"] = 100

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("building") and not data.get("community"):
            self.add_error("building", _("请选择楼栋或社区"))
        return data


# --- lifecycle actions -------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)


class EmptyForm(forms.Form):
    pass


class ReporterContactForm(forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=200,
        min_length=5,
        help_text=_("例如：需要上门核实情况。每次查看都会连同理由留痕备查。"),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), max_length=1000)
    where_instead = forms.CharField(label=_("建议渠道"), max_length=200)


class DispatchForm(forms.Form):
    target = forms.ChoiceField(label=_("主办单位"))
    helpers = forms.MultipleChoiceField(
        label=_("协办单位（双派单，可多选）"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(label=_("派单意见"), required=False, max_length=2000)

    def __init__(self, *args: Any, actor: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = selectors.routing_targets(case)
        units = unit_choices(targets)
        self.fields["target"].choices = [*area_choices(targets.lead_areas), *units]
        self.fields["helpers"].choices = [*area_choices(targets.helper_areas), *units]
        self.fields["helpers"].help_text = HELPER_HINT
        self.suggested = _mark_suggestion(self.fields["target"], case)


def _mark_suggestion(field: Any, case: Any) -> Any:
    """Preselect the routing suggestion among the choices and label it "（建议）"; returns it (or None)."""
    from .suggest import suggest_route

    route = suggest_route(case)
    if route is None:
        return None
    value = route.choice
    field.choices = [(v, f"{label}（{_('建议')}）" if v == value else label) for v, label in field.choices]
    if any(v == value for v, _label in field.choices):
        field.initial = value
        field.help_text = _("建议：%(target)s（依据分类“%(category)s”的承办层级）") % {
            "target": route.target.name,
            "category": route.category.name,
        }
    else:
        field.help_text = _("建议：%(target)s（不在可选范围内，可转办）") % {"target": route.target.name}
    return route


class TransferForm(forms.Form):
    target = forms.ChoiceField(label=_("转办至"))
    reason = forms.CharField(label=_("转办理由"), max_length=2000)

    def __init__(self, *args: Any, actor: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = selectors.routing_targets(case)
        self.fields["target"].choices = [*area_choices(targets.transfer_areas), *unit_choices(targets)]
        self.suggested = _mark_suggestion(self.fields["target"], case)
        suggestion = self.fields["target"].help_text
        self.fields["target"].help_text = f"{suggestion}。{TRANSFER_HINT}" if suggestion else TRANSFER_HINT


TRANSFER_HINT = _("可转办给：街道办事处，本街道的社区、网格和微网格，或负责诉求所在地的区级部门和本小区、本社区的单位")
HELPER_HINT = _("可选：本社区的网格和微网格、本街道的其他社区，以及本小区、本社区的物业、业委会、社会组织和区级部门")


class TriageForm(forms.Form):
    """Confirm or correct the category (分拣); the suggestion is preselected."""

    category = forms.ChoiceField(label=_("分类"))
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = category_choices()
        suggested = case.suggested_category
        if suggested is not None and not any(v == str(suggested.public_id) for v, _label in choices):
            # A first-level suggestion of the model is not a leaf; offer it too, so it can be confirmed.
            choices.insert(0, (str(suggested.public_id), suggested.name))
        current = case.category or suggested
        self.fields["category"].choices = [("", _("请选择分类")), *choices]
        if current is not None:
            self.fields["category"].initial = str(current.public_id)


def unit_choices(targets: Any) -> list[tuple[str, str]]:
    """Departments, property companies, owners' committees and organisations responsible for the case's place."""
    return [(f"u:{u.public_id}", f"{u.name}（{u.get_kind_display()}）") for u in targets.units]


def area_choices(areas: Any) -> list[tuple[str, str]]:
    """Areas of `selectors.routing_targets` as choices, indented by level."""
    return [(f"a:{a.public_id}", f"{LEVEL_PREFIX.get(a.level, '')}{a.name}") for a in areas[:300]]


class RequestChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=[("extend", _("延期")), ("suspend", _("中止"))])
    days = forms.IntegerField(label=_("延期工作日数"), required=False, min_value=1, max_value=30)
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == "extend" and not data.get("days"):
            self.add_error("days", _("申请延期时请填写延期工作日数"))
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结果"), choices=[("approve", _("批准")), ("refuse", _("不批准"))])
    note = forms.CharField(label=_("审批意见"), required=False, max_length=2000)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("合并至（受理编号）"), max_length=20)
    note = forms.CharField(label=_("备注"), required=False, max_length=2000)


class MaliciousReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("复核结果"), choices=[("confirm", _("确认恶意")), ("dismiss", _("不予认定"))])
    note = forms.CharField(label=_("复核意见"), max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=2000, help_text=_("请写明报告人何时、以何种方式要求撤回"))


class ResolveForm(forms.Form):
    reply = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 4}))


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("回访满意度"), choices=[(s.value, lbl) for s, lbl in SATISFACTION_LABELS.items()]
    )
    reopen = forms.BooleanField(label=_("不满意时重新办理"), required=False)
