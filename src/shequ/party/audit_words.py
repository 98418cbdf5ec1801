"""Words of the Party app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "party.org_created": _("设立党组织"),
        "party.member_added": _("登记党员"),
        "party.member_made_full": _("登记党员转正"),
        "party.member_transferred": _("转接党员组织关系"),
        "party.member_revealed": _("查看党员信息"),
        "party.post_assigned": _("登记党组织职务"),
        "party.post_ended": _("登记离任"),
        "party.meeting_recorded": _("登记组织生活"),
        "party.members_exported": _("导出党员名单"),
    }
)
