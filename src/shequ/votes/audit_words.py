"""Words of the votes app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "votes.created": _("发起业主表决"),
        "votes.opened": _("开始业主表决"),
        "votes.ballot_cast": _("业主投票"),
        "votes.ballot_changed": _("业主修改选票"),
        "votes.proxy_registered": _("登记委托投票"),
        "votes.paper_entered": _("录入纸质选票"),
        "votes.paper_confirmed": _("复核通过纸质选票"),
        "votes.paper_rejected": _("退回纸质选票"),
        "votes.closed": _("结束业主表决并公布结果"),
    }
)
