"""Forms of the volunteer pages (staff and portal). They only shape input; the services check every rule again.

Choices hold public ids; the views turn a chosen id back into an object through the scoped selectors, so a forged
id answers "not found" or a form error, never another scope's row. Hours are Decimal fields: a figure with more
than two decimals, above 24 or beyond the activity's span is refused by the service with its Chinese message, and
the form is shown again with what was typed.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import IsoDateInput

from .domain import ENTRY_KIND_LABELS, GENDER_LABELS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class HoursField(forms.DecimalField):
    """Hours as typed (no rounding, no max here: the service refuses with the rule's own message)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 8)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)


class SearchForm(forms.Form):
    text = forms.CharField(label=_("姓名（完整）"), required=False, max_length=50)


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[(k, v) for k, v in GENDER_LABELS.items()], initial="U")
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=IsoDateInput,
        help_text=_("填写身份证号码时可不填，用于判断是否未成年"),
    )
    id_number = forms.CharField(label=_("身份证号码"), required=False, max_length=18)
    mobile = forms.CharField(label=_("手机号码"), required=False, max_length=11)
    skills = forms.CharField(label=_("服务技能"), required=False, max_length=200)
    categories = forms.CharField(
        label=_("服务类别"), required=False, max_length=200, help_text=_("如：助老、环保、文体")
    )


class ConsentForm(forms.Form):
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50)
    relation = forms.CharField(label=_("与志愿者关系"), max_length=20)
    guardian_mobile = forms.CharField(label=_("监护人手机号码"), required=False, max_length=11)
    consented_on = forms.DateField(label=_("同意日期"), widget=IsoDateInput)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[(k.value, v) for k, v in ENTRY_KIND_LABELS.items()])
    on = forms.DateField(label=_("日期"), widget=IsoDateInput)
    title = forms.CharField(label=_("事项"), max_length=200)
    issuer = forms.CharField(label=_("组织或作出单位"), required=False, max_length=100)


class ActivityForm(forms.Form):
    organiser = forms.ChoiceField(label=_("组织单位"))
    title = forms.CharField(label=_("活动名称"), max_length=100)
    content = forms.CharField(label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label=_("服务地点"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=LocalDateTimeInput(), input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=LocalDateTimeInput(), input_formats=DATETIME_FORMATS)
    slots = forms.IntegerField(label=_("招募人数"), min_value=1, max_value=1000)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [("", _("请选择"))] + [
            (str(u.public_id), f"{u.name}（{u.area.name}）") for u in units
        ]


class ConfirmForm(forms.Form):
    hours = HoursField(label=_("服务时长（小时）"), help_text=_("不含往返交通时间，最多两位小数"))
    travel_hours = HoursField(label=_("往返交通（小时，不计入）"), required=False, initial=Decimal(0))


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("答复"),
        choices=[("yes", _("予以更正")), ("no", _("不予更正"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("答复说明"), required=False, max_length=500)
    hours = HoursField(label=_("更正后的服务时长（小时）"), required=False)
    travel_hours = HoursField(label=_("更正后的往返交通（小时）"), required=False)
    place = forms.CharField(label=_("更正后的服务地点"), required=False, max_length=100)


class JoinForm(forms.Form):
    skills = forms.CharField(label=_("服务技能"), required=False, max_length=200)
    categories = forms.CharField(label=_("服务类别"), required=False, max_length=200)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=IsoDateInput)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("需要更正的内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
