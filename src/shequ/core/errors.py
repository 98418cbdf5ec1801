"""Errors raised by services and selectors, and the stable codes that name them; views and the API translate them
into responses."""

from enum import StrEnum
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class NotFound(Exception):
    """The object does not exist or lies outside the actor's scope; both answer the same."""


class PermissionDenied(Exception):
    """The actor may see the object but not perform this action on it."""

    def __init__(self, message: str = "", *, action: str = "", code: "ErrorCode | None" = None) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.code = code


class InvalidTransition(Exception):
    """A state machine was asked for a transition its table does not contain."""


class ErrorCode(StrEnum):
    """Stable error codes, one enum per app, for clients to act on (the messages are Chinese and may change).

    Each app declares `class <App>Error(ErrorCode)` in its `errors` module, members as
    `NAME = "<app label>.<snake_case>", _("说明")`. Raise sites pass a member as Django's `code`
    (`ValidationError(message, code=CaseError.X)`, or `invalid(field, message, code)` for one field); the API
    and Open311 return it beside the message. A value never changes once published: add a new code instead.
    `error_codes()` lists every app's codes for the documentation and the OpenAPI schema.
    """

    description: Any

    def __new__(cls, value: str, description: Any = "") -> "ErrorCode":
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class CoreError(ErrorCode):
    """Codes every app shares: access, routing, limits, hostile input and the field checks of DRF and Django
    (each DRF or Django built-in code `x` answers as `core.x`)."""

    NOT_FOUND = "core.not_found", _("不存在，或不在您的辖区内")
    PERMISSION_DENIED = "core.permission_denied", _("无权执行该操作")
    NOT_AUTHENTICATED = "core.not_authenticated", _("未提供身份凭证")
    AUTHENTICATION_FAILED = "core.authentication_failed", _("身份凭证无效或已过期")
    METHOD_NOT_ALLOWED = "core.method_not_allowed", _("不支持该请求方法")
    NOT_ACCEPTABLE = "core.not_acceptable", _("不支持请求的响应格式")
    UNSUPPORTED_MEDIA_TYPE = "core.unsupported_media_type", _("不支持该请求体格式")
    PARSE_ERROR = "core.parse_error", _("请求体无法解析")
    RATE_LIMITED = "core.rate_limited", _("请求过于频繁，请稍后再试")
    THROTTLED = "core.throttled", _("请求过于频繁，请稍后再试")
    INPUT_REFUSED = "core.input_refused", _("请求含有不允许的字符或嵌套过深")
    INVALID = "core.invalid", _("取值无效")
    REQUIRED = "core.required", _("必填")
    NULL = "core.null", _("不能为空值（null）")
    BLANK = "core.blank", _("不能为空")
    MAX_LENGTH = "core.max_length", _("超过最大长度")
    MIN_LENGTH = "core.min_length", _("少于最小长度")
    MAX_VALUE = "core.max_value", _("超过最大值")
    MIN_VALUE = "core.min_value", _("小于最小值")
    INVALID_CHOICE = "core.invalid_choice", _("不是可选的值")
    NOT_A_LIST = "core.not_a_list", _("应为列表")
    EMPTY = "core.empty", _("列表不能为空")
    DATE = "core.date", _("应为日期，不能是日期时间")
    MOBILE_FORMAT = "core.mobile_format", _("手机号码格式错误")
    RESIDENT_ID_FORMAT = "core.resident_id_format", _("居民身份证号码格式错误")
    RESIDENT_ID_REGION = "core.resident_id_region", _("居民身份证号码地区码无效")
    RESIDENT_ID_BIRTH_DATE = "core.resident_id_birth_date", _("居民身份证号码中的出生日期无效")
    RESIDENT_ID_CHECKSUM = "core.resident_id_checksum", _("居民身份证号码校验位错误")
    USCC_FORMAT = "core.uscc_format", _("统一社会信用代码格式错误")
    USCC_CHECKSUM = "core.uscc_checksum", _("统一社会信用代码校验位错误")


def invalid(field: str, message: Any, code: ErrorCode, params: dict[str, Any] | None = None) -> ValidationError:
    """A ValidationError on one field carrying its stable code: `raise invalid("target", _("…"), CaseError.X)`."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


class FieldErrors(dict[str, list[ValidationError]]):
    """Errors gathered field by field before one `raise ValidationError(errors)`, each with its stable code."""

    def add(self, field: str, message: Any, code: ErrorCode) -> None:
        self.setdefault(field, []).append(ValidationError(message, code=code))

    def extend(self, field: str, exc: ValidationError) -> None:
        """Add the errors of a validator (codes kept) to `field`."""
        self.setdefault(field, []).extend(exc.error_list)


def _families() -> list[type[ErrorCode]]:
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.name.startswith("shequ.") and module_has_submodule(config.module, "errors"):
            import_module(f"{config.name}.errors")
    return ErrorCode.__subclasses__()


def error_codes() -> list[ErrorCode]:
    """Every app's codes, sorted (imports each shequ app's `errors` module)."""
    return sorted((code for family in _families() for code in family), key=str)


def stable_code(code: Any) -> ErrorCode:
    """The registered code for a raw one: ours as they are, a DRF or Django built-in `x` as `core.x`, anything
    else (an error raised without a code) as core.invalid."""
    known = _by_value()
    return known.get(str(code)) or known.get(f"core.{code}") or CoreError.INVALID


@cache
def _by_value() -> dict[str, ErrorCode]:
    return {str(c): c for c in error_codes()}
