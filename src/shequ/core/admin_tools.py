"""Django admin for system admins only, with every write audited."""

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict

from . import audit
from .permissions import can


def _json_safe(value: Any) -> Any:
    # JSON fields (boundaries) stay structured; everything else (dates, decimals, related ids) as text.
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)


def _snapshot(obj: Any) -> dict[str, Any]:
    return {k: _json_safe(v) for k, v in model_to_dict(obj).items()}


class AuditedModelAdmin(admin.ModelAdmin):
    """ModelAdmin open to system admins only; each save and delete appends an audit record."""

    def _allowed(self, request) -> bool:
        return bool(can(request.user, "core.admin_site"))

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def save_model(self, request, obj, form, change) -> None:
        before = None
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = _snapshot(old) if old else None
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            before=before,
            after=_snapshot(obj),
        )

    def delete_model(self, request, obj) -> None:
        before = _snapshot(obj)
        audit.record(actor=request.user, action="admin.delete", obj=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            audit.record(actor=request.user, action="admin.delete", obj=obj, before=_snapshot(obj))
        super().delete_queryset(request, queryset)
