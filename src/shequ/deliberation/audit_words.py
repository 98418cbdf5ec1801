"""Words of the deliberation app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "deliberation.body_created": _("设立议事机构"),
        "deliberation.rules_updated": _("修改议事规则"),
        "deliberation.member_added": _("增加议事机构成员"),
        "deliberation.member_left": _("登记成员离任"),
        "deliberation.group_created": _("登记居民小组"),
        "deliberation.meeting_created": _("安排会议"),
        "deliberation.agenda_added": _("列入会议议程"),
        "deliberation.attendance_recorded": _("登记出席情况"),
        "deliberation.minutes_saved": _("保存会议纪要"),
        "deliberation.resolution_recorded": _("记录决议和表决"),
        "deliberation.resolution_published": _("公示决议"),
        "deliberation.request_opened": _("登记居民会议提议"),
        "deliberation.request_supported": _("记录居民会议提议人"),
        "deliberation.request_convened": _("登记召集居民会议"),
        "deliberation.residents_meeting_recorded": _("记录居民会议"),
        "deliberation.proposal_submitted": _("提出议题"),
        "deliberation.proposal_from_case": _("诉求转为议题"),
        "deliberation.proposal_supported": _("附议议题"),
        "deliberation.proposal_moved": _("议题状态变更"),
        "deliberation.comment_added": _("发表议题意见"),
        "deliberation.comment_hidden": _("隐藏议题意见"),
        "deliberation.progress_added": _("登记实施进展"),
    }
)
