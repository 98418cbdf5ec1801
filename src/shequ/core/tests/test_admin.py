"""Django admin: system admins only (三员分立), every write audited, boundary import and export for areas.

System admins log in with a second factor; these tests use `force_login` and test the admin itself.
"""

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.accounts.tests.factories import UserFactory, staff
from shequ.core import calendar
from shequ.core.models import AuditRecord, CalendarDay, CalendarYear
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

# The core sits below the territory app (import-linter layers): reach its model through the app registry.
Area = apps.get_model("territory", "Area")
NATIONAL_DAY = dt.date(2026, 10, 1)  # a Thursday
# WGS-84 rings of the GCJ-02 squares `_square(104.040, 30.640)` and `_square(104.042, 30.640)`.
WGS84_RING = {
    (104.040, 30.640): [
        [104.0375637, 30.6424841],
        [104.0395577, 30.6424793],
        [104.0395576, 30.6444784],
        [104.0375636, 30.6444833],
        [104.0375637, 30.6424841],
    ],
    (104.042, 30.640): [
        [104.0395577, 30.6424793],
        [104.0415518, 30.6424745],
        [104.0415517, 30.6444737],
        [104.0395576, 30.6444784],
        [104.0395577, 30.6424793],
    ],
}


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def sysadmin(tree):
    return staff("system_admin", tree["district"], username="sysadmin")


@pytest.fixture
def admin_client(client, sysadmin):
    client.force_login(sysadmin)
    return client


@pytest.fixture
def holiday():
    """National Day 2026 as a holiday on a weekday, with the calendar cache emptied."""
    CalendarYear.objects.create(year=2026, source="test")
    day = CalendarDay.objects.create(date=NATIONAL_DAY, is_working_day=False, name="国庆节")
    calendar.invalidate()
    yield day
    calendar.invalidate()


def _audit(action):
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


def _square(lng, lat, size=0.002):
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# --- who gets in ----------------------------------------------------------------------------------


def test_system_admin_reaches_admin_index(admin_client):
    """A system admin sees the admin index with the units, core and territory models."""
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    apps = {app["app_label"]: sorted(m["object_name"] for m in app["models"]) for app in response.context["app_list"]}
    assert apps == {
        "cases": ["CommunityTopic"],
        "core": ["CalendarDay", "CalendarYear"],
        "organisations": ["Unit"],
        "registry": ["ValueAlias"],
        "territory": ["Area", "Building", "Compound"],
    }


DENIED = [
    ("community_worker", "c1"),
    ("district_officer", "district"),
    ("security_admin", "district"),
    ("auditor", "district"),
]


@pytest.mark.parametrize(("role", "node"), DENIED, ids=[r for r, _ in DENIED])
def test_other_roles_are_sent_to_the_workbench_login(client, tree, role, node):
    """Any other role is redirected to the admin login, which forwards to the workbench login page."""
    client.force_login(staff(role, tree[node]))
    first = client.get("/admin/")
    assert (first.status_code, first.url) == (302, "/admin/login/?next=/admin/")
    second = client.get(first.url)
    assert (second.status_code, second.url) == (302, "/accounts/login/?next=/admin/")


def test_superuser_flag_without_system_admin_role_is_refused(client):
    """Django's is_staff/is_superuser flags grant nothing: only the system-admin role opens the admin."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"
    assert client.get("/admin/core/calendarday/").status_code == 302


def test_anonymous_is_sent_to_the_workbench_login(client):
    """Anonymous visitors follow the same two redirects."""
    first = client.get("/admin/")
    assert (first.status_code, first.url) == (302, "/admin/login/?next=/admin/")
    assert client.get(first.url).url == "/accounts/login/?next=/admin/"


def test_workbench_login_redirect_keeps_the_whole_next_url(client):
    """The forwarded `next` keeps its own query string (it must be URL-encoded, not pasted raw)."""
    wanted = "/admin/core/calendarday/?is_working_day__exact=0&q=national"
    first = client.get("/admin/core/calendarday/", {"is_working_day__exact": "0", "q": "national"})
    assert parse_qs(urlsplit(first.url).query)["next"] == [wanted]
    second = client.get(first.url)
    assert urlsplit(second.url).path == "/accounts/login/"
    assert parse_qs(urlsplit(second.url).query) == {"next": [wanted]}


@pytest.mark.parametrize(("role", "node"), DENIED, ids=[r for r, _ in DENIED])
def test_other_roles_cannot_write_through_the_admin(client, tree, holiday, role, node):
    """Change, delete and boundary import by another role are redirected and change nothing."""
    client.force_login(staff(role, tree[node]))
    change = client.post(
        f"/admin/core/calendarday/{holiday.pk}/change/",
        {"date": "2026-10-01", "is_working_day": "on", "name": "改"},
    )
    delete = client.post(f"/admin/core/calendarday/{holiday.pk}/delete/", {"post": "yes"})
    upload = client.post(
        reverse("admin:territory_area_import_boundaries"),
        {"file": _geojson_file([(tree["m111"].code, _square(104.04, 30.64))]), "crs": "gcj02"},
    )
    assert [r.status_code for r in (change, delete, upload)] == [302, 302, 302]
    holiday.refresh_from_db()
    assert (holiday.is_working_day, holiday.name) == (False, "国庆节")
    assert Area.objects.get(pk=tree["m111"].pk).geometry is None
    assert AuditRecord.objects.count() == 0


# --- audited changes ------------------------------------------------------------------------------


def test_calendar_day_change_is_audited_with_before_and_after(admin_client, sysadmin, holiday):
    """Changing a calendar day through the admin form appends admin.change with both snapshots."""
    assert calendar.is_working_day(NATIONAL_DAY) is False
    response = admin_client.post(
        f"/admin/core/calendarday/{holiday.pk}/change/",
        {"date": "2026-10-01", "is_working_day": "on", "name": "国庆节（调整）"},
    )
    assert (response.status_code, response.url) == (302, "/admin/core/calendarday/")
    holiday.refresh_from_db()
    assert (holiday.is_working_day, holiday.name) == (True, "国庆节（调整）")
    [entry] = _audit("admin.change")
    assert (entry.actor_id, entry.actor_label, entry.object_type, entry.object_id) == (
        sysadmin.pk,
        "sysadmin",
        "core.calendarday",
        str(holiday.pk),
    )
    assert entry.before == {"id": holiday.pk, "date": "2026-10-01", "is_working_day": False, "name": "国庆节"}
    assert entry.after == {"id": holiday.pk, "date": "2026-10-01", "is_working_day": True, "name": "国庆节（调整）"}
    assert calendar.is_working_day(NATIONAL_DAY) is True


def test_calendar_day_add_is_audited(admin_client, sysadmin):
    """Adding a calendar day appends admin.add with no `before`."""
    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2026-10-10", "is_working_day": "on", "name": "调休上班"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 10))
    [entry] = _audit("admin.add")
    assert (entry.object_id, entry.before, entry.after) == (
        str(day.pk),
        None,
        {"id": day.pk, "date": "2026-10-10", "is_working_day": True, "name": "调休上班"},
    )


def _area_form(area, **changes):
    data = {
        "parent": str(area.parent_id),
        "level": area.level,
        "code": area.code,
        "name": area.name,
        "urban_rural_code": area.urban_rural_code,
        "center_lng": "",
        "center_lat": "",
        "center_crs": area.center_crs,
        "geometry": "",
        "geometry_crs": area.geometry_crs,
        "source": area.source,
        "responsible_name": area.responsible_name,
    }
    if area.is_official_code:
        data["is_official_code"] = "on"
    data.update(changes)
    return data


def test_area_change_is_audited_with_before_and_after(admin_client, sysadmin, tree):
    """Renaming a community and naming its head through the admin appends admin.change with both snapshots."""
    c1 = tree["c1"]
    response = admin_client.post(
        f"/admin/territory/area/{c1.pk}/change/",
        _area_form(c1, name="洗面桥社区居委会", responsible_name="张敏", center_lng="104.04", center_lat="30.64"),
    )
    assert (response.status_code, response.url) == (302, "/admin/territory/area/")
    c1.refresh_from_db()
    assert (c1.name, c1.responsible_name, c1.center_lng, c1.path) == (
        "洗面桥社区居委会",
        "张敏",
        104.04,
        "510100000000/510107000000/510107001000/510107001002/",
    )
    [entry] = _audit("admin.change")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.object_label) == (
        sysadmin.pk,
        "territory.area",
        str(c1.public_id),
        "洗面桥社区居委会",
    )
    common = {
        "id": c1.pk,
        "parent": tree["s1"].pk,
        "level": "community",
        "code": "510107001002",
        "is_official_code": True,
        "urban_rural_code": "",
        "center_crs": "gcj02",
        "geometry": None,
        "geometry_crs": "gcj02",
        "source": "manual",
    }
    assert entry.before == {
        **common,
        "name": "洗面桥社区",
        "responsible_name": "",
        "center_lng": None,
        "center_lat": None,
    }
    assert entry.after == {
        **common,
        "name": "洗面桥社区居委会",
        "responsible_name": "张敏",
        "center_lng": 104.04,
        "center_lat": 30.64,
    }


def test_delete_through_admin_is_audited(admin_client, sysadmin, holiday):
    """Deleting a calendar day from its page appends admin.delete with the deleted values."""
    response = admin_client.post(f"/admin/core/calendarday/{holiday.pk}/delete/", {"post": "yes"})
    assert (response.status_code, response.url) == (302, "/admin/core/calendarday/")
    assert not CalendarDay.objects.filter(pk=holiday.pk).exists()
    [entry] = _audit("admin.delete")
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.after) == (
        sysadmin.pk,
        "core.calendarday",
        str(holiday.pk),
        None,
    )
    assert entry.before == {"id": holiday.pk, "date": "2026-10-01", "is_working_day": False, "name": "国庆节"}
    assert calendar.is_working_day(NATIONAL_DAY) is True


def _bulk_delete(admin_client, days):
    return admin_client.post(
        "/admin/core/calendarday/",
        {"action": "delete_selected", "_selected_action": [str(d.pk) for d in days], "post": "yes"},
    )


def test_bulk_delete_action_audits_each_object(admin_client, sysadmin, holiday):
    """The "delete selected" action appends one admin.delete per deleted object."""
    other = CalendarDay.objects.create(date=dt.date(2026, 10, 2), is_working_day=False, name="国庆节")
    response = _bulk_delete(admin_client, [holiday, other])
    assert (response.status_code, response.url) == (302, "/admin/core/calendarday/")
    assert CalendarDay.objects.count() == 0
    assert sorted(e.object_id for e in _audit("admin.delete")) == sorted([str(holiday.pk), str(other.pk)])


def test_bulk_delete_action_refreshes_the_working_day_calendar(admin_client, holiday):
    """After the "delete selected" action the deleted holiday is an ordinary Thursday again (cache invalidated)."""
    assert calendar.is_working_day(NATIONAL_DAY) is False  # warms the cache
    _bulk_delete(admin_client, [holiday])
    assert not CalendarDay.objects.filter(date=NATIONAL_DAY).exists()
    assert calendar.is_working_day(NATIONAL_DAY) is True


# --- boundaries -----------------------------------------------------------------------------------


def _geojson_file(items, name="boundaries.geojson"):
    features = [{"type": "Feature", "properties": {"code": code}, "geometry": geometry} for code, geometry in items]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, body, content_type="application/geo+json")


def test_area_changelist_links_to_boundary_import(admin_client):
    """The area list offers the boundary import page."""
    response = admin_client.get("/admin/territory/area/")
    assert response.status_code == 200
    assert 'href="/admin/territory/area/import-boundaries/"' in response.content.decode()
    assert admin_client.get("/admin/territory/area/import-boundaries/").status_code == 200


def test_import_boundaries_attaches_geometry(admin_client, sysadmin, tree):
    """An uploaded FeatureCollection sets each matching area's polygon; unknown codes are reported; audited."""
    m111, m112 = _square(104.040, 30.640), _square(104.042, 30.640)
    upload = _geojson_file([(tree["m111"].code, m111), (tree["m112"].code, m112), ("510107001002-09-01", m111)])
    response = admin_client.post(reverse("admin:territory_area_import_boundaries"), {"file": upload, "crs": "gcj02"})
    assert (response.status_code, response.url) == (302, "/admin/territory/area/")
    for key, geometry, corner in (("m111", m111, (104.040, 30.640)), ("m112", m112, (104.042, 30.640))):
        area = Area.objects.get(pk=tree[key].pk)
        assert (area.geometry, area.geometry_crs) == (geometry, "gcj02")
        assert area.geometry_wgs84 == {"type": "Polygon", "coordinates": [WGS84_RING[corner]]}
    assert Area.objects.get(pk=tree["m121"].pk).geometry is None
    messages = [str(m) for m in admin_client.get("/admin/territory/area/").context["messages"]]
    assert messages == [
        "新建 0 条，更新 2 条，未变 0 条，错误 1 条",
        "第 3 个要素：区域代码“510107001002-09-01”不存在",
    ]
    [entry] = _audit("territory.boundaries_imported")
    assert (entry.actor_id, entry.after) == (
        sysadmin.pk,
        {
            "created": 0,
            "updated": 2,
            "unchanged": 0,
            "errors": 1,
            "created_codes": [],
            "updated_codes": ["510107001002-01-01", "510107001002-01-02"],
        },
    )


def test_import_boundaries_rejects_a_file_that_is_not_geojson(admin_client, tree):
    """A file that is not a FeatureCollection leaves the form on screen with an error; nothing changes."""
    upload = SimpleUploadedFile("x.geojson", b'{"type": "Feature"}', content_type="application/geo+json")
    response = admin_client.post(reverse("admin:territory_area_import_boundaries"), {"file": upload, "crs": "gcj02"})
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["导入失败：文件必须是 GeoJSON FeatureCollection"]
    assert Area.objects.filter(geometry__isnull=False).count() == 0
    assert _audit("territory.boundaries_imported") == []


def test_import_boundaries_refuses_overlapping_micro_grids(admin_client, tree):
    """Overlapping micro-grids leave the form on screen naming both areas of the pair; nothing changes."""
    upload = _geojson_file(
        [(tree["m111"].code, _square(104.040, 30.640)), (tree["m112"].code, _square(104.041, 30.641))]
    )
    response = admin_client.post(reverse("admin:territory_area_import_boundaries"), {"file": upload, "crs": "gcj02"})
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == "导入失败：边界互相重叠，未导入任何边界："
    assert messages[1].startswith(
        "510107001002-01-01 洗面桥社区1网格1微网格 与 510107001002-01-02 洗面桥社区1网格2微网格 "
    )
    assert len(messages) == 2
    assert Area.objects.filter(geometry__isnull=False).count() == 0
    assert _audit("territory.boundaries_imported") == []


def test_area_form_refuses_a_boundary_overlapping_another_micro_grid(admin_client, tree):
    """Editing a micro-grid's boundary in the admin applies the import's overlap rule: an overlap is a form
    error naming both areas; a boundary sharing an edge with its neighbour saves."""
    m111, m211 = tree["m111"], tree["m211"]
    placed = _square(104.0376, 30.6425)
    Area.objects.filter(pk=m211.pk).update(geometry=placed, geometry_crs="wgs84", geometry_wgs84=placed)
    url = f"/admin/territory/area/{m111.pk}/change/"
    response = admin_client.post(
        url, _area_form(m111, geometry=json.dumps(_square(104.0377, 30.6425)), geometry_crs="wgs84")
    )
    assert response.status_code == 200
    names = "510107001002-01-01 洗面桥社区1网格1微网格 与 510107005001-01-01 玉林社区1网格1微网格"
    assert response.context["adminform"].form.errors["geometry"] == [f"{names} 的边界重叠（约 40,243 平方米）"]
    assert Area.objects.get(pk=m111.pk).geometry is None

    response = admin_client.post(
        url, _area_form(m111, geometry=json.dumps(_square(104.0396, 30.6425)), geometry_crs="wgs84")
    )
    assert (response.status_code, response.url) == (302, "/admin/territory/area/")
    assert Area.objects.get(pk=m111.pk).geometry == _square(104.0396, 30.6425)


def test_export_action_returns_geojson_attachment(admin_client, tree):
    """Exporting a community returns its grid and micro-grid boundaries as a GeoJSON attachment."""
    g11, m111, m211 = _square(104.04, 30.64, 0.004), _square(104.04, 30.64), _square(104.05, 30.65)
    for key, geometry in (("g11", g11), ("m111", m111), ("m211", m211)):
        Area.objects.filter(pk=tree[key].pk).update(geometry=geometry, geometry_crs="gcj02")
    response = admin_client.post(
        "/admin/territory/area/", {"action": "export_boundaries", "_selected_action": [str(tree["c1"].pk)]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == 'attachment; filename="boundaries.geojson"'
    data = json.loads(response.content)
    assert data == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g11,
                "properties": {"code": "510107001002-01", "name": "洗面桥社区1网格", "level": "grid", "crs": "gcj02"},
            },
            {
                "type": "Feature",
                "geometry": m111,
                "properties": {
                    "code": "510107001002-01-01",
                    "name": "洗面桥社区1网格1微网格",
                    "level": "micro_grid",
                    "crs": "gcj02",
                },
            },
        ],
    }


# --- the admin form keeps the territory rules -----------------------------------------------------


def _area_state(area):
    return Area.objects.filter(pk=area.pk).values_list("parent_id", "code", "path", "geometry", "geometry_wgs84").get()


def _assert_refused(response, area, before):
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert _area_state(area) == before
    assert _audit("admin.change") == []


def test_area_admin_refuses_parent_at_wrong_level(admin_client, tree):
    """A micro-grid cannot be hung directly under a street (each level's parent is the level above)."""
    m111 = tree["m111"]
    before = _area_state(m111)
    response = admin_client.post(
        f"/admin/territory/area/{m111.pk}/change/", _area_form(m111, parent=str(tree["s1"].pk))
    )
    _assert_refused(response, m111, before)


def test_area_admin_refuses_malformed_code(admin_client, tree):
    """A micro-grid code must be `<grid code>-NN`; "xyz" is refused."""
    m111 = tree["m111"]
    before = _area_state(m111)
    response = admin_client.post(f"/admin/territory/area/{m111.pk}/change/", _area_form(m111, code="xyz"))
    _assert_refused(response, m111, before)


def test_area_admin_refuses_invalid_polygon(admin_client, tree):
    """A boundary that is not a valid polygon (two positions, not closed) is refused, as the import refuses it."""
    m111 = tree["m111"]
    before = _area_state(m111)
    broken = {"type": "Polygon", "coordinates": [[[104.04, 30.64], [104.05, 30.64]]]}
    response = admin_client.post(
        f"/admin/territory/area/{m111.pk}/change/", _area_form(m111, geometry=json.dumps(broken))
    )
    _assert_refused(response, m111, before)


def test_area_admin_geometry_change_updates_the_wgs84_copy(admin_client, tree):
    """Editing a boundary in the admin also refreshes the WGS-84 copy that the map and point lookup use."""
    m111 = tree["m111"]
    polygon = _square(104.04, 30.64)
    response = admin_client.post(
        f"/admin/territory/area/{m111.pk}/change/", _area_form(m111, geometry=json.dumps(polygon))
    )
    assert response.status_code == 302
    m111.refresh_from_db()
    assert (m111.geometry, m111.geometry_crs) == (polygon, "gcj02")
    assert m111.geometry_wgs84 == {"type": "Polygon", "coordinates": [WGS84_RING[(104.040, 30.640)]]}


def test_area_admin_audit_records_geometry_as_json(admin_client, tree):
    """The audit record's `after` holds the boundary as GeoJSON, not as a Python repr string."""
    m111 = tree["m111"]
    polygon = _square(104.04, 30.64)
    admin_client.post(f"/admin/territory/area/{m111.pk}/change/", _area_form(m111, geometry=json.dumps(polygon)))
    [entry] = _audit("admin.change")
    assert (entry.before["geometry"], entry.after["geometry"]) == (None, polygon)
