"""Stable error codes of deliberation (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class DeliberationError(ErrorCode):
    NOT_A_BODY_KIND = "deliberation.not_a_body_kind", _("须选择议事机构类型")
    NAME_REQUIRED = "deliberation.name_required", _("须填写名称")
    NAME_TAKEN = "deliberation.name_taken", _("该社区已有同名机构或小组")
    RULE_INVALID = "deliberation.rule_invalid", _("比例须为 0 到 1 之间的分数")
    TERM_INVALID = "deliberation.term_invalid", _("任期届满日期不能早于任期开始日期")
    ROLE_INVALID = "deliberation.role_invalid", _("须选择职务")
    MEMBER_DUPLICATE = "deliberation.member_duplicate", _("该居民已是本机构的在任成员")
    TEXT_REQUIRED = "deliberation.text_required", _("须填写内容")
    TEXT_TOO_LONG = "deliberation.text_too_long", _("内容过长")
    PERSONAL_NUMBER = "deliberation.personal_number", _("请勿填写手机号码或身份证号码")
    SOURCE_INVALID = "deliberation.source_invalid", _("须选择议题来源")
    PROPOSAL_CLOSED = "deliberation.proposal_closed", _("该议题已不再征集意见")
    ALREADY_PROPOSED = "deliberation.already_proposed", _("该诉求已转为议题")
    NOT_ON_AGENDA = "deliberation.not_on_agenda", _("该议题不能列入议程")
    NO_ATTENDANCE = "deliberation.no_attendance", _("须先登记出席情况")
    VOTE_INVALID = "deliberation.vote_invalid", _("只有出席的在任成员可以表决")
    ALREADY_RESOLVED = "deliberation.already_resolved", _("该议程已作出决议")
    ALREADY_PUBLISHED = "deliberation.already_published", _("该决议已公示")
    COUNTS_INVALID = "deliberation.counts_invalid", _("人数不符合：赞成 ≤ 出席 ≤ 应出席")
    NOT_ADULT = "deliberation.not_adult", _("只有十八周岁以上的居民可以提议召开居民会议")
    SUPPORT_DUPLICATE = "deliberation.support_duplicate", _("已记录该提议人")
    BASIS_MISMATCH = "deliberation.basis_mismatch", _("提议人与提议主体不符")
    COMMENT_HIDDEN = "deliberation.comment_hidden", _("该意见已隐藏")
