"""Words of the cases app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

from .domain import EVENT_LABELS
from .photo_selectors import ACTION_KEPT_PRIVATE, ACTION_PUBLISHED

register_words(
    {
        # cases.transitions records "cases.<event>" for every status change: 受理, 派单, 办结答复…
        **{f"cases.{event.value}": label for event, label in EVENT_LABELS.items()},
        "cases.submitted": _("提交诉求"),
        "cases.triaged": _("分拣"),
        "cases.assisted": _("协办意见"),
        "cases.supported": _("居民附议"),
        "cases.rated": _("评价"),
        "cases.change_requested": _("申请延期/中止"),
        "cases.change_decided": _("审批延期/中止"),
        "cases.malicious_proposed": _("提出恶意诉求标记"),
        "cases.malicious_reviewed": _("复核恶意诉求标记"),
        "cases.photos_uploaded": _("上传照片"),
        ACTION_PUBLISHED: _("公开照片"),
        ACTION_KEPT_PRIVATE: _("照片不公开"),
        "cases.reporter_revealed": _("查看报告人手机号"),
        "cases.reporter_contact_revealed": _("查看报告人联系方式"),
        "cases.export": _("导出诉求"),
        "cases.hotline_imported": _("导入12345工单"),
        "cases.categories_seeded": _("导入诉求分类"),
        "cases.review_settings": _("设置社区答复审核"),
    }
)
