"""Words of the registry app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "registry.resident_registered": _("登记居民"),
        "registry.resident_updated": _("修改居民信息"),
        "registry.resident_erased": _("删除居民个人信息"),
        "registry.household_created": _("建立户"),
        "registry.household_changed": _("户信息变更"),
        "registry.ownership_transferred": _("产权转移"),
        "registry.moved_out": _("登记迁出"),
        "registry.death_recorded": _("登记死亡"),
        "registry.consent_withdrawn": _("撤回同意"),
        "registry.reveal": _("查看完整个人信息"),
        "registry.age_filter": _("按年龄筛选居民"),
        "registry.birthday_list": _("查看老人生日名单"),
        "registry.birthday_list_export": _("导出老人生日名单"),
        "registry.export": _("导出居民名单"),
        "registry.export_requested": _("申请导出完整名单"),
        "registry.export_approved": _("批准导出完整名单"),
        "registry.export_rejected": _("驳回导出完整名单"),
        "registry.export_unmasked": _("导出完整名单"),
        "registry.export_expired": _("完整名单导出已过期"),
        "registry.disclosure_alert": _("个人信息查看量告警"),
        "registry.disclosure_refused": _("个人信息查看超限被拒绝"),
        "registry.import_uploaded": _("上传导入文件"),
        "registry.import_validated": _("校验导入文件"),
        "registry.import_confirmed": _("确认导入"),
        "registry.import_applied": _("完成导入"),
        "registry.import_cancelled": _("取消导入"),
        "registry.import_failed": _("导入失败"),
        "registry.import_recovered": _("恢复中断的导入"),
        "registry.import_dwellings_created": _("从导入新增房屋"),
    }
)
