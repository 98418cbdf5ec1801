"""One-time SMS login codes of the resident portal.

Neither the mobile number nor the code is stored. `mobile_hash` is a keyed hash (HMAC under the personal-
information keyring) with its own purpose, `portal.login.mobile`, not the register's: this table also holds
numbers that are on no register (they are answered like any other, see services.request_code), and a
separate purpose keeps these rows from being joined to `registry.Resident.mobile_hash` by anyone holding a
copy of the database. `code_hash` is an HMAC of the code under the server's SECRET_KEY with a per-row salt,
so a database dump alone does not let anyone try the million possible codes offline.

Rows are the rate-limit ledger too (per number and per client address), and are deleted after a day.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginCode(models.Model):
    """A code issued for one sign-in attempt: valid for five minutes, five tries, once."""

    mobile_hash = models.CharField(max_length=64)
    code_salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("短信登录验证码")
        verbose_name_plural = _("短信登录验证码")
        indexes = [
            models.Index(fields=["mobile_hash", "created_at"], name="portal_code_mobile_time"),
            models.Index(fields=["ip", "created_at"], name="portal_code_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.mobile_hash[:8]} {self.created_at:%Y-%m-%d %H:%M:%S}"
