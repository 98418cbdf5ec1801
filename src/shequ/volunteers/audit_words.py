"""Words of the volunteers app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "volunteers.registered": _("登记志愿者"),
        "volunteers.joined": _("居民注册志愿者"),
        "volunteers.consent_recorded": _("记录监护人同意"),
        "volunteers.entry_recorded": _("登记培训、表彰或投诉"),
        "volunteers.activity_created": _("发布志愿服务活动"),
        "volunteers.activity_status_changed": _("变更志愿服务活动状态"),
        "volunteers.signed_up": _("报名志愿服务活动"),
        "volunteers.withdrawn": _("退出志愿服务活动"),
        "volunteers.marked_absent": _("登记未到"),
        "volunteers.hours_confirmed": _("确认志愿服务时长"),
        "volunteers.correction_asked": _("申请更正志愿服务记录"),
        "volunteers.correction_answered": _("答复更正申请"),
        "volunteers.proof_issued": _("出具志愿服务记录证明"),
        "volunteers.exported": _("导出志愿者名单"),
    }
)
