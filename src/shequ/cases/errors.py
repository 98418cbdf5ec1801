"""Stable error codes of case handling (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class CaseError(ErrorCode):
    CASE_TYPE_INVALID = "cases.case_type_invalid", _("须选择诉求类型")
    TITLE_REQUIRED = "cases.title_required", _("须填写标题（不超过100字）")
    DESCRIPTION_TOO_SHORT = "cases.description_too_short", _("诉求内容至少5个字")
    LOCATION_REQUIRED = "cases.location_required", _("须选择楼栋、在地图上标注位置，或选择社区")
    CATEGORY_INVALID = "cases.category_invalid", _("须选择有效的分类")
    TRIAGE_CLOSED = "cases.triage_closed", _("诉求已结束，不能再分拣")
    TRIAGE_PENDING = "cases.triage_pending", _("诉求待分拣，须先确认分类再派单")
    REJECT_REASON_REQUIRED = "cases.reject_reason_required", _("须填写不予受理的理由和建议的办理渠道")
    TARGET_NOT_RESPONSIBLE = "cases.target_not_responsible", _("该单位不负责诉求所在地")
    TARGET_NOT_ALLOWED = "cases.target_not_allowed", _("只能派给本单位、下级网格、微网格，或负责该地的部门和组织")
    HELPER_DUPLICATE = "cases.helper_duplicate", _("协办单位不能与主办单位或其他协办单位重复")
    HELPER_NOT_RESPONSIBLE = "cases.helper_not_responsible", _("协办单位不负责诉求所在地")
    TOO_MANY_HELPERS = "cases.too_many_helpers", _("协办单位最多5个")
    TRANSFER_REASON_REQUIRED = "cases.transfer_reason_required", _("须填写转办理由")
    TRANSFER_TARGET_INVALID = "cases.transfer_target_invalid", _("只能转办给社区、街道或网格")
    RETURN_REASON_REQUIRED = "cases.return_reason_required", _("须填写退单理由")
    REPLY_TOO_SHORT = "cases.reply_too_short", _("答复意见至少5个字")
    SATISFACTION_REQUIRED = "cases.satisfaction_required", _("须选择满意度")
    NOT_YET_RESOLVED = "cases.not_yet_resolved", _("办结后才能评价")
    REOPEN_PERIOD_PASSED = "cases.reopen_period_passed", _("已超过重办期限")
    MERGE_INTO_SELF = "cases.merge_into_self", _("不能合并到自身")
    MERGE_INTO_CLOSED = "cases.merge_into_closed", _("只能合并到未结束的诉求")
    MERGE_ACROSS_COMMUNITIES = "cases.merge_across_communities", _("只能合并同一社区的诉求")
    ASSIST_NOTE_TOO_SHORT = "cases.assist_note_too_short", _("协办意见至少5个字")
    ASSIST_ON_CLOSED = "cases.assist_on_closed", _("诉求已结束，不能再填写协办意见")
    ABUSE_REASON_TOO_SHORT = "cases.abuse_reason_too_short", _("认定恶意诉求的事实依据至少10个字")
    ABUSE_ALREADY_FLAGGED = "cases.abuse_already_flagged", _("该诉求已有恶意诉求标记")
    ABUSE_FLAG_NOT_PENDING = "cases.abuse_flag_not_pending", _("该诉求没有待复核的恶意诉求标记")
    REVIEW_NOTE_REQUIRED = "cases.review_note_required", _("须填写复核意见")
    CONTACT_REASON_TOO_SHORT = "cases.contact_reason_too_short", _("查看联系方式的理由字数不足")
