"""Words of the coordination app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "coordination.role_saved": _("登记单位在社区的职责"),
        "coordination.contact_revealed": _("查看单位联系人信息"),
        "coordination.meeting_recorded": _("登记联席会议"),
        "coordination.follow_up_added": _("登记联席会议议定事项"),
        "coordination.follow_up_done": _("办结联席会议议定事项"),
        "coordination.follow_up_to_case": _("将议定事项立案"),
        "coordination.follow_up_to_proposal": _("将议定事项转为议题"),
        "coordination.actors_exported": _("导出社区单位名单"),
    }
)
