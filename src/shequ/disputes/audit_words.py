"""Words of the disputes app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "disputes.opened": _("建立调解档案"),
        "disputes.party_added": _("添加当事人"),
        "disputes.party_removed": _("移除当事人"),
        "disputes.session_added": _("记录调解"),
        "disputes.agreement_saved": _("保存调解协议"),
        "disputes.agreement_generated": _("生成调解协议书"),
        "disputes.agreement_downloaded": _("下载调解协议书"),
        "disputes.visit_added": _("记录回访"),
        "disputes.risk_set": _("设置风险等级"),
    }
)
