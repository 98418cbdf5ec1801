"""Forms of the coordination pages. They only shape input; the services check every rule again.

Unit choices hold public ids of the units the view offered (`selectors.eligible_units`); the view turns them back
into units from that list, so a forged id is a form error, never another community's unit.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.cases.domain import TYPE_LABELS, CaseType
from shequ.core.widgets import IsoDateInput

FOLLOW_UP_ROWS = 3  # follow-ups typed with the meeting; more are added on the meeting's page


def unit_label(unit: Any) -> str:
    return f"{unit.name}（{unit.get_kind_display()}）"


def unit_choices(units: list[Any], blank: Any = None) -> list[tuple[str, str]]:
    rows = [(str(u.public_id), unit_label(u)) for u in units]
    return ([("", blank)] if blank is not None else []) + rows


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)


class RoleForm(forms.Form):
    responsibilities = forms.CharField(
        label=_("在本社区的职责"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明该单位在本社区负责什么、做到什么程度（专业人做专业事）"),
    )
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_mobile = forms.CharField(label=_("联系电话（手机）"), required=False, max_length=20)
    keep_contact = forms.BooleanField(label=_("保留已登记的联系人和电话"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args: Any, has_contact: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_contact:
            del self.fields["keep_contact"]


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看原因"), max_length=100)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=IsoDateInput)
    topic = forms.CharField(label=_("议题"), required=False, max_length=200)  # the service says what is missing
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    convened_by = forms.ChoiceField(label=_("召集单位"))
    participants = forms.MultipleChoiceField(
        label=_("参会单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("联席会议至少须有两个单位参加")},
    )
    attendees = forms.CharField(
        label=_("其他列席人员"), required=False, max_length=300, help_text=_("如居民代表、辖区民警，不填写手机号码")
    )
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, units: list[Any], convener: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.public_id): u for u in units}
        self.fields["convened_by"].choices = unit_choices(units)
        self.fields["participants"].choices = unit_choices(units)
        if convener is not None:
            self.fields["convened_by"].initial = str(convener.public_id)
            self.fields["participants"].initial = [str(convener.public_id)]
        for i in range(FOLLOW_UP_ROWS):
            self.fields[f"f{i}_text"] = forms.CharField(
                label=_("议定事项 %(n)s") % {"n": i + 1}, required=False, max_length=300
            )
            self.fields[f"f{i}_lead"] = forms.ChoiceField(
                label=_("牵头单位"), required=False, choices=unit_choices(units, _("不指定"))
            )
            self.fields[f"f{i}_due"] = forms.DateField(label=_("完成期限"), required=False, widget=IsoDateInput)

    def follow_up_rows(self) -> list[dict[str, Any]]:
        return [
            {"n": i + 1, "text": self[f"f{i}_text"], "lead": self[f"f{i}_lead"], "due": self[f"f{i}_due"]}
            for i in range(FOLLOW_UP_ROWS)
        ]

    def follow_ups(self) -> list[tuple[int, str, Any, Any]]:
        """The filled rows: (row, text, lead unit or None, due date or None)."""
        d = self.cleaned_data
        return [
            (i, d[f"f{i}_text"], self.units.get(d[f"f{i}_lead"] or ""), d[f"f{i}_due"])
            for i in range(FOLLOW_UP_ROWS)
            if d.get(f"f{i}_text")
        ]


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("议定事项"), max_length=300)
    lead_unit = forms.ChoiceField(label=_("牵头单位"), required=False)
    due_on = forms.DateField(label=_("完成期限"), required=False, widget=IsoDateInput)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(u.public_id): u for u in units}
        self.fields["lead_unit"].choices = unit_choices(units, _("不指定"))


class CompleteForm(forms.Form):
    done_on = forms.DateField(label=_("办结日期"), widget=IsoDateInput)
    result = forms.CharField(label=_("办理结果"), max_length=500)


class CaseForm(forms.Form):
    case_type = forms.ChoiceField(
        label=_("诉求类型"), choices=[(t.value, TYPE_LABELS[t]) for t in CaseType], initial=CaseType.HELP.value
    )
    title = forms.CharField(label=_("标题（默认为议定事项）"), required=False, max_length=100)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("议题标题（默认为议定事项）"), required=False, max_length=100)
