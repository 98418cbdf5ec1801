"""Tests for resolving points to the most specific containing polygon with ``PolygonIndex``.

These are pure unit tests: no Django settings, no database. Integer/half-integer coordinates are used
where exact boundary behaviour matters, so that shared edges and equal areas are exact in floating point.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from shequ.territory.spatial import PolygonIndex, brute_force_locate

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


def test_point_on_shared_edge_goes_to_the_polygon_given_first(grid: PolygonIndex) -> None:
    """On an edge shared by two equal squares, the earlier-given square wins, deterministically."""
    # (3, 2.5) lies on the edge between key 22 (cols 2..3) and key 23 (cols 3..4).
    assert grid.locate(3.0, 2.5) == 22
    # A horizontal edge: between key 25 (rows 2..3) and key 35 (rows 3..4).
    assert grid.locate(5.5, 3.0) == 25


def test_shared_edge_tie_follows_given_order_not_key_value() -> None:
    """The tie-break is the order the polygons were given in, so reversing the input flips the answer."""
    reversed_index = PolygonIndex(list(reversed(_grid_items())))
    assert reversed_index.locate(3.0, 2.5) == 23
    assert reversed_index.locate(5.5, 3.0) == 35


def test_shared_corner_goes_to_the_polygon_given_first(grid: PolygonIndex) -> None:
    """A vertex shared by four equal squares resolves to the first of them in input order."""
    assert grid.locate(4.0, 6.0) == 53


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
        # On the micro-grid's edge it still covers the point, and it is the smallest.
        assert index.locate(4.0, 3.5) == "micro"


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
    lngs = [3.0, 5.5, 4.0, 0.5, -1.0]
    lats = [2.5, 3.0, 6.0, 0.5, 0.5]
    assert grid.locate_many(lngs, lats) == [22, 25, 53, 0, None]


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
    """brute_force_locate accepts a plain list and applies smallest-area-then-first-given rules."""
    geoms = [shape(_square(0, 0, 4)), shape(_square(0, 0)), shape(_square(1, 0))]
    keys: list[Hashable] = ["big", "left", "right"]
    assert brute_force_locate(geoms, keys, 0.5, 0.5) == "left"
    assert brute_force_locate(geoms, keys, 1.0, 0.5) == "left"  # shared edge, equal areas: first given
    assert brute_force_locate(geoms, keys, 3.0, 3.0) == "big"
    assert brute_force_locate(geoms, keys, 5.0, 5.0) is None
