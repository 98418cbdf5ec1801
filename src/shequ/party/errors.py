"""Stable error codes of the Party side (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class PartyError(ErrorCode):
    TEXT_REQUIRED = "party.text_required", _("须填写内容")
    TEXT_TOO_LONG = "party.text_too_long", _("内容过长")
    PERSONAL_NUMBER = "party.personal_number", _("请勿填写手机号码或身份证号码")
    LEVEL_INVALID = "party.level_invalid", _("党组织层级与上级党组织不相符")
    PLACE_INVALID = "party.place_invalid", _("党组织所在地须在上级党组织所在辖区内")
    NAME_TAKEN = "party.name_taken", _("该辖区已有同名单位")
    JOINT_INVALID = "party.joint_invalid", _("只有党支部可以是联合党支部，且须写明联合的单位")
    STATUS_INVALID = "party.status_invalid", _("须选择党员类别")
    DATE_INVALID = "party.date_invalid", _("日期不正确")
    MOBILE_INVALID = "party.mobile_invalid", _("手机号码格式不正确")
    MEMBER_DUPLICATE = "party.member_duplicate", _("该党员已在本党组织登记")
    MEMBER_INACTIVE = "party.member_inactive", _("该党员已转出")
    TARGET_INVALID = "party.target_invalid", _("须选择转入的党组织或填写外部党组织名称")
    POST_INVALID = "party.post_invalid", _("须选择职务")
    COMMITTEE_TOO_LARGE = "party.committee_too_large", _("支部委员会委员不能超过 7 人")
    TERM_INVALID = "party.term_invalid", _("任期届满日期须晚于任期开始日期")
    KIND_INVALID = "party.kind_invalid", _("该党组织不召开此类会议")
    NOT_A_MEMBER = "party.not_a_member", _("会议当天不是本党组织的党员")
    COUNTS_INVALID = "party.counts_invalid", _("票数不符合：赞成、反对、弃权之和不能多于实到正式党员")
    FUTURE_DATE = "party.future_date", _("日期不能晚于今天")
    REASON_REQUIRED = "party.reason_required", _("须填写查看原因")
