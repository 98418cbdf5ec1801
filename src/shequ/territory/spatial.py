"""Resolve map points to the territory polygon that contains them, fast enough for 100,000+ polygons.

Residents and grid workers report issues by tapping a map; the platform has to turn that bare point into
the most specific territory unit (community, grid, micro-grid) whose boundary contains it. A linear scan
over every boundary is far too slow at city scale, so ``PolygonIndex`` keeps the boundaries in a shapely
``STRtree`` (a packed R-tree) and only runs exact point-in-polygon tests against the handful of polygons
whose bounding boxes contain the point.

All geometries and points are WGS-84 longitude/latitude; convert GCJ-02/BD-09 input with
``shequ.territory.geo`` first. This module is pure Python (numpy and shapely only).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely import GeometryType
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = ["PolygonIndex", "brute_force_locate"]

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


def _most_specific(candidates: np.ndarray, areas: np.ndarray) -> int:
    """Return the candidate with the smallest area, the lowest position winning ties."""
    candidates = np.sort(candidates)
    # argmin returns the first minimum, which after sorting is the earliest-given polygon.
    return int(candidates[np.argmin(areas[candidates])])


class PolygonIndex:
    """Find the most specific polygon covering a point among many polygons, using an R-tree.

    A polygon matches a point when it *covers* it, so points exactly on a boundary belong to the polygons
    on both sides. When several polygons match (shared edges, nested units such as a micro-grid inside a
    community), the one with the smallest area wins, and among equal areas the one given first. Areas are
    compared in square degrees, which is fine because all candidates contain the same point and so share
    the same local distortion.
    """

    def __init__(self, items: Iterable[tuple[Hashable, dict[str, Any] | BaseGeometry]]) -> None:
        """Index ``(key, geometry)`` pairs; geometries are WGS-84 GeoJSON Polygon/MultiPolygon dicts.

        Shapely Polygon/MultiPolygon objects are accepted too. Keys may be any hashable (usually primary
        keys); their order defines the tie-break between polygons of equal area.
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
        """Return the key of the smallest polygon covering ``(lng, lat)``, or ``None`` if none does."""
        candidates = self._tree.query(shapely.points(lng, lat), predicate="covered_by")
        if candidates.size == 0:
            return None
        return self._keys[_most_specific(candidates, self._areas)]

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
        point_idx, poly_idx = self._tree.query(shapely.points(lng_arr, lat_arr), predicate="covered_by")

        # Sort hits by point, then area, then polygon position; the first hit per point is the answer.
        order = np.lexsort((poly_idx, self._areas[poly_idx], point_idx))
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        first = np.ones(point_idx.size, dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        best = np.full(lng_arr.size, -1, dtype=np.int64)
        best[point_idx[first]] = poly_idx[first]

        keys = self._keys
        return [None if i < 0 else keys[i] for i in best.tolist()]


def brute_force_locate(
    geoms: Sequence[BaseGeometry] | np.ndarray,
    keys: Sequence[Hashable],
    lng: float,
    lat: float,
) -> Hashable | None:
    """Locate a point by testing every polygon; the baseline ``PolygonIndex`` is benchmarked against.

    Same semantics as ``PolygonIndex.locate``: the smallest covering polygon wins, the earliest on ties.
    The scan is one vectorised ``shapely.covers`` call over all geometries (the fastest honest brute
    force); pass an object ndarray, ideally ``shapely.prepare``-d, to avoid per-call conversion.
    """
    geom_arr = geoms if isinstance(geoms, np.ndarray) else np.asarray(geoms, dtype=object)
    hits = np.flatnonzero(shapely.covers(geom_arr, shapely.points(lng, lat)))
    if hits.size == 0:
        return None
    # hits is ascending, so argmin's first-minimum rule gives the earliest polygon on area ties.
    return keys[int(hits[np.argmin(shapely.area(geom_arr[hits]))])]
