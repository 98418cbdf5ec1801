"""Resolve map points to the territory polygon that contains them, fast enough for 100,000+ polygons.

Residents and grid workers report issues by tapping a map; the platform has to turn that bare point into
the most specific territory unit (community, grid, micro-grid) whose boundary contains it. A linear scan
over every boundary is far too slow at city scale, so ``PolygonIndex`` keeps the boundaries in a shapely
``STRtree`` (a packed R-tree) and only runs exact point-in-polygon tests against the handful of polygons
whose bounding boxes contain the point.

A point on an edge shared by two polygons must resolve the same way every time, whatever order the
polygons were loaded in, so ties are settled by geometry (``PolygonIndex`` documents the rule), and
``find_overlaps`` lets an import refuse polygons that overlap, since a point inside two overlapping
micro-grids has no right answer.

All geometries and points are WGS-84 longitude/latitude; convert GCJ-02/BD-09 input with
``shequ.territory.geo`` first. This module is pure Python (numpy and shapely only).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely import GeometryType
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = ["Overlap", "PolygonIndex", "brute_force_locate", "find_overlaps"]

_POLYGONAL_TYPES = ("Polygon", "MultiPolygon")


def _polygon_parts(key: Hashable, geometry: dict[str, Any]) -> list[Any]:
    """Return the list of polygons (each a list of rings) making up a GeoJSON Polygon/MultiPolygon."""
    if not isinstance(geometry, dict):
        raise ValueError(f"Geometry for key {key!r} must be a GeoJSON dict, got {type(geometry).__name__}")
    geom_type = geometry.get("type")
    if geom_type not in _POLYGONAL_TYPES:
        raise ValueError(f"Geometry for key {key!r} must be a Polygon or MultiPolygon, got {geom_type!r}")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list | tuple):
        raise ValueError(f"Geometry for key {key!r} has no valid 'coordinates' array")
    return [coordinates] if geom_type == "Polygon" else list(coordinates)


def _explain_build_failure(keys: Sequence[Hashable], geometries: Sequence[Any]) -> ValueError:
    """Return an error naming the first geometry that shapely cannot build, after a bulk build failed."""
    for key, geometry in zip(keys, geometries, strict=True):
        if isinstance(geometry, BaseGeometry):
            continue
        try:
            shape(geometry)
        except (ValueError, TypeError, IndexError, ShapelyError) as exc:
            return ValueError(f"Geometry for key {key!r} is not a valid polygon: {exc}")
    return ValueError("Could not build polygons from the GeoJSON coordinates")


def _geojson_to_shapely(keys: Sequence[Hashable], geometries: Sequence[Any]) -> np.ndarray:
    """Convert GeoJSON polygon dicts (or shapely polygons) to an object array of shapely geometries.

    Building one shapely object per dict with ``shape()`` dominates index construction at 100k polygons,
    so all rings are flattened into one coordinate buffer and created by a single vectorised GEOS call;
    multipolygons are then assembled from their parts, again in bulk.
    """
    result = np.empty(len(geometries), dtype=object)
    positions: list[Sequence[float]] = []
    ring_offsets = [0]
    part_offsets = [0]
    part_owner: list[int] = []
    is_multi = np.zeros(len(geometries), dtype=bool)
    is_geojson = np.zeros(len(geometries), dtype=bool)

    for i, (key, geometry) in enumerate(zip(keys, geometries, strict=True)):
        if isinstance(geometry, BaseGeometry):
            if geometry.geom_type not in _POLYGONAL_TYPES:
                raise ValueError(
                    f"Geometry for key {key!r} must be a Polygon or MultiPolygon, got {geometry.geom_type!r}"
                )
            result[i] = geometry
            continue
        is_geojson[i] = True
        parts = _polygon_parts(key, geometry)
        is_multi[i] = geometry["type"] == "MultiPolygon"
        for rings in parts:
            for ring in rings:
                positions.extend(ring)
                ring_offsets.append(len(positions))
            part_offsets.append(len(ring_offsets) - 1)
            part_owner.append(i)

    if not part_owner:
        # Only shapely inputs or MultiPolygons without parts: fill remaining slots with empty geometries.
        result[is_geojson] = shapely.from_wkt("MULTIPOLYGON EMPTY")
        return result

    try:
        try:
            xy = np.asarray(positions, dtype=np.float64)
        except ValueError:
            xy = np.empty(0)  # a mix of 2D and 3D positions is not rectangular
        if not positions:
            xy = np.empty((0, 2))  # only empty polygons; asarray([]) would be 1-D
        elif xy.ndim != 2 or xy.shape[1] != 2:
            # Altitude is irrelevant to point-in-polygon tests, so keep only lng/lat.
            xy = np.asarray([p[:2] for p in positions], dtype=np.float64)
        parts = shapely.from_ragged_array(
            GeometryType.POLYGON,
            xy,
            (np.asarray(ring_offsets, dtype=np.int64), np.asarray(part_offsets, dtype=np.int64)),
        )
    except (ValueError, TypeError, IndexError, ShapelyError) as exc:
        raise _explain_build_failure(keys, geometries) from exc

    owner = np.asarray(part_owner, dtype=np.int64)
    single = ~is_multi[owner]
    result[owner[single]] = parts[single]
    if (~single).any():
        shapely.multipolygons(parts[~single], indices=owner[~single], out=result)
    # A MultiPolygon with an empty coordinate list owns no part; give it an empty geometry, not None.
    missing = is_geojson & shapely.is_missing(result)
    if missing.any():
        result[missing] = shapely.from_wkt("MULTIPOLYGON EMPTY")
    return result


def _hold_nudged_points(geoms: np.ndarray, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Report for each polygon whether it holds its point moved an infinitesimal step east (then north).

    This is the crossing-number test with half-open conventions: an edge counts when the point's latitude
    lies in [south end, north end) and the edge passes strictly east of the point. Every edge is evaluated
    from its southern end, so two polygons sharing an edge compute bit-identical crossings and exactly one
    of them holds a point lying on it (the eastern one; on an east-west edge, the northern one). Holes and
    MultiPolygon parts simply add their edges to the count.
    """
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = coord_ring[1:] == coord_ring[:-1]
    start, end = coords[:-1][same_ring], coords[1:][same_ring]
    owner = part_owner[ring_part[coord_ring[:-1][same_ring]]]
    lng, lat = lngs[owner], lats[owner]
    flip = start[:, 1] > end[:, 1]
    south = np.where(flip[:, None], end, start)
    north = np.where(flip[:, None], start, end)
    # Horizontal edges never span a latitude, which also keeps the division below away from zero.
    spans = (south[:, 1] <= lat) & (lat < north[:, 1])
    s, n, lng, lat, owner = south[spans], north[spans], lng[spans], lat[spans], owner[spans]
    crossing_lng = s[:, 0] + (lat - s[:, 1]) * (n[:, 0] - s[:, 0]) / (n[:, 1] - s[:, 1])
    return np.bincount(owner[lng < crossing_lng], minlength=len(geoms)) % 2 == 1


def _winners(
    geoms: np.ndarray,
    areas: np.ndarray,
    keys: Sequence[Hashable],
    hits: tuple[np.ndarray, np.ndarray],
    lngs: np.ndarray,
    lats: np.ndarray,
) -> np.ndarray:
    """Return the winning polygon position per point (-1 for none), given (point, polygon) covering hits.

    Implements the rule documented on ``PolygonIndex``, vectorised: a point covered once (nearly every
    point of a tiling) needs no tie-break at all.
    """
    best = np.full(lngs.size, -1, dtype=np.int64)
    order = np.lexsort((hits[1], hits[0]))
    point_idx, poly_idx = hits[0][order], hits[1][order]
    alone = np.bincount(point_idx, minlength=lngs.size)[point_idx] == 1
    best[point_idx[alone]] = poly_idx[alone]
    pt, pg = point_idx[~alone], poly_idx[~alone]
    if pt.size == 0:
        return best

    claims = shapely.within(shapely.points(lngs[pt], lats[pt]), geoms[pg])
    on_edge = ~claims
    claims[on_edge] = _hold_nudged_points(geoms[pg[on_edge]], lngs[pt[on_edge]], lats[pt[on_edge]])
    # A point nobody claims (on the east or north outline) falls back to every polygon covering it.
    claimed = np.bincount(pt[claims], minlength=lngs.size) > 0
    eligible = claims | ~claimed[pt]
    pt, pg = pt[eligible], pg[eligible]

    area = areas[pg]
    order = np.lexsort((pg, area, pt))
    pt, pg, area = pt[order], pg[order], area[order]
    first = np.diff(pt, prepend=-1) != 0
    best[pt[first]] = pg[first]
    group = np.cumsum(first) - 1
    smallest = area == area[first][group]
    for g in np.flatnonzero(np.bincount(group[smallest]) > 1).tolist():
        tied = pg[(group == g) & smallest].tolist()
        try:
            best[pt[first][g]] = min(tied, key=lambda i: keys[i])
        except TypeError:  # keys that cannot be compared, such as None and a tuple: the earliest given
            best[pt[first][g]] = tied[0]
    return best


class PolygonIndex:
    """Find the most specific polygon covering a point among many polygons, using an R-tree.

    A polygon *covers* a point inside it or on its boundary. When several polygons cover a point (shared
    edges and corners, nested units such as a micro-grid inside a community), the winner is chosen so that
    the answer never depends on the order the polygons were given in:

    1. Polygons that *claim* the point come first. A polygon claims a point in its interior, and a point on
       its boundary when it holds the point moved an infinitesimal step east (and a far smaller step north,
       which only matters on east-west edges): on an edge shared by two neighbours the eastern one wins, on
       an east-west edge the northern one, at a shared corner the one lying due east of it (just north of
       due east when an edge runs due east from the corner). A point on the east or north outline of the
       covered area, which nobody claims, goes to the polygons whose boundary it lies on.
    2. Among those, the smallest area wins: the most specific unit. Areas are compared in square degrees,
       which is fine because all candidates contain the same point and so share the same local distortion.
    3. Equal areas: the smallest key; only keys that cannot be compared fall back to the order given.
    """

    def __init__(self, items: Iterable[tuple[Hashable, dict[str, Any] | BaseGeometry]]) -> None:
        """Index ``(key, geometry)`` pairs; geometries are WGS-84 GeoJSON Polygon/MultiPolygon dicts.

        Shapely Polygon/MultiPolygon objects are accepted too. Keys may be any hashable (usually codes);
        comparable keys make the last tie-break independent of the order given.
        """
        pairs = list(items)
        self._keys: list[Hashable] = [key for key, _ in pairs]
        self._geoms: np.ndarray = _geojson_to_shapely(self._keys, [geometry for _, geometry in pairs])
        self._areas: np.ndarray = shapely.area(self._geoms) if len(pairs) else np.empty(0)
        self._tree = shapely.STRtree(self._geoms)

    def __len__(self) -> int:
        """Return the number of indexed polygons."""
        return len(self._keys)

    @property
    def keys(self) -> list[Hashable]:
        """Return the indexed keys in the order they were given."""
        return list(self._keys)

    @property
    def geometries(self) -> np.ndarray:
        """Return the indexed shapely geometries, aligned with ``keys``."""
        return self._geoms

    def locate(self, lng: float, lat: float) -> Hashable | None:
        """Return the key of the polygon that wins ``(lng, lat)`` (see the class docstring), or ``None``."""
        candidates = self._tree.query(shapely.points(lng, lat), predicate="covered_by")
        if candidates.size == 0:
            return None
        if candidates.size == 1:
            return self._keys[int(candidates[0])]
        hits = (np.zeros(candidates.size, dtype=np.int64), candidates)
        best = _winners(self._geoms, self._areas, self._keys, hits, np.array([lng], float), np.array([lat], float))
        return self._keys[int(best[0])]

    def locate_many(
        self, lngs: np.ndarray | Sequence[float], lats: np.ndarray | Sequence[float]
    ) -> list[Hashable | None]:
        """Return ``locate`` for many points at once, using one bulk R-tree query.

        The result is a list aligned with the inputs, ``None`` where no polygon covers the point.
        """
        lng_arr = np.asarray(lngs, dtype=np.float64).ravel()
        lat_arr = np.asarray(lats, dtype=np.float64).ravel()
        if lng_arr.shape != lat_arr.shape:
            raise ValueError(f"lngs and lats must have the same length, got {lng_arr.size} and {lat_arr.size}")
        if lng_arr.size == 0:
            return []
        hits = self._tree.query(shapely.points(lng_arr, lat_arr), predicate="covered_by")
        best = _winners(self._geoms, self._areas, self._keys, (hits[0], hits[1]), lng_arr, lat_arr)
        keys = self._keys
        return [None if i < 0 else keys[i] for i in best.tolist()]


def brute_force_locate(
    geoms: Sequence[BaseGeometry] | np.ndarray,
    keys: Sequence[Hashable],
    lng: float,
    lat: float,
) -> Hashable | None:
    """Locate a point by testing every polygon; the baseline ``PolygonIndex`` is benchmarked against.

    Same semantics as ``PolygonIndex.locate`` (the tie-break rule is documented there). The scan is one
    vectorised ``shapely.covers`` call over all geometries (the fastest honest brute force); pass an object
    ndarray, ideally ``shapely.prepare``-d, to avoid per-call conversion.
    """
    geom_arr = geoms if isinstance(geoms, np.ndarray) else np.asarray(geoms, dtype=object)
    hits = np.flatnonzero(shapely.covers(geom_arr, shapely.points(lng, lat)))
    if hits.size == 0:
        return None
    hit_geoms = geom_arr[hits]
    hit_keys = [keys[i] for i in hits.tolist()]
    pairs = (np.zeros(hits.size, dtype=np.int64), np.arange(hits.size))
    best = _winners(hit_geoms, shapely.area(hit_geoms), hit_keys, pairs, np.array([lng], float), np.array([lat], float))
    return hit_keys[int(best[0])]


# --- overlaps --------------------------------------------------------------------------------------------

# Metres per degree of latitude, and of longitude at the equator (WGS-84 mean values, good to ~1 %).
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LNG = 111_320.0


@dataclass(frozen=True)
class Overlap:
    """Two polygons whose interiors share points, and roughly how much (square metres, WGS-84 input)."""

    first: Hashable
    second: Hashable
    area_m2: float


def _area_m2(geom: BaseGeometry) -> float:
    """Return the approximate area in square metres of a small lng/lat geometry."""
    if geom.is_empty:
        return 0.0
    lat = geom.centroid.y
    return float(geom.area) * _M_PER_DEG_LAT * _M_PER_DEG_LNG * math.cos(math.radians(lat))


def find_overlaps(
    items: Iterable[tuple[Hashable, dict[str, Any] | BaseGeometry]],
    *,
    among: Collection[Hashable] | None = None,
) -> list[Overlap]:
    """Return every pair of polygons whose interiors intersect, in the order the polygons were given.

    Touching along an edge or at a vertex is not an overlap (neighbouring micro-grids share edges); edges
    crossing, a vertex strictly inside the other polygon, one polygon containing the other, and equal
    polygons are. A polygon lying in another's hole does not overlap it. The test is GEOS's exact DE-9IM
    predicate (interior/interior intersection, ``T********``); an STRtree narrows the pairs to those whose
    bounding boxes meet, so ten thousand micro-grids take a fraction of a second.

    With ``among``, only pairs involving at least one of those keys are reported (the rest of the polygons
    are assumed to have been checked before). Each pair is reported once as (given first, given later).
    """
    pairs = list(items)
    keys = [key for key, _ in pairs]
    geoms = _geojson_to_shapely(keys, [geometry for _, geometry in pairs])
    if len(keys) < 2:
        return []
    if among is None:
        probe = np.arange(len(keys))
    else:
        wanted = set(among)
        probe = np.asarray([i for i, key in enumerate(keys) if key in wanted], dtype=np.int64)
        if probe.size == 0:
            return []
    tree = shapely.STRtree(geoms)
    probe_idx, other_idx = tree.query(geoms[probe], predicate="intersects")
    first = np.minimum(probe[probe_idx], other_idx)
    second = np.maximum(probe[probe_idx], other_idx)
    distinct = first != second
    # A pair of two probed polygons is found from both sides; keep it once.
    pair_codes = np.unique(first[distinct] * len(keys) + second[distinct])
    first, second = pair_codes // len(keys), pair_codes % len(keys)
    overlapping = shapely.relate_pattern(geoms[first], geoms[second], "T********")
    first, second = first[overlapping], second[overlapping]
    shared = shapely.intersection(shapely.make_valid(geoms[first]), shapely.make_valid(geoms[second]))
    return [
        Overlap(keys[i], keys[j], _area_m2(part))
        for i, j, part in zip(first.tolist(), second.tolist(), shared.tolist(), strict=True)
    ]
