"""Token endpoint and the caller's own profile."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from shequ.core import ratelimit
from shequ.core.api import StrictCharField
from shequ.core.middleware import client_ip

from . import services
from .domain import role_label
from .errors import AccountError
from .services import AuthOutcome


class TokenRequestSerializer(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=256, trim_whitespace=False)
    otp = StrictCharField(max_length=6, required=False, allow_blank=True)


# The token endpoint's `code` (kept as it was published) and its stable code.
_STABLE = {
    "otp_required": AccountError.OTP_REQUIRED,
    "password_change_required": AccountError.PASSWORD_CHANGE_REQUIRED,
    AuthOutcome.INVALID.value: AccountError.CREDENTIALS_INVALID,
    AuthOutcome.LOCKED.value: AccountError.ACCOUNT_LOCKED,
    AuthOutcome.INACTIVE.value: AccountError.ACCOUNT_INACTIVE,
    AuthOutcome.OTP_INVALID.value: AccountError.OTP_INVALID,
    AuthOutcome.ENROL_REQUIRED.value: AccountError.ENROL_REQUIRED,
}


def _refusal(message: str, code: str, status_code: int) -> Response:
    return Response({"detail": message, "code": code, "codes": {"detail": [str(_STABLE[code])]}}, status=status_code)


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
        ),
        400: OpenApiResponse(description="字段错误，用户名或密码错误，或需要动态验证码（code: otp_required）"),
        403: OpenApiResponse(description="账号已锁定、须先设置双因素认证，或须先在网页上修改密码"),
        429: OpenApiResponse(description="请求过于频繁（按客户端地址和用户名限制），Retry-After 给出等待秒数"),
    },
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request: Request) -> Response:
    """Exchange username, password (and `otp` where a second factor is on) for an API token.

    Limited per client address and per username (shared with the login page); past a limit: 429.
    """
    ratelimit.enforce("token.ip", client_ip(request))
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    username = data.validated_data["username"].strip()
    ratelimit.enforce("login.account", username, label=username)
    otp = data.validated_data.get("otp") or ""
    result = services.authenticate_credentials(
        username=data.validated_data["username"], password=data.validated_data["password"], otp=otp
    )
    if result.outcome is AuthOutcome.OTP_REQUIRED or (result.outcome is AuthOutcome.OTP_INVALID and not otp):
        return _refusal(_("需要动态验证码（otp）"), "otp_required", status.HTTP_400_BAD_REQUEST)
    if result.outcome is not AuthOutcome.OK:
        code = {AuthOutcome.LOCKED: 403, AuthOutcome.ENROL_REQUIRED: 403}.get(result.outcome, 400)
        return _refusal(result.message, result.outcome.value, code)
    if result.user.must_change_password:
        return _refusal(_("首次登录须先在网页上修改密码"), "password_change_required", status.HTTP_403_FORBIDDEN)
    key, token = services.token_issue(actor=result.user)
    return Response({"token": key, "expires_at": token.expires_at})


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "id": serializers.UUIDField(),
            "username": serializers.CharField(),
            "display_name": serializers.CharField(),
            "assignments": serializers.ListField(child=serializers.DictField()),
        },
    )
)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller's account and role assignments."""
    user = request.user
    scope = user.get_scope()
    return Response(
        {
            "id": str(user.public_id),
            "username": user.username,
            "display_name": user.display_name,
            "assignments": [
                {
                    "role": g.role,
                    "role_label": role_label(g.role),
                    "area_path": g.area_path,
                    "area_level": g.area_level,
                }
                for g in scope.grants
            ],
        }
    )
