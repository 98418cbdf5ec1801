"""Division import, boundary import/export, point lookup."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from shequ.core.actors import COMMAND_LINE
from shequ.core.tests.shared_data import SHARED_DATA
from shequ.territory import services
from shequ.territory.divisions import parse_divisions
from shequ.territory.geo import convert_point
from shequ.territory.models import Area
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db

FIXTURE = Path(services.__file__).parent / "fixtures" / "wuhou_510107_2016.csv"
SHARED = SHARED_DATA / "divisions"


def test_import_fixture_is_idempotent(capsys):
    """The shipped 武侯区 fixture imports 147 areas; a second run changes nothing."""
    call_command("import_divisions", str(FIXTURE))
    assert "created 147, updated 0, unchanged 0, errors 0" in capsys.readouterr().out
    call_command("import_divisions", str(FIXTURE))
    assert "created 0, updated 0, unchanged 147, errors 0" in capsys.readouterr().out
    assert Area.objects.filter(level="street").count() == 17
    assert Area.objects.filter(level="community").count() == 128
    yulin = Area.objects.get(name__startswith="玉林街道")
    assert yulin.path == "510100000000/510107000000/510107005000/"


def test_import_reports_updates():
    """A renamed division is updated, and reported as such."""
    records = list(parse_divisions(FIXTURE))
    services.divisions_import(actor=COMMAND_LINE, records=records)
    Area.objects.filter(code="510107005000").update(name="旧名")
    report = services.divisions_import(actor=COMMAND_LINE, records=records)
    assert report.updated == ["510107005000"]
    assert Area.objects.get(code="510107005000").name.startswith("玉林")


def test_import_2022_streets_under_imported_districts():
    """The 2022 street list attaches streets to districts that exist and reports the rest as errors."""
    services.divisions_import(actor=COMMAND_LINE, records=list(parse_divisions(FIXTURE)))
    streets = list(parse_divisions(SHARED / "chengdu_streets_2022.csv"))
    report = services.divisions_import(actor=COMMAND_LINE, records=streets)
    created_wuhou = [c for c in report.created if c.startswith("510107")]
    assert len(created_wuhou) == 15 - len([c for c in report.skipped + report.updated if c.startswith("510107")])
    assert all(not c.startswith("510107") for c in [e.split(" ")[0] for e in report.errors])
    assert report.errors  # streets of districts not imported


def _square(lng, lat, d=0.001):
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]],
    }


def test_boundaries_import_export_roundtrip(tmp_path, capsys):
    """GeoJSON boundaries import by code from the CLI, convert to WGS-84 for lookup, and export back."""
    t = make_tree()
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": t["m111"].code}, "geometry": _square(104.05, 30.64)},
            {"type": "Feature", "properties": {"code": "nope"}, "geometry": _square(104.06, 30.64)},
            {
                "type": "Feature",
                "properties": {"code": t["m112"].code},
                "geometry": {"type": "Polygon", "coordinates": [[[104.0, 30.0], [104.1, 30.0]]]},
            },
        ],
    }
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    call_command("import_boundaries", str(path), "--crs", "gcj02")
    captured = capsys.readouterr()
    assert "updated 1, unchanged 0, errors 2" in captured.out
    assert "“nope”不存在" in captured.err
    m = Area.objects.get(pk=t["m111"].pk)
    assert m.geometry_crs == "gcj02" and m.geometry_wgs84 is not None
    out = tmp_path / "out.geojson"
    call_command("export_boundaries", "--root", t["c1"].code, "--output", str(out))
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in exported["features"]] == [t["m111"].code]
    assert exported["features"][0]["geometry"] == m.geometry


def test_locate_point_in_micro_grid(client):
    """A GCJ-02 point inside a micro-grid polygon resolves to it; the API answers 404 outside scope."""
    from shequ.accounts.tests.factories import staff

    t = make_tree()
    services.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": t["m111"].code},
                    "geometry": _square(104.05, 30.64),
                },
                {
                    "type": "Feature",
                    "properties": {"code": t["m211"].code},
                    "geometry": _square(104.06, 30.64),
                },
            ],
        },
        crs="gcj02",
    )
    services.micro_grid_index(force=True)
    lng, lat = convert_point(104.0505, 30.6405, "gcj02", "wgs84")
    assert services.locate_micro_grid(lng, lat).code == t["m111"].code
    assert services.locate_micro_grid(104.0505, 30.6405, crs="gcj02").code == t["m111"].code
    assert services.locate_micro_grid(100.0, 20.0) is None
    client.force_login(staff("community_worker", t["c1"]))
    ok = client.get("/api/v1/locate/", {"lng": 104.0505, "lat": 30.6405, "crs": "gcj02"})
    assert ok.status_code == 200 and ok.json()["code"] == t["m111"].code
    assert client.get("/api/v1/locate/", {"lng": 104.0605, "lat": 30.6405, "crs": "gcj02"}).status_code == 404
    assert client.get("/api/v1/locate/", {"lng": "x", "lat": 30}).status_code == 400


def test_building_model_refuses_micro_grid_of_another_community():
    """Form validation (the admin included) keeps a building inside its compound's community."""
    from django.core.exceptions import ValidationError

    t = make_tree()
    t["b1"].micro_grid = t["m211"]
    with pytest.raises(ValidationError, match="微网格必须属于该小区所在社区"):
        t["b1"].full_clean()
    t["b1"].micro_grid = t["g11"]
    with pytest.raises(ValidationError, match="只能分配到微网格"):
        t["b1"].full_clean()


# --- overlapping boundaries ----------------------------------------------------------------------------


def _collection(*features):
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": a.code}, "geometry": g} for a, g in features],
    }


def _stored_boundaries():
    return dict(Area.objects.filter(geometry__isnull=False).values_list("code", "geometry"))


def test_import_refuses_overlapping_micro_grids_naming_both_and_imports_nothing(tmp_path):
    """Two micro-grids whose polygons overlap refuse the whole file from the CLI: the message names both
    (code and name) with the overlap's size, no boundary is written (not even the fine ones), no audit."""
    from shequ.core.models import AuditRecord

    t = make_tree()
    fc = _collection(
        (t["m111"], _square(104.050, 30.640)),
        (t["m112"], _square(104.0505, 30.6405)),  # a quarter of m111
        (t["m121"], _square(104.060, 30.640)),
    )
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_boundaries", str(path), "--crs", "wgs84")
    lines = str(refused.value).splitlines()
    assert lines[0] == "边界互相重叠，未导入任何边界："
    assert len(lines) == 2
    assert lines[1].startswith(
        "510107001002-01-01 洗面桥社区1网格1微网格 与 510107001002-01-02 洗面桥社区1网格2微网格 "
    )
    area = re.fullmatch(r".* 的边界重叠（约 (\d),(\d{3}) 平方米）", lines[1])
    assert area and 2_500 < int(area[1] + area[2]) < 2_800  # ~48 m x 56 m
    assert _stored_boundaries() == {}
    assert not AuditRecord.objects.filter(action="territory.boundaries_imported").exists()


def test_import_checks_micro_grids_city_wide_against_stored_ones_it_does_not_replace():
    """A micro-grid may not overlap a stored micro-grid of another community; replacing that one's boundary in
    the same import frees the place. Shared edges are fine."""
    t = make_tree()
    services.boundaries_import(
        actor=COMMAND_LINE, collection=_collection((t["m211"], _square(104.050, 30.640))), crs="wgs84"
    )

    with pytest.raises(ValidationError) as refused:
        services.boundaries_import(
            actor=COMMAND_LINE, collection=_collection((t["m111"], _square(104.0502, 30.640))), crs="wgs84"
        )
    assert refused.value.messages[1].startswith(
        "510107001002-01-01 洗面桥社区1网格1微网格 与 510107005001-01-01 玉林社区1网格1微网格"
    )
    assert _stored_boundaries() == {t["m211"].code: _square(104.050, 30.640)}

    report = services.boundaries_import(
        actor=COMMAND_LINE,
        collection=_collection(
            (t["m111"], _square(104.0502, 30.640)),
            (t["m211"], _square(104.0512, 30.640)),  # moved east: shares m111's east edge
            (t["m112"], _square(104.0502, 30.641)),  # north of m111: shares its north edge
        ),
        crs="wgs84",
    )
    assert (report.updated, report.errors) == ([t["m111"].code, t["m211"].code, t["m112"].code], [])


def test_import_checks_other_levels_against_siblings_only():
    """Two grids of one community may not overlap; grids of different communities, and a micro-grid inside
    its grid, are not compared."""
    t = make_tree()
    with pytest.raises(ValidationError) as refused:
        services.boundaries_import(
            actor=COMMAND_LINE,
            collection=_collection((t["g11"], _square(104.05, 30.64, 0.01)), (t["g12"], _square(104.055, 30.64, 0.01))),
            crs="wgs84",
        )
    assert refused.value.messages[1].startswith("510107001002-01 洗面桥社区1网格 与 510107001002-02 洗面桥社区2网格")
    report = services.boundaries_import(
        actor=COMMAND_LINE,
        collection=_collection(
            (t["g11"], _square(104.05, 30.64, 0.01)),
            (t["g21"], _square(104.055, 30.64, 0.01)),
            (t["m111"], _square(104.05, 30.64)),
        ),
        crs="wgs84",
    )
    assert len(report.updated) == 3


def test_overlap_list_is_capped_with_a_count_of_the_rest():
    """At most 20 overlaps are listed; one more line counts the others."""
    t = make_tree()
    overlaps = [services.BoundaryOverlap(t["m111"], t["m112"], 0.004)] * 23
    lines = services.overlap_messages(overlaps)
    assert len(lines) == 21
    m111, m112 = "510107001002-01-01 洗面桥社区1网格1微网格", "510107001002-01-02 洗面桥社区1网格2微网格"
    assert lines[0] == f"{m111} 与 {m112} 的边界重叠（约 0.004 平方米）"
    assert lines[-1] == "另有 3 处重叠未列出"


@pytest.mark.parametrize("reverse", [False, True])
def test_point_on_a_shared_edge_resolves_to_the_eastern_micro_grid_every_time(reverse):
    """A point exactly on the edge between two micro-grids goes to the eastern one (on an east-west edge, the
    northern one) whichever order the areas were created and imported in; swapping the polygons swaps the
    answer, so it is the geometry that decides, not the code or the row order."""
    t = make_tree()
    extra = [
        Area.objects.create(parent=t["g12"], level="micro_grid", code=f"{t['g12'].code}-{n:02d}", name=f"新{n}")
        for n in ((4, 3) if reverse else (3, 4))
    ]
    west, east, north = sorted(extra, key=lambda a: a.code) + [t["m111"]]
    features = [(west, _square(104.050, 30.640)), (east, _square(104.051, 30.640)), (north, _square(104.051, 30.641))]
    services.boundaries_import(
        actor=COMMAND_LINE, collection=_collection(*(features[::-1] if reverse else features)), crs="wgs84"
    )
    services.micro_grid_index(force=True)
    for _ in range(3):
        assert services.locate_micro_grid(104.051, 30.6405) == east
        assert services.locate_micro_grid(104.0515, 30.641) == north
        assert services.locate_micro_grid(104.051, 30.641) == north  # the corner: north-east of it is `north`
        assert services.locate_micro_grid(104.0505, 30.6405) == west

    services.boundaries_import(
        actor=COMMAND_LINE,
        collection=_collection((west, _square(104.051, 30.640)), (east, _square(104.050, 30.640))),
        crs="wgs84",
    )
    services.micro_grid_index(force=True)
    assert services.locate_micro_grid(104.051, 30.6405) == west


def test_the_import_command_acts_as_the_command_line_and_the_audit_page_says_so(client):
    """`import_divisions` records its import as the system job "cli"; the auditor's page shows 命令行."""
    from django.urls import reverse

    from shequ.accounts.tests.factories import staff
    from shequ.core.models import AuditRecord

    call_command("import_divisions", str(FIXTURE))
    record = AuditRecord.objects.get(action="territory.divisions_imported")
    assert (record.actor_kind, record.actor_ref, record.actor_label) == ("system", "cli", "job:cli")
    assert record.actor_id is None
    client.force_login(staff("auditor", Area.objects.get(code="510107000000")))
    body = client.get(reverse("core:audit_list"), {"action": "territory.divisions_imported"}).content.decode()
    assert "<td>命令行</td>" in body and "job:cli" not in body


def test_no_other_job_and_no_visitor_maintains_the_territory():
    """Of all jobs only the command line and the demo loader import; another job or a visitor is refused."""
    from shequ.core.actors import SYSTEM, system_job
    from shequ.core.errors import PermissionDenied
    from shequ.core.models import AuditRecord

    t = make_tree()
    records = list(parse_divisions(FIXTURE))[:3]
    before = Area.objects.count()
    for actor in (SYSTEM, system_job("test.some_sweep", "某个后台任务"), None):
        with pytest.raises(PermissionDenied):
            services.divisions_import(actor=actor, records=records)
        with pytest.raises(PermissionDenied):
            services.boundaries_import(actor=actor, collection=_collection((t["m111"], _square(104.05, 30.64))))
        with pytest.raises(PermissionDenied):
            services.building_assign_micro_grid(actor=actor, building=t["b1"], micro_grid=t["m112"])
    assert Area.objects.count() == before and not AuditRecord.objects.exists()
    t["b1"].refresh_from_db()
    assert t["b1"].micro_grid_id == t["m111"].pk
