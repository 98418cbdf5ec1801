from django import forms
from django.utils.translation import gettext_lazy as _

from .domain import TOPIC_LABELS, Topic

TOPIC_CHOICES = [(t.value, TOPIC_LABELS[t]) for t in Topic]


class PreferenceForm(forms.Form):
    """Input of the preferences page; the service validates and normalises (see services.preferences_update)."""

    email = forms.CharField(
        label=_("电子邮箱"),
        required=False,
        max_length=254,
        help_text=_("邮件通知发送到此地址，同时作为账号的电子邮箱。"),
    )
    email_topics = forms.MultipleChoiceField(
        label=_("通过邮件接收"), choices=TOPIC_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    mobile = forms.CharField(label=_("手机号码"), required=False, max_length=20)
    clear_mobile = forms.BooleanField(label=_("删除已保存的手机号码"), required=False)
    sms_topics = forms.MultipleChoiceField(
        label=_("通过短信接收"), choices=TOPIC_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
