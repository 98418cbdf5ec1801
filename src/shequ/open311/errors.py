"""Stable error codes of the Open311 interface (see core.errors.ErrorCode); sent as `error_code` beside the
spec's `code` (the HTTP status) and `description`."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class Open311Error(ErrorCode):
    API_KEY_INVALID = "open311.api_key_invalid", _("api_key 缺失或无效")
    SERVICE_CODE_REQUIRED = "open311.service_code_required", _("须给出 service_code")
    SERVICE_CODE_UNKNOWN = "open311.service_code_unknown", _("service_code 不存在")
    LOCATION_REQUIRED = "open311.location_required", _("须给出 lat/long")
    ADDRESS_NOT_LOCATABLE = "open311.address_not_locatable", _("仅凭 address_string 无法定位，须给出 lat/long")
    COORDINATE_INVALID = "open311.coordinate_invalid", _("lat/long 须为 WGS-84 十进制度数")
    OUTSIDE_SERVICE_AREA = "open311.outside_service_area", _("位置不在服务范围内")
    DESCRIPTION_TOO_SHORT = "open311.description_too_short", _("description 至少5个字")
    STATUS_INVALID = "open311.status_invalid", _("status 须为 open 或 closed")
    DATE_INVALID = "open311.date_invalid", _("日期须为 ISO 8601 格式")
    DATE_OUT_OF_RANGE = "open311.date_out_of_range", _("日期超出范围")
    FORMAT_UNSUPPORTED = "open311.format_unsupported", _("格式不支持：请使用 .json 或 .xml")
    REQUEST_NOT_FOUND = "open311.request_not_found", _("service_request_id 不存在")
    RATE_LIMIT_INVALID = "open311.rate_limit_invalid", _("频率限制须至少为每个时间窗口1次")
    CLIENT_NAME_INVALID = "open311.client_name_invalid", _("客户端名称须填写（不超过100个字符）")
    CLIENT_NAME_TAKEN = "open311.client_name_taken", _("已有同名的客户端")
    CLIENT_UNKNOWN = "open311.client_unknown", _("没有该名称的客户端")
