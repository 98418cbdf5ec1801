"""Staff and the accounts app's audit actions in words: a staff member reads as their name, "accounts.login" as
"登录" (see core.audit_words and core.actors.register_namer)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words


def staff_names(usernames: set[str]) -> dict[str, str]:
    """{username: the person's name} for the staff accounts that have a name; others keep their username."""
    from .models import User

    rows = User.objects.filter(username__in=usernames).exclude(display_name="").values_list("username", "display_name")
    return dict(rows)


register_words(
    {
        "accounts.login": _("登录"),
        "accounts.login_failed": _("登录失败"),
        "accounts.locked": _("账号被锁定"),
        "accounts.logged_out_everywhere": _("退出所有登录"),
        "accounts.password_changed": _("修改密码"),
        "accounts.password_reset": _("重置密码"),
        "accounts.role_assigned": _("分配角色"),
        "accounts.role_removed": _("取消角色"),
        "accounts.token_issued": _("签发接口令牌"),
        "accounts.totp_enabled": _("启用双因素认证"),
        "accounts.totp_enrolment_started": _("开始绑定双因素认证"),
        "accounts.totp_reset": _("重置双因素认证"),
        "accounts.user_created": _("创建账号"),
        "accounts.user_deactivated": _("停用账号"),
        "accounts.user_reactivated": _("重新启用账号"),
        "accounts.user_unlocked": _("解除账号锁定"),
        "accounts.handover": _("工作交接"),
    }
)
