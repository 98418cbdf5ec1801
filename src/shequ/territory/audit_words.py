"""Words of the territory app's audit actions (see core.audit_words)."""

from django.utils.translation import gettext_lazy as _

from shequ.core.audit_words import register_words

register_words(
    {
        "territory.divisions_imported": _("导入行政区划"),
        "territory.boundaries_imported": _("导入网格边界"),
        "territory.building_assigned": _("楼栋划入微网格"),
    }
)
