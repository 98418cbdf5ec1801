import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .domain import CHANNEL_LABELS, TOPIC_LABELS, Channel, Topic
from .selectors import DeliveryFilter, DeliveryView

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

    def __init__(self, *args: Any, topics: list[Topic] | None = None, **kwargs: Any) -> None:
        """`topics`: the topics this user is offered (default all); others are neither shown nor accepted."""
        super().__init__(*args, **kwargs)
        if topics is not None:
            choices = [(t.value, TOPIC_LABELS[t]) for t in topics]
            self.fields["email_topics"].choices = choices
            self.fields["sms_topics"].choices = choices


DELIVERY_VIEW_LABELS = {
    DeliveryView.ATTENTION: _("需处理"),
    DeliveryView.FAILED: _("发送失败"),
    DeliveryView.STALE: _("积压未发"),
    DeliveryView.PENDING: _("待发送"),
    DeliveryView.SENT: _("已发送"),
    DeliveryView.ALL: _("全部"),
}


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the ISO form a date input accepts
_FIRST, _LAST = datetime.date(2000, 1, 1), datetime.date(2999, 12, 31)


class DeliveryFilterForm(forms.Form):
    """The filters of the delivery page (GET); an invalid value is dropped rather than failing the page."""

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[(v.value, DELIVERY_VIEW_LABELS[v]) for v in DeliveryView]
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *[(c.value, CHANNEL_LABELS[c]) for c in Channel]]
    )
    # Bounded: a day at the edge of the calendar (0001-01-01, 9999-12-31) cannot be turned into a time range.
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=_DATE,
        validators=[MinValueValidator(_FIRST), MaxValueValidator(_LAST)],
    )
    until = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=_DATE,
        validators=[MinValueValidator(_FIRST), MaxValueValidator(_LAST)],
    )
    recipient = forms.CharField(
        label=_("收件人姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("按姓名或账号名查找，不支持按手机号码、邮箱查找。"),
    )

    def to_filter(self) -> DeliveryFilter:
        """The valid part of the input as a selector filter (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return DeliveryFilter(
            view=DeliveryView(data.get("status") or DeliveryView.ATTENTION),
            channel=data.get("channel") or "",
            since=data.get("since"),
            until=data.get("until"),
            recipient=data.get("recipient") or "",
        )


class DeliveryIdsField(forms.Field):
    """The ids of the deliveries shown on the bulk confirmation page (hidden inputs named alike)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("所选记录无效，请返回重新选择")) from exc


class BulkRetryForm(forms.Form):
    """Confirmation of a bulk retry: exactly the failed deliveries listed on the confirmation page."""

    delivery = DeliveryIdsField(required=True, error_messages={"required": _("没有可重新发送的记录")})
