"""Forms of the notice pages. They only shape input; the services check every rule again."""

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import IsoDateInput

from .domain import CHANNEL_LABELS, KIND_LABELS, PHASE_LABELS, STATUS_LABELS, Channel

_DATE_ERRORS = {"required": _("请填写日期"), "invalid": _("日期格式应为 年-月-日")}


def _choices(labels: dict, blank: Any = None) -> list[tuple[str, Any]]:
    rows = [(k.value, v) for k, v in labels.items()]
    return ([("", blank)] if blank is not None else []) + rows


class FilterForm(forms.Form):
    text = forms.CharField(label=_("标题或内容"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("公示类别"), required=False, choices=_choices(KIND_LABELS, _("全部")))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(STATUS_LABELS, _("全部")))
    period = forms.ChoiceField(label=_("公示期"), required=False, choices=_choices(PHASE_LABELS, _("全部")))


class NoticeForm(forms.Form):
    place = forms.ChoiceField(
        label=_("公示范围"),
        help_text=_("公示面向居住在该范围内的居民，只有他们可以提出异议。"),
        error_messages={"required": _("请选择公示范围"), "invalid_choice": _("请选择公示范围")},
    )
    kind = forms.ChoiceField(
        label=_("公示类别"),
        choices=_choices(KIND_LABELS, _("请选择")),
        error_messages={"required": _("请选择公示类别"), "invalid_choice": _("请选择公示类别")},
    )
    title = forms.CharField(label=_("标题"), max_length=100, error_messages={"required": _("请填写公示标题")})
    body = forms.CharField(
        label=_("公示内容"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("请填写公示内容")},
        help_text=_("公示将向居民公开，请勿填写手机号码、身份证号码等个人信息。"),
    )
    starts_on = forms.DateField(label=_("公示开始日期"), widget=IsoDateInput(), error_messages=_DATE_ERRORS)
    ends_on = forms.DateField(label=_("公示结束日期"), widget=IsoDateInput(), error_messages=_DATE_ERRORS)

    def __init__(self, *args: Any, places: list[tuple[str, str, Any]], min_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {value: obj for value, _label, obj in places}
        self.fields["place"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (value, label) for value, label, _obj in places
        ]
        self.fields["ends_on"].help_text = _("公示期不少于%(n)s天（含开始和结束当天）。") % {"n": min_days}
        if not self.is_bound and "starts_on" not in self.initial:
            today = timezone.localdate()
            self.initial.update({"starts_on": today, "ends_on": today + timedelta(days=min_days - 1)})

    def place_parts(self) -> dict[str, Any]:
        """The chosen place as the service's area, compound and building."""
        value = self.cleaned_data["place"]
        obj = self.places[value]
        if value.startswith("b:"):
            return {"area": obj.compound.community, "compound": obj.compound, "building": obj}
        if value.startswith("p:"):
            return {"area": obj.community, "compound": obj, "building": None}
        return {"area": obj, "compound": None, "building": None}


def place_value(notice: Any) -> str:
    """The NoticeForm place value of a notice's area."""
    if notice.building_id is not None:
        return f"b:{notice.building.public_id}"
    if notice.compound_id is not None:
        return f"p:{notice.compound.public_id}"
    return f"c:{notice.community.public_id}"


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写撤回理由")},
        help_text=_("撤回理由将显示在公示上，公示和已收到的异议均保留。"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写答复内容")},
    )


class RecordForm(forms.Form):
    resident = forms.ChoiceField(
        label=_("异议人"), error_messages={"required": _("请选择异议人"), "invalid_choice": _("请选择异议人")}
    )
    channel = forms.ChoiceField(
        label=_("提出方式"),
        choices=[(c.value, label) for c, label in CHANNEL_LABELS.items() if c is not Channel.PORTAL],
        error_messages={"required": _("请选择提出方式"), "invalid_choice": _("请选择提出方式")},
    )
    received_on = forms.DateField(label=_("收到日期"), widget=IsoDateInput(), error_messages=_DATE_ERRORS)
    text = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写异议内容")},
    )

    def __init__(self, *args: Any, residents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.residents = {str(r.public_id): r for r in residents}
        self.fields["resident"].choices = [("", _("请选择"))] + [  # type: ignore[attr-defined]
            (key, f"{r.name}（{r.dwelling.building.name} {r.dwelling.number}）" if r.dwelling else r.name)
            for key, r in self.residents.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class ObjectionForm(forms.Form):
    """The resident's objection (portal)."""

    text = forms.CharField(
        label=_("异议内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写异议内容")},
    )
