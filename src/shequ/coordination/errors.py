"""Stable error codes of "one core, many actors" and joint meetings (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class CoordinationError(ErrorCode):
    TEXT_REQUIRED = "coordination.text_required", _("须填写内容")
    TEXT_TOO_LONG = "coordination.text_too_long", _("内容过长")
    PERSONAL_NUMBER = "coordination.personal_number", _("请勿填写手机号码或身份证号码")
    MOBILE_INVALID = "coordination.mobile_invalid", _("手机号码格式不正确")
    UNIT_NOT_PRESENT = "coordination.unit_not_present", _("该单位不在本社区，也不在本社区的上级辖区")
    DATE_INVALID = "coordination.date_invalid", _("日期不正确")
    FUTURE_DATE = "coordination.future_date", _("日期不能晚于今天")
    MINUTES_REQUIRED = "coordination.minutes_required", _("须填写会议纪要")
    PARTICIPANTS_TOO_FEW = "coordination.participants_too_few", _("联席会议至少须有两个单位参加，且包括召集单位")
    DUE_BEFORE_MEETING = "coordination.due_before_meeting", _("完成期限不能早于会议日期")
    ALREADY_HANDED_OVER = "coordination.already_handed_over", _("该事项已立案或已转为议题，或已办结")
    REASON_REQUIRED = "coordination.reason_required", _("须填写查看原因")


def code_of(name: str) -> CoordinationError:
    """The code of a domain problem ("minutes_required" → coordination.minutes_required)."""
    return CoordinationError(f"coordination.{name}")
