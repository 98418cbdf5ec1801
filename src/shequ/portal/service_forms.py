"""Forms of the in-service member's phone pages (在职党员双报到). They only shape input; the party services check
every rule again (hours above a day are refused there, with the reason shown on the field)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.party.domain import NEED_KIND_LABELS

KIND_CHOICES = [(k.value, v) for k, v in NEED_KIND_LABELS.items()]


class RegistrationForm(forms.Form):
    own_org_name = forms.CharField(label=_("所在党组织"), max_length=100, help_text=_("例如“某区教育局机关党支部”"))
    employer = forms.CharField(label=_("工作单位"), max_length=100)
    job_title = forms.CharField(label=_("职务"), required=False, max_length=50)
    skills = forms.CharField(
        label=_("特长和可提供的服务"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    preferred_kinds = forms.MultipleChoiceField(
        label=_("意向服务类别"), required=False, choices=KIND_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class EntryForm(forms.Form):
    claim = forms.ChoiceField(label=_("认领的需求"), required=False)
    served_on = forms.DateField(label=_("服务日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hours = forms.CharField(
        label=_("服务时长（小时）"),
        max_length=8,
        help_text=_("实际服务时间，不含往返交通；不超过 24 小时"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    content = forms.CharField(label=_("服务内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, claims: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = [("", _("（不对应认领的需求）"))] + [
            (str(c.public_id), c.need.title) for c in claims
        ]
