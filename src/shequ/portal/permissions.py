"""Who may act on the resident portal's own records: the signed-in resident, and the job that forgets old codes.

Asking for a login code and typing it are done by a visitor who is not signed in yet: they are not permission
checks but the sign-in itself, limited by rate limits and tries (see services).
"""

from typing import Any

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, register


@register("portal.sign_out", "居民退出居民服务门户（本人）", actors={Kind.RESIDENT})
def can_sign_out(actor: Any, obj: Any) -> Decision:
    return ALLOW  # a resident no longer on the register was refused before the check ran


@register("portal.purge_login_codes", "删除一天前的登录验证码记录（后台任务）", actors={Kind.SYSTEM})
def can_purge_login_codes(actor: Any, obj: Any) -> Decision:
    return ALLOW
