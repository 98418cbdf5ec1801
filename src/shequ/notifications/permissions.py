"""Permission rules for the operation of notification delivery: only system admins watch and retry sending.

Deliveries carry no territory (a notification links to its object by URL only), so the rules are not scoped:
any system admin sees and retries every delivery. Recipients' addresses are never shown in full.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of


@register("notifications.view_deliveries", "查看邮件、短信通知的发送失败和积压记录（系统管理员）")
def can_view_deliveries(actor: Any, obj: Any) -> Decision:
    if scope_of(actor).has_role("system_admin"):
        return ALLOW
    return deny(_("只有系统管理员可以查看通知发送记录"))


@register("notifications.retry_delivery", "重新发送发送失败的邮件、短信通知（系统管理员，留痕）")
def can_retry_delivery(actor: Any, obj: Any) -> Decision:
    if scope_of(actor).has_role("system_admin"):
        return ALLOW
    return deny(_("只有系统管理员可以重新发送通知"))


@register("notifications.manage_own", "查看和标记本人的通知，设置本人的通知方式")
def can_manage_own(actor: Any, obj: Any) -> Decision:
    return ALLOW  # every signed-in staff member, for their own inbox and preferences only (the service's query)


@register("notifications.send", "发送已生成的邮件、短信通知，重试到期的通知（后台任务）", actors={Kind.SYSTEM})
def can_send(actor: Any, obj: Any) -> Decision:
    return ALLOW  # the delivery worker; no person sends directly (a system admin retries: retry_delivery)
