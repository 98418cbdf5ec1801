from django.contrib import admin

from shequ.core.admin_tools import AuditedModelAdmin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    """Units outside the territory tree (departments, property companies, owners' committees, organisations)."""

    list_display = ["name", "kind", "area", "compound", "building", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["area", "compound", "building"]
