"""Stable error codes of accounts and API tokens (see core.errors.ErrorCode)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ErrorCode


class AccountError(ErrorCode):
    CREDENTIALS_INVALID = "accounts.credentials_invalid", _("用户名或密码错误")
    ACCOUNT_LOCKED = "accounts.account_locked", _("账号已锁定")
    ACCOUNT_INACTIVE = "accounts.account_inactive", _("账号已停用")
    OTP_REQUIRED = "accounts.otp_required", _("需要动态验证码（otp）")
    OTP_INVALID = "accounts.otp_invalid", _("动态验证码错误")
    ENROL_REQUIRED = "accounts.enrol_required", _("须先设置双因素认证")
    PASSWORD_CHANGE_REQUIRED = "accounts.password_change_required", _("首次登录须先在网页上修改密码")
    TOKEN_MALFORMED = "accounts.token_malformed", _("令牌格式错误")
    TOKEN_INVALID = "accounts.token_invalid", _("令牌无效或已过期")
