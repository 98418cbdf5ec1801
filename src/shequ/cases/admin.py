"""Admin of the residents' community topics and their synonyms (system admins only; edits are audited)."""

from typing import Any

from django.contrib import admin

from shequ.core import audit
from shequ.core.admin_tools import AuditedModelAdmin
from shequ.core.permissions import can

from .models import CommunityTopic, TopicSynonym


class TopicSynonymInline(admin.TabularInline):
    model = TopicSynonym
    extra = 3

    def _allowed(self, request: Any) -> bool:
        return bool(can(request.user, "core.admin_site"))

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(CommunityTopic)
class CommunityTopicAdmin(AuditedModelAdmin):
    list_display = ("name", "name_en", "category", "featured", "position", "is_active")
    list_filter = ("featured", "is_active")
    search_fields = ("name", "name_en", "code", "synonyms__text")
    raw_id_fields = ("category",)
    inlines = [TopicSynonymInline]

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        before = sorted(form.instance.synonyms.values_list("text", flat=True)) if form.instance.pk else []
        super().save_formset(request, form, formset, change)
        after = sorted(form.instance.synonyms.values_list("text", flat=True))
        if before != after:
            audit.record(
                actor=request.user,
                action="admin.change",
                obj=form.instance,
                before={"synonyms": before},
                after={"synonyms": after},
            )
