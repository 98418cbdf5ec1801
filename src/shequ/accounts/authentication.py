from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .errors import AccountError
from .services import token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` (also accepts `Bearer <key>`)."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        # Headers arrive as Latin-1: a first word that is not UTF-8 is simply not our keyword (it was a 500).
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误"), AccountError.TOKEN_MALFORMED)
        user = token_authenticate(header[1].decode(errors="ignore"))
        if user is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期"), AccountError.TOKEN_INVALID)
        return (user, None)

    def authenticate_header(self, request) -> str:
        return "Token"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe `Authorization: Token <key>` in the OpenAPI schema."""

    target_class = "shequ.accounts.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token from POST /api/v1/auth/token/, sent as "Token <key>"',
        }
