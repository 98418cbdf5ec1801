import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from shequ.core import hostile_input
from shequ.core.admin_tools import AuditedModelAdmin
from shequ.core.errors import ValidationError

from . import services
from .geo import CRS, GeometryError, convert_geometry, validate_geometry
from .models import Area, Building, Compound


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON 文件"))
    crs = forms.ChoiceField(label=_("坐标系"), choices=[("gcj02", "GCJ-02"), ("wgs84", "WGS-84"), ("bd09", "BD-09")])


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        # The editable fields the admin showed before it had a form of its own (path, depth and the converted
        # WGS-84 geometry are derived, never typed in).
        fields = [
            "parent",
            "level",
            "code",
            "is_official_code",
            "name",
            "urban_rural_code",
            "center_lng",
            "center_lat",
            "center_crs",
            "geometry",
            "geometry_crs",
            "source",
            "responsible_name",
        ]

    def clean(self):
        """Refuse a boundary overlapping another micro-grid (or a sibling area), as the import does."""
        cleaned = super().clean()
        geometry, crs = cleaned.get("geometry"), cleaned.get("geometry_crs")
        level = cleaned.get("level")
        if geometry is None or not crs or not level:
            return cleaned
        try:
            validate_geometry(geometry)
        except GeometryError:
            return cleaned  # the model's own validation reports it
        area = Area(
            pk=self.instance.pk,
            level=level,
            parent=cleaned.get("parent"),
            code=cleaned.get("code") or self.instance.code,
            name=cleaned.get("name") or self.instance.name,
        )
        overlaps = services.boundary_overlaps([(area, convert_geometry(geometry, crs, CRS.WGS84))])
        if overlaps:
            for line in services.overlap_messages(overlaps):
                self.add_error("geometry", line)
        return cleaned


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    form = AreaAdminForm
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
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
                if refusal := hostile_input.json_file_refusal(text, name=upload.name or ""):
                    raise ValueError(refusal.message())  # before json.loads, which would recurse per level
                data = json.loads(text)
                report = services.boundaries_import(actor=request.user, collection=data, crs=form.cleaned_data["crs"])
            except ValidationError as exc:
                first, *rest = exc.messages
                messages.error(request, _("导入失败：%(e)s") % {"e": first})
                for line in rest[:25]:
                    messages.error(request, line)
            except ValueError as exc:
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
