import re

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.cases.domain import SATISFACTION_LABELS, TYPE_LABELS
from shequ.cases.portal_services import RESIDENT_TYPES

from .services import clean_code


class MobileForm(forms.Form):
    mobile = forms.CharField(label=_("手机号码"), max_length=20)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=20)

    def clean_code(self) -> str:
        code = clean_code(self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("请输入短信中的6位数字验证码。"), code="code_format")
        return code


def _type_choices() -> list[tuple[str, str]]:
    return [("", _("按分类默认"))] + [(t.value, TYPE_LABELS[t]) for t in RESIDENT_TYPES]


class ReportForm(forms.Form):
    """A resident's report; the category, place and photos are checked by `cases.portal_services`."""

    category = forms.CharField(label=_("问题分类"), max_length=20, required=False)
    topic = forms.CharField(label=_("话题"), max_length=40, required=False)
    case_type = forms.ChoiceField(label=_("诉求类型"), choices=_type_choices, required=False)
    description = forms.CharField(label=_("问题描述"), max_length=2000, widget=forms.Textarea)
    building = forms.CharField(label=_("地点"), max_length=40, required=False)
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    contact_consent = forms.BooleanField(label=_("同意承办单位直接联系我"), required=False)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=())
    reopen = forms.BooleanField(label=_("不满意时申请重办"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["satisfaction"].choices = [(s.value, label) for s, label in SATISFACTION_LABELS.items()]
