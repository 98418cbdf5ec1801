import re

from django import forms
from django.utils.translation import gettext_lazy as _

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
