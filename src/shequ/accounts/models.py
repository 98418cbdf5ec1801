"""Accounts: staff users, their role assignments (role × territory node), API tokens and sessions."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import ROLE_SPECS, Role

ROLE_CHOICES = [(r.value, ROLE_SPECS[r].label) for r in Role]


class User(AbstractUser):
    public_id = models.UUIDField(_("公开编号"), unique=True, editable=False, null=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit_name = models.CharField(_("所在单位"), max_length=100, blank=True)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    failed_login_count = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret_encrypted = models.TextField(blank=True, editable=False)
    totp_pending_encrypted = models.TextField(blank=True, editable=False)
    totp_enabled = models.BooleanField(_("已启用双因素认证"), default=False)
    totp_last_counter = models.BigIntegerField(default=0, editable=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    deactivated_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    deactivation_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    home_area = models.ForeignKey(
        "territory.Area",
        verbose_name=_("账号管理辖区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("账号没有任何角色时，由该辖区的安全管理员管理"),
    )

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        ordering = ["username"]

    def save(self, *args, **kwargs):
        if self.public_id is None:
            import uuid

            self.public_id = uuid.uuid4()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username

    def get_scope(self):
        """Return the actor's territorial scope, cached on this instance for the request."""
        cached = getattr(self, "_scope_cache", None)
        if cached is None:
            from .selectors import build_scope

            cached = build_scope(self)
            self._scope_cache = cached
        return cached


class RoleAssignment(BaseModel):
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("账号"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=ROLE_CHOICES)
    area = models.ForeignKey(
        "territory.Area", verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text=_("职能部门工作人员、组织工作人员所属的单位"),
    )
    granted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user_id", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role", "area"], name="assignment_unique")]

    def __str__(self) -> str:
        unit = f"（{self.unit}）" if self.unit_id else ""
        return f"{self.get_role_display()}{unit} @ {self.area}"


class ApiToken(BaseModel):
    """A bearer token for the REST API; only its SHA-256 digest is stored."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class UserSession(models.Model):
    """A web session opened by a login, so that deactivation and handover can end it at once."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
