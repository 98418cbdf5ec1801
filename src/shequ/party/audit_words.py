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
        "party.inservice_registered": _("在职党员报到登记"),
        "party.inservice_ended": _("结束在职党员报到"),
        "party.inservice_revealed": _("查看报到党员姓名"),
        "party.inservice_exported": _("导出在职党员报到名单"),
        "party.need_published": _("发布服务需求"),
        "party.need_closed": _("关闭服务需求"),
        "party.need_claimed": _("认领服务需求"),
        "party.claim_withdrawn": _("放弃认领"),
        "party.service_recorded": _("记录在职党员服务"),
        "party.service_confirmed": _("确认在职党员服务"),
        "party.service_record_issued": _("出具在职党员服务情况反馈"),
        "party.hub_created": _("设立党员中心户"),
        "party.hub_linked": _("党员联系中心户"),
        "party.hub_unlinked": _("党员移出中心户"),
        "party.hub_household_added": _("登记联系群众户"),
        "party.hub_household_removed": _("移除联系群众户"),
        "party.hub_ended": _("撤销党员中心户"),
    }
)
