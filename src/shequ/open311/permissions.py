"""Who may use the Open311 interface: API clients submit requests; clients are managed from the command line."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import COMMAND_LINE, Kind
from shequ.core.permissions import ALLOW, Decision, deny, register


@register("open311.submit_request", "通过 Open311 接口提交诉求（持有接口密钥的客户端）", actors={Kind.API_CLIENT})
def can_submit_request(actor: Any, obj: Any) -> Decision:
    return ALLOW  # a disabled client was refused before the check ran; the per-client rate limit still applies


@register("open311.manage_clients", "创建 Open311 接口客户端、调整其提交次数上限（服务器命令行）", actors={Kind.SYSTEM})
def can_manage_clients(actor: Any, obj: Any) -> Decision:
    # Keys are handed out by whoever operates the server (`shequ open311_key`), never by a job or from the web.
    return ALLOW if actor == COMMAND_LINE else deny(_("只能在服务器命令行管理接口客户端"))
