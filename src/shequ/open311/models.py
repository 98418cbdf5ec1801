"""Open311 GeoReport v2 API clients: who may POST service requests. Only a keyed hash of the key is stored."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel


class ApiClient(BaseModel):
    """A third-party system (hotline platform, city app) holding an Open311 API key."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    organisation = models.CharField(_("单位"), max_length=200, blank=True)
    # HMAC-SHA256 of the key under the PII keyring (core.crypto.keyed_hash, purpose "open311.api_key").
    key_hash = models.CharField(max_length=128, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    # POST requests allowed per window of settings.SHEQU_RATE_LIMITS["open311.submit"]; empty: that default.
    rate_limit = models.PositiveIntegerField(_("提交次数上限"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 接口客户端")
        verbose_name_plural = _("Open311 接口客户端")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
