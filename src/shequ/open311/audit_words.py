"""Words of the open311 app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "open311.client_created": _("创建接口客户端"),
        "open311.client_limit_set": _("设置接口客户端频率限制"),
    }
)
