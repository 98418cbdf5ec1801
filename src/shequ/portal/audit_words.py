"""Words of the resident portal's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "portal.code_requested": _("居民请求验证码"),
        "portal.code_rate_limited": _("居民验证码请求过于频繁"),
        "portal.login": _("居民登录"),
        "portal.login_failed": _("居民登录失败"),
        "portal.logout": _("居民退出"),
    }
)
