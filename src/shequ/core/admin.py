from django.contrib import admin

from .admin_tools import AuditedModelAdmin
from .calendar import invalidate
from .models import CalendarDay, CalendarYear


class CalendarAdmin(AuditedModelAdmin):
    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        invalidate()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        invalidate()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        invalidate()


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    list_display = ["year", "source"]
