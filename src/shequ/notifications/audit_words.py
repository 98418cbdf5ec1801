"""Words of the notifications app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "notifications.preferences_updated": _("修改通知设置"),
        "notifications.delivery_retried": _("重新发送通知"),
    }
)
