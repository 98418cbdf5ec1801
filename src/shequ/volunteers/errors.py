"""Stable error codes of volunteer service (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class VolunteerError(ErrorCode):
    TEXT_REQUIRED = "volunteers.text_required", _("须填写内容")
    TEXT_TOO_LONG = "volunteers.text_too_long", _("内容过长")
    PERSONAL_NUMBER = "volunteers.personal_number", _("请勿填写手机号码或身份证号码")
    MOBILE_INVALID = "volunteers.mobile_invalid", _("手机号码格式不正确")
    ID_NUMBER_INVALID = "volunteers.id_number_invalid", _("身份证号码格式不正确")
    DATE_INVALID = "volunteers.date_invalid", _("日期不正确")
    ALREADY_REGISTERED = "volunteers.already_registered", _("已注册为志愿者")
    INACTIVE = "volunteers.inactive", _("该志愿者已不在册")
    NOT_A_MINOR = "volunteers.not_a_minor", _("只有未成年志愿者需要记录监护人同意")
    ORGANISER_INVALID = "volunteers.organiser_invalid", _("组织单位须位于该社区")
    TIME_INVALID = "volunteers.time_invalid", _("活动时间不正确")
    SLOTS_INVALID = "volunteers.slots_invalid", _("招募人数须为 1 至 1000")
    ACTIVITY_NOT_OPEN = "volunteers.activity_not_open", _("活动不在报名中")
    ACTIVITY_FULL = "volunteers.activity_full", _("活动名额已满")
    ACTIVITY_ENDED = "volunteers.activity_ended", _("活动已结束")
    OTHER_COMMUNITY = "volunteers.other_community", _("只能报名本社区的活动")
    MINOR_NEEDS_CONSENT = "volunteers.minor_needs_consent", _("未成年人报名须先记录监护人同意")
    BIRTH_DATE_REQUIRED = "volunteers.birth_date_required", _("须登记出生日期")
    STATUS_INVALID = "volunteers.status_invalid", _("当前状态下不能进行此操作")
    NOT_STARTED = "volunteers.not_started", _("活动尚未开始，不能确认服务时长")
    HOURS_INVALID = "volunteers.hours_invalid", _("服务时长不符合规定")
    KIND_INVALID = "volunteers.kind_invalid", _("须选择记录类别")
    CORRECTION_PENDING = "volunteers.correction_pending", _("该记录已有待答复的更正请求")
    REASON_REQUIRED = "volunteers.reason_required", _("不予更正须说明理由")
    NO_RECORDS = "volunteers.no_records", _("还没有已确认的服务记录，不能出具证明")
