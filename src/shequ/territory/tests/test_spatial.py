"""Tests for resolving points to the most specific containing polygon with ``PolygonIndex``.

These are pure unit tests: no Django settings, no database. Integer/half-integer coordinates are used
where exact boundary behaviour matters, so that shared edges and equal areas are exact in floating point.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from shequ.territory.spatial import PolygonIndex, brute_force_locate, find_overlaps

GRID_SIZE = 10


def _square(x: float, y: float, size: float = 1.0) -> dict:
    """Return a GeoJSON Polygon for the axis-aligned square with lower-left corner (x, y)."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _grid_items() -> list[tuple[int, dict]]:
    """Return a 10x10 grid of unit squares keyed ``row * 10 + col``, given in key order."""
    return [(row * GRID_SIZE + col, _square(col, row)) for row in range(GRID_SIZE) for col in range(GRID_SIZE)]


@pytest.fixture
def grid() -> PolygonIndex:
    """Index the 10x10 unit-square grid covering [0, 10] x [0, 10]."""
    return PolygonIndex(_grid_items())


def test_len_counts_indexed_polygons(grid: PolygonIndex) -> None:
    """len() is the number of polygons given to the index."""
    assert len(grid) == GRID_SIZE * GRID_SIZE
    assert len(PolygonIndex([])) == 0


@pytest.mark.parametrize(
    ("lng", "lat", "expected"),
    [(0.5, 0.5, 0), (2.5, 3.5, 32), (9.99, 9.99, 99), (7.25, 0.1, 7)],
)
def test_point_inside_a_square_resolves_to_it(grid: PolygonIndex, lng: float, lat: float, expected: int) -> None:
    """A point strictly inside one square returns that square's key."""
    assert grid.locate(lng, lat) == expected


@pytest.mark.parametrize(("lng", "lat"), [(-0.5, 5.0), (10.5, 5.0), (5.0, -0.001), (5.0, 10.001), (50.0, 50.0)])
def test_point_outside_all_polygons_returns_none(grid: PolygonIndex, lng: float, lat: float) -> None:
    """A point covered by no polygon returns None."""
    assert grid.locate(lng, lat) is None


def test_point_on_outer_boundary_counts_as_covered(grid: PolygonIndex) -> None:
    """Boundaries belong to the polygon (covers semantics), so the grid's outer edge is still inside."""
    assert grid.locate(0.0, 5.5) == 50
    assert grid.locate(10.0, 10.0) == 99


def test_point_on_shared_edge_goes_to_the_eastern_or_northern_square(grid: PolygonIndex) -> None:
    """On an edge shared by two squares the eastern one wins; on an east-west edge, the northern one."""
    # (3, 2.5) lies on the edge between key 22 (cols 2..3) and key 23 (cols 3..4).
    assert grid.locate(3.0, 2.5) == 23
    # A horizontal edge: between key 25 (rows 2..3) and key 35 (rows 3..4).
    assert grid.locate(5.5, 3.0) == 35


def test_shared_corner_goes_to_the_square_north_east_of_it(grid: PolygonIndex) -> None:
    """A vertex shared by four squares resolves to the one whose south-west corner it is."""
    assert grid.locate(4.0, 6.0) == 64


def test_point_on_the_east_outline_where_two_squares_meet_goes_to_the_smaller_key(grid: PolygonIndex) -> None:
    """Nobody lies east of the grid's east edge, so both squares on it qualify and the smaller key wins."""
    assert grid.locate(10.0, 5.0) == 49
    assert grid.locate(5.0, 10.0) == 94


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_edge_and_corner_answers_do_not_depend_on_the_order_given(grid: PolygonIndex, seed: int) -> None:
    """Shuffling the input, or giving it reversed, changes no answer on edges, corners or the outline."""
    points = [(3.0, 2.5), (5.5, 3.0), (4.0, 6.0), (10.0, 5.0), (0.0, 0.0), (10.0, 10.0), (0.0, 7.0), (7.0, 0.0)]
    expected = [grid.locate(lng, lat) for lng, lat in points]
    items = _grid_items()
    order = np.random.default_rng(seed).permutation(len(items)) if seed else range(len(items) - 1, -1, -1)
    shuffled = PolygonIndex([items[i] for i in order])
    assert [shuffled.locate(lng, lat) for lng, lat in points] == expected == [23, 35, 64, 49, 0, 99, 70, 7]
    assert shuffled.locate_many(*zip(*points, strict=True)) == expected


def _jittered_tiling(rng: np.random.Generator, size: int = 8) -> tuple[list[tuple[int, dict]], np.ndarray]:
    """Return ``size * size`` jittered quadrilaterals sharing their corners, and the corner lattice."""
    jj, ii = np.meshgrid(np.arange(size + 1), np.arange(size + 1))
    xs = np.round(104.0 + (jj + rng.uniform(-0.3, 0.3, jj.shape)) * 0.0013, 7)
    ys = np.round(30.6 + (ii + rng.uniform(-0.3, 0.3, ii.shape)) * 0.0011, 7)
    items = []
    for i in range(size):
        for j in range(size):
            corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
            ring = [[float(xs[a, b]), float(ys[a, b])] for a, b in corners]
            items.append((i * size + j, {"type": "Polygon", "coordinates": [ring]}))
    return items, np.stack([xs, ys], axis=-1)


def test_a_shared_corner_of_a_jittered_tiling_goes_to_the_cell_just_east_of_it() -> None:
    """On a jittered tiling (slanted edges, 7-decimal coordinates like stored micro-grids), every interior
    vertex resolves to the cell holding the point a hair east and a far smaller hair north of it."""
    items, lattice = _jittered_tiling(np.random.default_rng(7))
    vertices = lattice[1:-1, 1:-1].reshape(-1, 2)
    geoms = np.array([shape(geometry) for _, geometry in items], dtype=object)
    nudged = shapely.points(vertices[:, 0] + 1e-9, vertices[:, 1] + 1e-13)
    expected = [items[int(np.flatnonzero(shapely.contains(geoms, point))[0])][0] for point in nudged]
    assert PolygonIndex(items).locate_many(vertices[:, 0], vertices[:, 1]) == expected


def test_answers_inside_a_tiling_do_not_depend_on_input_order_or_key_values() -> None:
    """Vertices, points on (or within a rounding of) shared edges and random points inside a jittered tiling
    resolve to the same cell in any input order and under any renaming of the keys: inside a tiling exactly
    one cell claims each point, so the last tie-break (by key) never decides."""
    rng = np.random.default_rng(11)
    items, lattice = _jittered_tiling(rng)
    corners = lattice[1:-1, 1:-1].reshape(-1, 2)
    north_ends = lattice[2:, 1:-1].reshape(-1, 2)
    east_ends = lattice[1:-1, 2:].reshape(-1, 2)
    on_edges = [corners + (end - corners) * rng.uniform(0, 1, (len(corners), 1)) for end in (north_ends, east_ends)]
    lng_lo, lng_hi = lattice[:, 1, 0].max(), lattice[:, -2, 0].min()
    lat_lo, lat_hi = lattice[1, :, 1].max(), lattice[-2, :, 1].min()
    inside = np.column_stack([rng.uniform(lng_lo, lng_hi, 200), rng.uniform(lat_lo, lat_hi, 200)])
    points = np.concatenate([corners, *on_edges, inside])

    reference = PolygonIndex(items).locate_many(points[:, 0], points[:, 1])
    assert None not in reference
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(items))
        new_key = np.random.default_rng(seed + 10).permutation(len(items)).tolist()
        old_key = {new: old for old, new in enumerate(new_key)}
        index = PolygonIndex([(new_key[items[i][0]], items[i][1]) for i in order])
        assert [old_key[k] for k in index.locate_many(points[:, 0], points[:, 1])] == reference
        assert [old_key[index.locate(x, y)] for x, y in points.tolist()] == reference


def test_nested_polygons_smallest_wins_regardless_of_order() -> None:
    """With a community containing a grid containing a micro-grid, the smallest covering polygon wins."""
    community = ("community", _square(0, 0, 8))
    grid_unit = ("grid", _square(2, 2, 4))
    micro = ("micro", _square(3, 3, 1))
    for items in (
        [community, grid_unit, micro],
        [micro, grid_unit, community],
        [grid_unit, micro, community],
    ):
        index = PolygonIndex(items)
        assert index.locate(3.5, 3.5) == "micro"
        assert index.locate(5.0, 5.0) == "grid"
        assert index.locate(7.0, 1.0) == "community"
        assert index.locate(9.0, 9.0) is None
        # The micro-grid owns its west edge; east of its east edge lies the grid alone.
        assert index.locate(3.0, 3.5) == "micro"
        assert index.locate(4.0, 3.5) == "grid"


def test_point_in_hole_is_not_covered_by_the_holed_polygon() -> None:
    """A polygon does not cover points in its holes; another polygon filling the hole is found instead."""
    holed = {
        "type": "Polygon",
        "coordinates": [_square(0, 0, 9)["coordinates"][0], _square(3, 3, 3)["coordinates"][0]],
    }
    index = PolygonIndex([(1, holed)])
    assert index.locate(4.5, 4.5) is None
    assert index.locate(1.0, 1.0) == 1
    assert index.locate(3.0, 4.5) == 1  # the hole's boundary is part of the polygon

    filled = PolygonIndex([(1, holed), (2, _square(0, 0, 20))])
    assert filled.locate(4.5, 4.5) == 2
    assert filled.locate(1.0, 1.0) == 1

    # A polygon filling the hole exactly shares the hole's edges, and the eastern side wins them too.
    plugged = PolygonIndex([(1, holed), (2, _square(3, 3, 3))])
    assert plugged.locate(3.0, 4.5) == 2
    assert plugged.locate(6.0, 4.5) == 1
    assert plugged.locate(4.5, 3.0) == 2
    assert plugged.locate(4.5, 6.0) == 1


def test_multipolygon_parts_all_resolve_to_the_same_key() -> None:
    """Every part of a MultiPolygon maps to its single key, and its area is the sum of its parts."""
    multi = {
        "type": "MultiPolygon",
        "coordinates": [_square(0, 0)["coordinates"], _square(5, 5)["coordinates"]],
    }
    index = PolygonIndex([("m", multi), ("big", _square(4, 4, 3))])
    assert index.locate(0.5, 0.5) == "m"
    # Inside "big" (area 9) and the second part of "m" (total area 2): "m" is smaller.
    assert index.locate(5.5, 5.5) == "m"
    assert index.locate(4.5, 4.5) == "big"


def test_keys_can_be_any_hashable() -> None:
    """Keys are returned as given, whatever hashable type they are."""
    index = PolygonIndex([((1, "a"), _square(0, 0)), (frozenset({2}), _square(1, 0)), (None, _square(2, 0))])
    assert index.locate(0.5, 0.5) == (1, "a")
    assert index.locate(1.5, 0.5) == frozenset({2})
    assert index.keys == [(1, "a"), frozenset({2}), None]


def test_accepts_shapely_geometries_and_3d_positions() -> None:
    """Shapely polygons are accepted as-is, and GeoJSON altitude values are ignored."""
    ring_3d = [[0, 0, 10], [1, 0, 10], [1, 1, 10], [0, 1, 10], [0, 0, 10]]
    index = PolygonIndex([(1, shapely.box(5, 5, 6, 6)), (2, {"type": "Polygon", "coordinates": [ring_3d]})])
    assert index.locate(5.5, 5.5) == 1
    assert index.locate(0.5, 0.5) == 2


def test_empty_polygons_cover_nothing() -> None:
    """Polygons/MultiPolygons without coordinates are indexed but never match."""
    index = PolygonIndex(
        [
            (1, {"type": "MultiPolygon", "coordinates": []}),
            (2, {"type": "Polygon", "coordinates": []}),
            (3, _square(0, 0)),
        ]
    )
    assert len(index) == 3
    assert index.locate(0.5, 0.5) == 3
    assert index.locate_many([0.5, 5.0], [0.5, 5.0]) == [3, None]
    assert PolygonIndex([(1, {"type": "MultiPolygon", "coordinates": []})]).locate(0.0, 0.0) is None


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [0.0, 0.0]},
        {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]},
        "not a geometry",
        shapely.Point(0, 0),
    ],
    ids=["point", "linestring", "string", "shapely-point"],
)
def test_non_polygonal_geometry_is_rejected(geometry: object) -> None:
    """Only Polygon/MultiPolygon geometries can be indexed; others raise ValueError naming the key."""
    with pytest.raises(ValueError, match="key 7"):
        PolygonIndex([(1, _square(0, 0)), (7, geometry)])


def test_unbuildable_ring_names_the_offending_key() -> None:
    """A ring shapely cannot build (fewer than 4 positions) raises ValueError naming its key."""
    bad = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}
    with pytest.raises(ValueError, match="key 'bad' is not a valid polygon"):
        PolygonIndex([("good", _square(0, 0)), ("bad", bad)])


def test_empty_index_locates_nothing() -> None:
    """An empty index returns None for locate and a list of None for locate_many."""
    index = PolygonIndex([])
    assert index.locate(1.0, 1.0) is None
    assert index.locate_many([1.0, 2.0], [1.0, 2.0]) == [None, None]
    assert index.locate_many([], []) == []


def test_locate_many_rejects_mismatched_lengths(grid: PolygonIndex) -> None:
    """locate_many needs as many latitudes as longitudes."""
    with pytest.raises(ValueError, match="same length"):
        grid.locate_many([1.0, 2.0], [1.0])


def test_locate_many_on_grid_edges_matches_locate(grid: PolygonIndex) -> None:
    """locate_many applies the same edge and corner tie-breaks as locate."""
    lngs = [3.0, 5.5, 4.0, 0.5, -1.0, 10.0]
    lats = [2.5, 3.0, 6.0, 0.5, 0.5, 5.0]
    assert grid.locate_many(lngs, lats) == [23, 35, 64, 0, None, 49]


def _random_scene(rng: np.random.Generator) -> list[tuple[int, dict]]:
    """Return the unit grid plus overlapping random rectangles, nested squares and a MultiPolygon."""
    items = _grid_items()
    key = 1000
    for _ in range(60):
        # Half-unit corners and sizes make rectangle edges coincide exactly with grid edges.
        x, y = rng.integers(-2, 20, 2) / 2
        w, h = rng.integers(1, 10, 2) / 2
        ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
        items.append((key, {"type": "Polygon", "coordinates": [[[float(a), float(b)] for a, b in ring]]}))
        key += 1
    items.append((key, _square(2.25, 2.25, 0.5)))
    items.append(
        (
            key + 1,
            {
                "type": "MultiPolygon",
                "coordinates": [_square(6, 6, 0.5)["coordinates"], _square(8, 1, 0.5)["coordinates"]],
            },
        )
    )
    # Shuffle so the tie-break order is unrelated to key values.
    order = rng.permutation(len(items))
    return [items[i] for i in order]


def test_locate_many_equals_locate_and_brute_force_on_random_points() -> None:
    """For 1,000 seeded random points (a third on the half-unit lattice, hitting edges and corners, some
    outside), locate_many, locate and brute_force_locate all return identical keys."""
    rng = np.random.default_rng(12345)
    items = _random_scene(rng)
    index = PolygonIndex(items)

    n = 1000
    lngs = rng.uniform(-1.0, 11.0, n)
    lats = rng.uniform(-1.0, 11.0, n)
    on_lattice = rng.random(n) < 1 / 3
    lngs[on_lattice] = rng.integers(-2, 23, on_lattice.sum()) / 2
    lats[on_lattice] = rng.integers(-2, 23, on_lattice.sum()) / 2

    keys = [key for key, _ in items]
    geoms = np.array([shape(geometry) for _, geometry in items], dtype=object)

    bulk = index.locate_many(lngs, lats)
    single = [index.locate(lng, lat) for lng, lat in zip(lngs, lats, strict=True)]
    brute = [brute_force_locate(geoms, keys, lng, lat) for lng, lat in zip(lngs, lats, strict=True)]

    assert bulk == single == brute
    # The scene must exercise all the interesting cases, otherwise the equality above proves little.
    assert sum(key is None for key in bulk) > 10
    assert len({key for key in bulk if key is not None}) > 50


def test_brute_force_locate_semantics_on_lists() -> None:
    """brute_force_locate accepts a plain list and applies the same rules as PolygonIndex.locate."""
    geoms = [shape(_square(0, 0, 4)), shape(_square(0, 0)), shape(_square(1, 0))]
    keys: list[Hashable] = ["big", "left", "right"]
    assert brute_force_locate(geoms, keys, 0.5, 0.5) == "left"
    assert brute_force_locate(geoms, keys, 1.0, 0.5) == "right"  # shared edge: the eastern square
    assert brute_force_locate(geoms, keys, 3.0, 3.0) == "big"
    assert brute_force_locate(geoms, keys, 5.0, 5.0) is None


# --- find_overlaps ---------------------------------------------------------------------------------------


def _polygon(*points: tuple[float, float]) -> dict:
    """Return a GeoJSON Polygon through ``points`` (closed automatically)."""
    return {"type": "Polygon", "coordinates": [[list(p) for p in (*points, points[0])]]}


def _pairs(items: list[tuple[Hashable, dict]], **kwargs: object) -> list[tuple[Hashable, Hashable]]:
    return [(o.first, o.second) for o in find_overlaps(items, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("other", "overlaps"),
    [
        (_square(1, 0), False),  # shares the east edge
        (_square(1, 1), False),  # shares the north-east corner only
        (_square(0.5, 1), False),  # shares part of the north edge
        (_square(2, 0), False),  # apart
        (_square(0.5, 0.5), True),  # edges cross
        (_polygon((1.5, 0.2), (0.9, 0.5), (1.5, 0.8)), True),  # a vertex pokes strictly inside
        (_polygon((1.0, 0.2), (0.9, 0.5), (1.0, 0.8)), True),  # a sliver just inside, along the shared line
        (_square(0.25, 0.25, 0.5), True),  # inside
        (_square(-1, -1, 3), True),  # contains it
        (_square(0, 0), True),  # the same square
        (_polygon((0, 0), (1, 0), (0, 1)), True),  # a triangle sharing two edges and its interior
        (_polygon((1, 0), (2, 0), (1, 1)), False),  # a triangle sharing an edge from outside
    ],
)
def test_find_overlaps_is_interiors_intersecting(other: dict, overlaps: bool) -> None:
    """Polygons overlap when their interiors meet; touching along an edge or at a corner does not count."""
    assert _pairs([("a", _square(0, 0)), ("b", other)]) == ([("a", "b")] if overlaps else [])
    assert _pairs([("b", other), ("a", _square(0, 0))]) == ([("b", "a")] if overlaps else [])


def test_find_overlaps_sees_holes_and_multipolygon_parts() -> None:
    """A polygon inside another's hole does not overlap it; a MultiPolygon overlaps through any part."""
    holed = {"type": "Polygon", "coordinates": [_square(0, 0, 9)["coordinates"][0], _square(3, 3, 3)["coordinates"][0]]}
    multi = {"type": "MultiPolygon", "coordinates": [_square(20, 20)["coordinates"], _square(5.5, 5.5)["coordinates"]]}
    assert _pairs([("holed", holed), ("plug", _square(3, 3, 3))]) == []
    assert _pairs([("holed", holed), ("in-hole", _square(4, 4))]) == []
    assert _pairs([("holed", holed), ("multi", multi)]) == [("holed", "multi")]


def test_find_overlaps_reports_each_pair_once_in_input_order_with_its_area() -> None:
    """Every overlapping pair comes once, (given first, given later), ordered by position; the shared area is
    approximated in square metres from lng/lat degrees."""
    d = 0.001  # about 96 m x 111 m at Chengdu
    items = [
        ("c", _square(104.0 + d / 2, 30.6, d)),
        ("a", _square(104.0, 30.6, d)),
        ("b", _square(104.0 + d, 30.6, d)),
        ("far", _square(105.0, 31.0, d)),
    ]
    overlaps = find_overlaps(items)
    assert [(o.first, o.second) for o in overlaps] == [("c", "a"), ("c", "b")]
    expected_m2 = (d / 2) * d * 110_574.0 * 111_320.0 * math.cos(math.radians(30.6 + d / 2))
    assert [round(o.area_m2, 3) for o in overlaps] == [round(expected_m2, 3)] * 2


def test_find_overlaps_among_checks_only_pairs_with_those_keys() -> None:
    """With ``among``, pairs of two other polygons are not reported (they were checked before)."""
    items = [("old1", _square(0, 0)), ("old2", _square(0.5, 0)), ("new", _square(0.5, 0.5)), ("x", _square(9, 9))]
    assert _pairs(items) == [("old1", "old2"), ("old1", "new"), ("old2", "new")]
    assert _pairs(items, among={"new"}) == [("old1", "new"), ("old2", "new")]
    assert _pairs(items, among={"x"}) == []
    assert _pairs(items, among=set()) == []
    assert _pairs([]) == [] and _pairs([("only", _square(0, 0))]) == []


def test_find_overlaps_finds_none_in_a_large_tiling_and_the_one_planted() -> None:
    """A jittered 100 x 100 tiling sharing every edge has no overlap; a cell moved east overlaps its neighbours
    there, and only pairs with that cell are reported."""
    items, _lattice = _jittered_tiling(np.random.default_rng(3), size=100)
    assert find_overlaps(items) == []
    ring = items[5050][1]["coordinates"][0]
    items[5050] = (5050, {"type": "Polygon", "coordinates": [[[x + 0.0002, y] for x, y in ring]]})
    pairs = _pairs(items)
    assert (5050, 5051) in pairs and (5049, 5050) not in pairs
    assert all(5050 in pair for pair in pairs)
    assert _pairs(items, among={5050}) == pairs
