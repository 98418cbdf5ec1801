"""The area admin form: named fields only."""

from shequ.territory.admin import AreaAdminForm


def test_area_admin_form_lists_its_fields_and_leaves_derived_ones_out():
    """The area form names its fields: the tree path, depth and the converted WGS-84 geometry are never typed in."""
    fields = set(AreaAdminForm.base_fields)
    assert {"geometry", "geometry_crs", "parent", "code", "name"} <= fields
    assert not fields & {"path", "depth", "geometry_wgs84", "public_id", "created_at", "updated_at"}
