"""Tests for coordinate conversion between WGS-84, GCJ-02 and BD-09 and for boundary validation.

These are pure unit tests: no Django settings, no database.
"""

from __future__ import annotations

import copy
import enum
import itertools
import math

import numpy as np
import pytest

from shequ.territory.geo import (
    CRS,
    GeometryError,
    convert_coords,
    convert_geometry,
    convert_point,
    is_in_mainland_china,
    validate_geometry,
)

# A WGS-84 position in central Chengdu (near Tianfu Square).
CHENGDU = (104.06, 30.67)
# Tian'anmen input used by the README of the widely used coordtransform libraries, with their outputs.
BEIJING = (116.404, 39.915)
# London: far outside the GCJ-02 area.
LONDON = (-0.1246, 51.5007)

ALL_DIRECTIONS = list(itertools.permutations(list(CRS), 2))


def _square(x: float, y: float, size: float = 0.01) -> list[list[float]]:
    """Return a closed counter-clockwise square ring."""
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


# --- CRS -----------------------------------------------------------------------------------------------


def test_crs_members_have_lowercase_string_values() -> None:
    """CRS is a str enum whose values are the lowercase identifiers used in APIs and storage."""
    assert [member.value for member in CRS] == ["wgs84", "gcj02", "bd09"]
    assert CRS.GCJ02 == "gcj02"
    assert isinstance(CRS.GCJ02, str) and isinstance(CRS.GCJ02, enum.Enum)
    assert str(CRS.GCJ02) == "gcj02" and f"{CRS.BD09}" == "bd09"
    assert CRS("bd09") is CRS.BD09


def test_crs_accepts_strings_case_insensitively() -> None:
    """Conversions accept CRS members or their names in any case, with identical results."""
    assert convert_point(*CHENGDU, "WGS84", "Gcj02") == convert_point(*CHENGDU, CRS.WGS84, CRS.GCJ02)


def test_unknown_crs_raises_value_error() -> None:
    """An unknown reference system name is rejected with a ValueError listing the valid ones."""
    with pytest.raises(ValueError, match="Unknown coordinate reference system 'epsg:3857'.*wgs84"):
        convert_point(*CHENGDU, "epsg:3857", CRS.WGS84)


# --- published reference values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "dst", "expected"),
    [
        (CRS.WGS84, CRS.GCJ02, (116.41024449916938, 39.91640428150164)),
        (CRS.GCJ02, CRS.BD09, (116.41036949371029, 39.92133699351021)),
        (CRS.BD09, CRS.GCJ02, (116.39762729119315, 39.90865673957631)),
        (CRS.WGS84, CRS.BD09, (116.41662724378733, 39.922699552216216)),
    ],
)
def test_forward_formulas_match_published_reference_values(src: CRS, dst: CRS, expected: tuple[float, float]) -> None:
    """The closed-form conversions reproduce the coordtransform reference outputs for (116.404, 39.915)."""
    lng, lat = convert_point(*BEIJING, src, dst)
    assert lng == pytest.approx(expected[0], abs=1e-12)
    assert lat == pytest.approx(expected[1], abs=1e-12)


def test_gcj02_offset_in_chengdu_has_known_magnitude() -> None:
    """In Chengdu GCJ-02 lies about +0.0025 deg east and -0.0024 deg south of WGS-84 (a few hundred m)."""
    gcj_lng, gcj_lat = convert_point(*CHENGDU, CRS.WGS84, CRS.GCJ02)
    assert 0.0020 < gcj_lng - CHENGDU[0] < 0.0030
    assert -0.0030 < gcj_lat - CHENGDU[1] < -0.0020


def test_bd09_offset_in_chengdu_has_known_magnitude() -> None:
    """BD-09 adds roughly another +0.0065 deg lng / +0.006 deg lat on top of GCJ-02."""
    gcj = convert_point(*CHENGDU, CRS.WGS84, CRS.GCJ02)
    bd = convert_point(*CHENGDU, CRS.WGS84, CRS.BD09)
    assert 0.005 < bd[0] - gcj[0] < 0.008
    assert 0.004 < bd[1] - gcj[1] < 0.008


# --- round trips ---------------------------------------------------------------------------------------


def test_wgs84_gcj02_round_trip_in_chengdu_is_exact_to_1e6() -> None:
    """WGS-84 -> GCJ-02 -> WGS-84 returns the Chengdu point to within 1e-6 degrees."""
    back = convert_point(*convert_point(*CHENGDU, CRS.WGS84, CRS.GCJ02), CRS.GCJ02, CRS.WGS84)
    assert abs(back[0] - CHENGDU[0]) < 1e-6
    assert abs(back[1] - CHENGDU[1]) < 1e-6


def test_gcj02_to_wgs84_is_iterative_not_one_step() -> None:
    """The GCJ-02 inverse converges below 1e-7 degrees, which the one-step approximation cannot reach."""
    gcj = convert_point(*CHENGDU, CRS.WGS84, CRS.GCJ02)
    back = convert_point(*gcj, CRS.GCJ02, CRS.WGS84)
    assert max(abs(back[0] - CHENGDU[0]), abs(back[1] - CHENGDU[1])) < 1e-7

    # The popular approximation subtracts the offset evaluated at the GCJ-02 point itself.
    shifted = convert_point(*gcj, CRS.WGS84, CRS.GCJ02)
    one_step = (2 * gcj[0] - shifted[0], 2 * gcj[1] - shifted[1])
    assert max(abs(one_step[0] - CHENGDU[0]), abs(one_step[1] - CHENGDU[1])) > 1e-7


def test_gcj02_bd09_round_trip_in_chengdu() -> None:
    """GCJ-02 -> BD-09 -> GCJ-02 returns the point to within 5e-6 degrees (Baidu's inverse is approximate)."""
    gcj = CHENGDU
    back = convert_point(*convert_point(*gcj, CRS.GCJ02, CRS.BD09), CRS.BD09, CRS.GCJ02)
    assert abs(back[0] - gcj[0]) < 5e-6
    assert abs(back[1] - gcj[1]) < 5e-6


@pytest.mark.parametrize(("src", "dst"), ALL_DIRECTIONS)
def test_every_direction_round_trips_across_china(src: CRS, dst: CRS) -> None:
    """Each of the six conversions followed by its reverse returns points across China within 5e-6 deg."""
    rng = np.random.default_rng(20240601)
    lngs = rng.uniform(75.0, 134.0, 500)
    lats = rng.uniform(18.0, 53.0, 500)
    there = convert_coords(lngs, lats, src, dst)
    back = convert_coords(*there, dst, src)
    # Only BD-09 -> GCJ-02 uses an approximate (published) inverse; everything else is ~1e-10 exact.
    tolerance = 5e-6 if CRS.BD09 in (src, dst) else 1e-8
    assert np.max(np.abs(back[0] - lngs)) < tolerance
    assert np.max(np.abs(back[1] - lats)) < tolerance


@pytest.mark.parametrize("crs", list(CRS))
def test_same_system_is_identity(crs: CRS) -> None:
    """Converting to the same system returns the input unchanged."""
    assert convert_point(*CHENGDU, crs, crs) == CHENGDU


# --- outside China -------------------------------------------------------------------------------------


def test_point_outside_china_is_not_shifted_by_gcj02() -> None:
    """GCJ-02 only applies inside mainland China: London is unchanged in both directions."""
    assert not is_in_mainland_china(*LONDON)
    assert convert_point(*LONDON, CRS.WGS84, CRS.GCJ02) == LONDON
    assert convert_point(*LONDON, CRS.GCJ02, CRS.WGS84) == LONDON


def test_china_bounding_box_edges() -> None:
    """The mainland box is lng 72.004..137.8347, lat 0.8293..55.8271, inclusive."""
    assert is_in_mainland_china(72.004, 0.8293)
    assert is_in_mainland_china(137.8347, 55.8271)
    assert not is_in_mainland_china(72.0039, 30.0)
    assert not is_in_mainland_china(104.0, 55.8272)


def test_vectorised_outside_points_are_not_shifted() -> None:
    """convert_coords leaves points outside China unchanged while shifting those inside."""
    lngs, lats = convert_coords([LONDON[0], CHENGDU[0]], [LONDON[1], CHENGDU[1]], "wgs84", "gcj02")
    assert (lngs[0], lats[0]) == LONDON
    assert (lngs[1], lats[1]) != CHENGDU


# --- vectorised vs scalar ------------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst"), ALL_DIRECTIONS)
def test_vectorised_matches_scalar(src: CRS, dst: CRS) -> None:
    """convert_coords gives the same results as convert_point for points inside and outside China."""
    rng = np.random.default_rng(7)
    lngs = np.concatenate([rng.uniform(73.0, 135.0, 200), rng.uniform(-170.0, 60.0, 50)])
    lats = np.concatenate([rng.uniform(18.0, 53.0, 200), rng.uniform(-60.0, 80.0, 50)])
    vec_lngs, vec_lats = convert_coords(lngs, lats, src, dst)
    for i in range(lngs.size):
        lng, lat = convert_point(lngs[i], lats[i], src, dst)
        assert vec_lngs[i] == pytest.approx(lng, abs=1e-9)
        assert vec_lats[i] == pytest.approx(lat, abs=1e-9)


@pytest.mark.parametrize(("src", "dst"), ALL_DIRECTIONS)
def test_a_position_converts_to_the_same_bits_whatever_shares_its_array(src: CRS, dst: CRS) -> None:
    """Converting a position alone, in a small ring or among thousands gives bit-identical results (the
    GCJ-02 inverse stops per position), so a vertex shared by two boundaries stays shared after conversion."""
    rng = np.random.default_rng(3)
    lngs = np.round(rng.uniform(103.9, 104.2, 5000), 7)
    lats = np.round(rng.uniform(30.5, 30.8, 5000), 7)
    all_lngs, all_lats = convert_coords(lngs, lats, src, dst)
    for start in range(0, 5000, 250):
        few_lngs, few_lats = convert_coords(lngs[start : start + 5], lats[start : start + 5], src, dst)
        assert np.array_equal(few_lngs, all_lngs[start : start + 5])
        assert np.array_equal(few_lats, all_lats[start : start + 5])
        one_lng, one_lat = convert_coords(lngs[start : start + 1], lats[start : start + 1], src, dst)
        assert (one_lng[0], one_lat[0]) == (all_lngs[start], all_lats[start])


def test_convert_coords_does_not_modify_inputs_and_checks_shapes() -> None:
    """convert_coords returns new arrays, leaves its inputs alone and rejects mismatched lengths."""
    lngs = np.array([104.06, 104.07])
    lats = np.array([30.67, 30.68])
    original = (lngs.copy(), lats.copy())
    out_lngs, _ = convert_coords(lngs, lats, CRS.GCJ02, CRS.WGS84)
    assert np.array_equal(lngs, original[0]) and np.array_equal(lats, original[1])
    assert out_lngs is not lngs
    same_lngs, _ = convert_coords(lngs, lats, CRS.WGS84, CRS.WGS84)
    assert same_lngs is not lngs
    with pytest.raises(ValueError, match="same shape"):
        convert_coords([1.0, 2.0], [1.0], CRS.WGS84, CRS.GCJ02)


def test_convert_coords_handles_empty_arrays() -> None:
    """Empty input arrays produce empty output arrays for every direction."""
    for src, dst in ALL_DIRECTIONS:
        lngs, lats = convert_coords(np.empty(0), np.empty(0), src, dst)
        assert lngs.size == 0 and lats.size == 0


# --- GeoJSON geometries --------------------------------------------------------------------------------


def _expected_position(lng: float, lat: float, src: CRS, dst: CRS) -> list[float]:
    """Return convert_point's answer rounded like convert_geometry's output."""
    new_lng, new_lat = convert_point(lng, lat, src, dst)
    return [round(new_lng, 7), round(new_lat, 7)]


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [104.06, 30.67]},
        {"type": "MultiPoint", "coordinates": [[104.06, 30.67], [104.07, 30.68]]},
        {"type": "LineString", "coordinates": [[104.06, 30.67], [104.07, 30.68], [104.08, 30.66]]},
        {"type": "Polygon", "coordinates": [_square(104.0, 30.6, 0.1), _square(104.02, 30.62, 0.01)]},
        {"type": "MultiPolygon", "coordinates": [[_square(104.0, 30.6)], [_square(104.1, 30.7)]]},
    ],
    ids=lambda g: g["type"],
)
def test_convert_geometry_preserves_structure_and_converts_each_position(geometry: dict) -> None:
    """convert_geometry keeps the type and nesting and converts every position like convert_point."""
    original = copy.deepcopy(geometry)
    result = convert_geometry(geometry, CRS.WGS84, CRS.GCJ02)

    assert geometry == original  # input untouched
    assert result is not geometry
    assert result["type"] == geometry["type"]

    def walk(src_node: list, dst_node: list) -> None:
        if isinstance(src_node[0], float):
            assert dst_node == _expected_position(src_node[0], src_node[1], CRS.WGS84, CRS.GCJ02)
            return
        assert len(src_node) == len(dst_node)
        for a, b in zip(src_node, dst_node, strict=True):
            walk(a, b)

    walk(geometry["coordinates"], result["coordinates"])


def test_convert_geometry_rounds_to_seven_decimals_and_keeps_altitude() -> None:
    """Output coordinates have at most 7 decimals; a third (altitude) value passes through unchanged."""
    result = convert_geometry({"type": "Point", "coordinates": [104.06, 30.67, 512.5]}, "wgs84", "bd09")
    lng, lat, alt = result["coordinates"]
    assert lng == round(lng, 7) and lat == round(lat, 7)
    assert alt == 512.5


def test_convert_geometry_polygon_ring_stays_closed() -> None:
    """A closed ring stays closed after conversion because equal positions convert identically."""
    result = convert_geometry({"type": "Polygon", "coordinates": [_square(104.0, 30.6)]}, "gcj02", "wgs84")
    ring = result["coordinates"][0]
    assert ring[0] == ring[-1]


def test_convert_geometry_same_system_returns_rounded_copy() -> None:
    """Converting to the same system yields an equal, independent copy rounded to 7 decimals."""
    geometry = {"type": "LineString", "coordinates": [[104.123456789, 30.5], [104.2, 30.6]]}
    result = convert_geometry(geometry, CRS.GCJ02, CRS.GCJ02)
    assert result == {"type": "LineString", "coordinates": [[104.1234568, 30.5], [104.2, 30.6]]}
    assert result["coordinates"] is not geometry["coordinates"]


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "GeometryCollection", "geometries": []},
        {"type": "MultiLineString", "coordinates": [[[104.0, 30.0], [104.1, 30.1]]]},
        {"type": "Feature", "geometry": None, "properties": {}},
        {"coordinates": [104.0, 30.0]},
    ],
)
def test_convert_geometry_rejects_unsupported_types(geometry: dict) -> None:
    """Unsupported GeoJSON types raise ValueError naming the type and the supported ones."""
    with pytest.raises(ValueError, match="Unsupported GeoJSON geometry type.*supported types: Point"):
        convert_geometry(geometry, CRS.WGS84, CRS.GCJ02)


def test_convert_geometry_rejects_malformed_positions() -> None:
    """A position that is not [lng, lat] raises ValueError instead of producing garbage."""
    with pytest.raises(ValueError, match="Invalid GeoJSON position"):
        convert_geometry({"type": "LineString", "coordinates": [[104.0], [104.1, 30.1]]}, "wgs84", "gcj02")


# --- validation ----------------------------------------------------------------------------------------


def test_validate_accepts_polygon_with_hole_and_returns_it() -> None:
    """A valid Polygon (with a hole) is returned as the very same object."""
    geometry = {"type": "Polygon", "coordinates": [_square(104.0, 30.6, 0.1), _square(104.02, 30.62, 0.01)]}
    assert validate_geometry(geometry) is geometry


def test_validate_accepts_multipolygon() -> None:
    """A valid MultiPolygon of two disjoint squares is accepted."""
    geometry = {"type": "MultiPolygon", "coordinates": [[_square(104.0, 30.6)], [_square(104.1, 30.7)]]}
    assert validate_geometry(geometry) is geometry


def test_geometry_error_is_a_value_error() -> None:
    """GeometryError subclasses ValueError so generic handlers still catch it."""
    assert issubclass(GeometryError, ValueError)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [104.0, 30.6]},
        {"type": "LineString", "coordinates": [[104.0, 30.6], [104.1, 30.7]]},
        {"coordinates": [_square(104.0, 30.6)]},
        None,
        "POLYGON ((0 0, 1 0, 1 1, 0 0))",
    ],
)
def test_validate_rejects_non_polygonal_input(geometry: object) -> None:
    """Anything other than a Polygon/MultiPolygon dict is rejected with the Chinese type message."""
    with pytest.raises(GeometryError, match="^边界必须是 Polygon 或 MultiPolygon$"):
        validate_geometry(geometry)


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ([180.5, 30.0], "坐标超出范围：经度 180.5 不在 -180 到 180 之间"),
        ([-181.0, 30.0], "坐标超出范围：经度 -181.0 不在 -180 到 180 之间"),
        ([104.0, 90.1], "坐标超出范围：纬度 90.1 不在 -90 到 90 之间"),
        ([104.0, -95.0], "坐标超出范围：纬度 -95.0 不在 -90 到 90 之间"),
    ],
)
def test_validate_rejects_out_of_range_coordinates(position: list[float], message: str) -> None:
    """Longitudes outside [-180, 180] or latitudes outside [-90, 90] are reported in Chinese."""
    ring = [[104.0, 30.0], position, [104.1, 30.1], [104.0, 30.0]]
    with pytest.raises(GeometryError, match=f"^{message}$"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


def test_validate_accepts_boundary_coordinate_values() -> None:
    """The range limits themselves (lng +-180, lat +-90) are allowed."""
    ring = [[-180.0, -90.0], [180.0, -90.0], [180.0, 90.0], [-180.0, 90.0], [-180.0, -90.0]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    assert validate_geometry(geometry) is geometry


def test_validate_rejects_unclosed_ring() -> None:
    """A ring whose first and last positions differ is rejected as not closed."""
    ring = _square(104.0, 30.6)[:-1] + [[104.0, 30.6005]]
    with pytest.raises(GeometryError, match="多边形的环必须闭合"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


def test_validate_rejects_unclosed_hole_in_multipolygon() -> None:
    """Closure is checked for every ring, including holes inside a MultiPolygon."""
    hole = _square(104.02, 30.62, 0.01)[:-1]
    geometry = {"type": "MultiPolygon", "coordinates": [[_square(104.0, 30.6, 0.1), hole]]}
    with pytest.raises(GeometryError, match="多边形的环必须闭合"):
        validate_geometry(geometry)


def test_validate_rejects_ring_with_too_few_positions() -> None:
    """A ring needs at least 4 positions (a closed triangle); 3 are rejected."""
    ring = [[104.0, 30.6], [104.1, 30.6], [104.0, 30.6]]
    with pytest.raises(GeometryError, match="多边形的环至少需要 4 个坐标点（首尾相同），当前只有 3 个"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


@pytest.mark.parametrize(
    "coordinates",
    [[], [[]], [[[104.0, "30.6"], [104.1, 30.6], [104.1, 30.7], [104.0, 30.6]]]],
    ids=["no-rings", "empty-ring", "string-coordinate"],
)
def test_validate_rejects_malformed_coordinates(coordinates: list) -> None:
    """Structurally broken coordinates are rejected with a Chinese format message."""
    with pytest.raises(GeometryError, match="坐标格式无效|至少需要 4 个坐标点"):
        validate_geometry({"type": "Polygon", "coordinates": coordinates})


def test_validate_rejects_non_finite_coordinates() -> None:
    """NaN or infinite coordinates are rejected rather than silently passing the range check."""
    ring = [[104.0, 30.6], [math.nan, 30.6], [104.1, 30.7], [104.0, 30.6]]
    with pytest.raises(GeometryError, match="必须是有限的数字"):
        validate_geometry({"type": "Polygon", "coordinates": [ring]})


def test_validate_rejects_self_intersecting_bowtie() -> None:
    """A figure-eight polygon is invalid; shapely's explanation is included in the Chinese message."""
    bowtie = [[104.0, 30.6], [104.1, 30.7], [104.1, 30.6], [104.0, 30.7], [104.0, 30.6]]
    with pytest.raises(GeometryError, match=r"^边界多边形无效：Self-intersection\["):
        validate_geometry({"type": "Polygon", "coordinates": [bowtie]})


def test_validate_rejects_hole_outside_shell() -> None:
    """A hole lying outside its exterior ring makes the polygon invalid."""
    geometry = {"type": "Polygon", "coordinates": [_square(104.0, 30.6), _square(105.0, 31.0)]}
    with pytest.raises(GeometryError, match="^边界多边形无效：Hole lies outside shell"):
        validate_geometry(geometry)


def test_validate_rejects_overlapping_multipolygon_parts() -> None:
    """MultiPolygon parts that overlap are invalid by OGC rules."""
    geometry = {"type": "MultiPolygon", "coordinates": [[_square(104.0, 30.6)], [_square(104.005, 30.6)]]}
    with pytest.raises(GeometryError, match="^边界多边形无效："):
        validate_geometry(geometry)
