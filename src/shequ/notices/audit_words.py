"""Words of the notices app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "notices.drafted": _("起草公示"),
        "notices.draft_updated": _("修改公示草稿"),
        "notices.published": _("发布公示"),
        "notices.superseded": _("公示被更正"),
        "notices.withdrawn": _("撤回公示"),
        "notices.objection_filed": _("提出公示异议"),
        "notices.objection_answered": _("答复公示异议"),
    }
)
