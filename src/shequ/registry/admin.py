from django.contrib import admin

from shequ.core.admin_tools import AuditedModelAdmin

from .models import ValueAlias


@admin.register(ValueAlias)
class ValueAliasAdmin(AuditedModelAdmin):
    """Other spellings of import values (残疾 for 残疾人), read by every import validated afterwards."""

    list_display = ["column", "alias", "value"]
    list_filter = ["column"]
    search_fields = ["alias", "value"]
    fields = ["column", "alias", "value"]
