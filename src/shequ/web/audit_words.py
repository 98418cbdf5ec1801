"""Words of the web app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words({"demo.loaded": _("加载演示数据")})
