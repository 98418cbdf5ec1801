import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from shequ.core.admin_tools import AuditedModelAdmin
from shequ.core.errors import ValidationError

from . import services
from .models import Area, Building, Compound


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON 文件"))
    crs = forms.ChoiceField(label=_("坐标系"), choices=[("gcj02", "GCJ-02"), ("wgs84", "WGS-84"), ("bd09", "BD-09")])


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent", "source"]
    list_filter = ["level", "source"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    actions = ["export_boundaries"]
    change_list_template = "territory/admin_area_changelist.html"

    def get_urls(self):
        return [
            path(
                "import-boundaries/",
                self.admin_site.admin_view(self.import_boundaries),
                name="territory_area_import_boundaries",
            )
        ] + super().get_urls()

    def import_boundaries(self, request):
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                data = json.loads(form.cleaned_data["file"].read().decode("utf-8-sig"))
                report = services.boundaries_import(actor=request.user, collection=data, crs=form.cleaned_data["crs"])
            except (ValueError, ValidationError) as exc:
                messages.error(request, _("导入失败：%(e)s") % {"e": exc})
            else:
                messages.success(request, report.summary())
                for err in report.errors[:20]:
                    messages.warning(request, err)
                return redirect("admin:territory_area_changelist")
        return render(
            request,
            "territory/admin_import_boundaries.html",
            {**self.admin_site.each_context(request), "form": form, "title": _("导入网格边界")},
        )

    @admin.action(description=_("导出所选区域下的网格边界（GeoJSON）"))
    def export_boundaries(self, request, queryset):
        features, seen = [], set()
        for area in queryset.order_by("path"):
            for feature in services.boundaries_export(root=area)["features"]:
                if feature["properties"]["code"] not in seen:  # nested selections export each boundary once
                    seen.add(feature["properties"]["code"])
                    features.append(feature)
        body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/geo+json")
        response["Content-Disposition"] = 'attachment; filename="boundaries.geojson"'
        return response


@admin.register(Compound)
class CompoundAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "community", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["community"]


@admin.register(Building)
class BuildingAdmin(AuditedModelAdmin):
    list_display = ["compound", "name", "micro_grid"]
    raw_id_fields = ["compound", "micro_grid"]
