from django import forms
from django.utils.translation import gettext_lazy as _

from .domain import ROLE_SPECS, STAFF_ROLES


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("动态验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


ROLE_CHOICES = [(r.value, ROLE_SPECS[r].label) for r in STAFF_ROLES]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    unit_name = forms.CharField(label=_("所在单位"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)
    area_code = forms.CharField(
        label=_("辖区代码"), max_length=40, help_text=_("如 510107001001 或 510107001001-01-02")
    )


class AssignmentForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=ROLE_CHOICES)
    area_code = forms.CharField(label=_("辖区代码"), max_length=40)
    unit_name = forms.CharField(
        label=_("所属单位"),
        max_length=100,
        required=False,
        help_text=_("职能部门、物业公司、业委会、社会组织的工作人员填写其单位全称（须已在该辖区登记）"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class HandoverForm(forms.Form):
    to_username = forms.CharField(label=_("接替人用户名"), max_length=150)
    reason = forms.CharField(label=_("交接说明"), max_length=200)
    deactivate = forms.BooleanField(label=_("交接后停用原账号"), required=False, initial=True)
