"""Convert coordinates between the reference systems used by maps in China and validate boundaries.

Three coordinate reference systems matter for a community platform in mainland China:

* **WGS-84** (``CRS.WGS84``) is the global GPS datum. Raw GPS fixes, OpenStreetMap and most GIS files use
  it, and it is the canonical storage format of this project.
* **GCJ-02** (``CRS.GCJ02``), nicknamed "Mars coordinates", is the datum mandated for published maps in
  mainland China. It is WGS-84 plus a deliberate, non-linear obfuscation of a few hundred metres. Chinese
  web maps (AMap/Gaode, Tencent, the WeChat location picker, Google Maps inside China) display and return
  GCJ-02, so points picked on such a map must be converted before they are compared with WGS-84 data.
* **BD-09** (``CRS.BD09``) is Baidu Maps' own datum: GCJ-02 with a further small rotation and offset.

The GCJ-02 offset is only applied inside a rough bounding box of mainland China; positions outside it are
passed through unchanged, which is what the map providers do as well. The GCJ-02 inverse has no closed
form, so ``GCJ02 -> WGS84`` is solved by fixed-point iteration rather than the common one-step
approximation, which is off by up to a few metres.

This module is pure Python (numpy and shapely only) so it can be used outside Django.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.validation import explain_validity

__all__ = [
    "CRS",
    "GeometryError",
    "convert_coords",
    "convert_geometry",
    "convert_point",
    "is_in_mainland_china",
    "validate_geometry",
]


class CRS(enum.StrEnum):
    """Coordinate reference systems in common use for maps of China.

    ``StrEnum`` is a ``str`` and an ``Enum``; unlike ``(str, Enum)`` its ``str()`` is the bare value, so
    members can be dropped into URLs, JSON and templates as-is.
    """

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


class GeometryError(ValueError):
    """Signal an invalid boundary geometry; the message is user-facing Simplified Chinese."""


# Krasovsky 1940 ellipsoid, which the GCJ-02 algorithm is defined on.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Rough mainland-China bounding box shared by the common public GCJ-02 implementations; using the same box
# keeps our output consistent with theirs near the borders.
_CHINA_LNG_MIN, _CHINA_LNG_MAX = 72.004, 137.8347
_CHINA_LAT_MIN, _CHINA_LAT_MAX = 0.8293, 55.8271

# Stop the GCJ-02 inverse far below the required 1e-7 degrees so that rounding to 7 decimals afterwards
# never sees iteration error; each iteration gains two to three orders of magnitude.
_INVERSE_TOLERANCE = 1e-10
_INVERSE_MAX_ITERATIONS = 30

_COORD_DECIMALS = 7


@dataclass(frozen=True)
class _MathOps:
    """Bundle elementary functions so one formula implementation serves floats and numpy arrays."""

    sin: Callable[[Any], Any]
    cos: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]
    atan2: Callable[[Any, Any], Any]


_SCALAR = _MathOps(sin=math.sin, cos=math.cos, sqrt=math.sqrt, atan2=math.atan2)
_ARRAY = _MathOps(sin=np.sin, cos=np.cos, sqrt=np.sqrt, atan2=np.arctan2)


def _coerce_crs(value: CRS | str) -> CRS:
    """Return ``value`` as a ``CRS`` member, accepting case-insensitive names such as ``"WGS84"``."""
    if isinstance(value, CRS):
        return value
    try:
        return CRS(str(value).strip().lower())
    except ValueError:
        valid = ", ".join(member.value for member in CRS)
        raise ValueError(f"Unknown coordinate reference system {value!r}; expected one of: {valid}") from None


def _transform_lat(x: Any, y: Any, m: _MathOps) -> Any:
    """Return the raw GCJ-02 latitude perturbation for offsets from (105 E, 35 N)."""
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(y * math.pi) + 40.0 * m.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * m.sin(y / 12.0 * math.pi) + 320.0 * m.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: Any, y: Any, m: _MathOps) -> Any:
    """Return the raw GCJ-02 longitude perturbation for offsets from (105 E, 35 N)."""
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * m.sqrt(abs(x))
    ret += (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * m.sin(x * math.pi) + 40.0 * m.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * m.sin(x / 12.0 * math.pi) + 300.0 * m.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_offset(lng: Any, lat: Any, m: _MathOps) -> tuple[Any, Any]:
    """Return the GCJ-02 (dlng, dlat) shift in degrees at a WGS-84 position, ignoring the China box."""
    dlat = _transform_lat(lng - 105.0, lat - 35.0, m)
    dlng = _transform_lng(lng - 105.0, lat - 35.0, m)
    radlat = lat / 180.0 * math.pi
    magic = m.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = m.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * m.cos(radlat) * math.pi)
    return dlng, dlat


def _gcj02_to_bd09(lng: Any, lat: Any, m: _MathOps) -> tuple[Any, Any]:
    """Apply Baidu's published GCJ-02 -> BD-09 rotation and offset."""
    z = m.sqrt(lng * lng + lat * lat) + 0.00002 * m.sin(lat * _X_PI)
    theta = m.atan2(lat, lng) + 0.000003 * m.cos(lng * _X_PI)
    return z * m.cos(theta) + 0.0065, z * m.sin(theta) + 0.006


def _bd09_to_gcj02(lng: Any, lat: Any, m: _MathOps) -> tuple[Any, Any]:
    """Apply Baidu's published BD-09 -> GCJ-02 formula (approximate: off by up to ~2e-6 deg)."""
    x = lng - 0.0065
    y = lat - 0.006
    z = m.sqrt(x * x + y * y) - 0.00002 * m.sin(y * _X_PI)
    theta = m.atan2(y, x) - 0.000003 * m.cos(x * _X_PI)
    return z * m.cos(theta), z * m.sin(theta)


def is_in_mainland_china(lng: float, lat: float) -> bool:
    """Report whether a position falls in the rough mainland-China box where GCJ-02 is shifted."""
    return _CHINA_LNG_MIN <= lng <= _CHINA_LNG_MAX and _CHINA_LAT_MIN <= lat <= _CHINA_LAT_MAX


def _china_mask(lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Return the vectorised counterpart of ``is_in_mainland_china``."""
    return (lngs >= _CHINA_LNG_MIN) & (lngs <= _CHINA_LNG_MAX) & (lats >= _CHINA_LAT_MIN) & (lats <= _CHINA_LAT_MAX)


# --- scalar pipeline -------------------------------------------------------------------------------------


def _wgs84_to_gcj02_scalar(lng: float, lat: float) -> tuple[float, float]:
    """Shift one WGS-84 position to GCJ-02."""
    if not is_in_mainland_china(lng, lat):
        return lng, lat
    dlng, dlat = _gcj02_offset(lng, lat, _SCALAR)
    return lng + dlng, lat + dlat


def _gcj02_to_wgs84_scalar(lng: float, lat: float) -> tuple[float, float]:
    """Invert the GCJ-02 shift for one position by fixed-point iteration."""
    if not is_in_mainland_china(lng, lat):
        return lng, lat
    # The offset varies slowly with position, so w <- w - (f(w) - g) contracts quickly; the China box is
    # deliberately ignored inside the loop so points near its edge cannot oscillate across it.
    wlng, wlat = lng, lat
    for _iteration in range(_INVERSE_MAX_ITERATIONS):
        dlng, dlat = _gcj02_offset(wlng, wlat, _SCALAR)
        err_lng = wlng + dlng - lng
        err_lat = wlat + dlat - lat
        wlng -= err_lng
        wlat -= err_lat
        if abs(err_lng) < _INVERSE_TOLERANCE and abs(err_lat) < _INVERSE_TOLERANCE:
            break
    return wlng, wlat


def _to_gcj02_scalar(lng: float, lat: float, src: CRS) -> tuple[float, float]:
    """Express one position in GCJ-02, the hub every conversion passes through."""
    if src is CRS.WGS84:
        return _wgs84_to_gcj02_scalar(lng, lat)
    if src is CRS.BD09:
        return _bd09_to_gcj02(lng, lat, _SCALAR)
    return lng, lat


def _from_gcj02_scalar(lng: float, lat: float, dst: CRS) -> tuple[float, float]:
    """Express one GCJ-02 position in ``dst``."""
    if dst is CRS.WGS84:
        return _gcj02_to_wgs84_scalar(lng, lat)
    if dst is CRS.BD09:
        return _gcj02_to_bd09(lng, lat, _SCALAR)
    return lng, lat


def convert_point(lng: float, lat: float, src: CRS | str, dst: CRS | str) -> tuple[float, float]:
    """Convert one ``(lng, lat)`` position from ``src`` to ``dst`` coordinates.

    All six directions between WGS-84, GCJ-02 and BD-09 are supported; equal systems return the input.
    """
    src_crs, dst_crs = _coerce_crs(src), _coerce_crs(dst)
    lng, lat = float(lng), float(lat)
    if src_crs is dst_crs:
        return lng, lat
    gcj_lng, gcj_lat = _to_gcj02_scalar(lng, lat, src_crs)
    return _from_gcj02_scalar(gcj_lng, gcj_lat, dst_crs)


# --- vectorised pipeline ---------------------------------------------------------------------------------


def _wgs84_to_gcj02_array(lngs: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS-84 positions to GCJ-02."""
    out_lng, out_lat = lngs.copy(), lats.copy()
    inside = _china_mask(lngs, lats)
    dlng, dlat = _gcj02_offset(lngs[inside], lats[inside], _ARRAY)
    out_lng[inside] += dlng
    out_lat[inside] += dlat
    return out_lng, out_lat


def _gcj02_to_wgs84_array(lngs: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invert the GCJ-02 shift for many positions by fixed-point iteration."""
    out_lng, out_lat = lngs.copy(), lats.copy()
    inside = _china_mask(lngs, lats)
    if not inside.any():
        return out_lng, out_lat
    glng, glat = lngs[inside], lats[inside]
    wlng, wlat = glng.copy(), glat.copy()
    # Each point stops iterating once it has converged, exactly like the scalar loop, so a position converts
    # to the same bits whatever other positions share the array: a vertex shared by two neighbouring
    # boundaries stays shared after conversion, and no sliver of overlap or gap appears between them.
    active = np.arange(glng.size)
    for _iteration in range(_INVERSE_MAX_ITERATIONS):
        alng, alat = wlng[active], wlat[active]
        dlng, dlat = _gcj02_offset(alng, alat, _ARRAY)
        err_lng = alng + dlng - glng[active]
        err_lat = alat + dlat - glat[active]
        wlng[active] = alng - err_lng
        wlat[active] = alat - err_lat
        active = active[(np.abs(err_lng) >= _INVERSE_TOLERANCE) | (np.abs(err_lat) >= _INVERSE_TOLERANCE)]
        if active.size == 0:
            break
    out_lng[inside] = wlng
    out_lat[inside] = wlat
    return out_lng, out_lat


def convert_coords(
    lngs: np.ndarray | Sequence[float],
    lats: np.ndarray | Sequence[float],
    src: CRS | str,
    dst: CRS | str,
) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of longitudes and latitudes from ``src`` to ``dst`` coordinates.

    This is the vectorised equivalent of ``convert_point`` (same formulas, same China box) for geometries
    with many vertices. New float64 arrays are always returned; the inputs are never modified.
    """
    src_crs, dst_crs = _coerce_crs(src), _coerce_crs(dst)
    lng_arr = np.array(lngs, dtype=np.float64)
    lat_arr = np.array(lats, dtype=np.float64)
    if lng_arr.shape != lat_arr.shape:
        raise ValueError(f"lngs and lats must have the same shape, got {lng_arr.shape} and {lat_arr.shape}")
    if src_crs is dst_crs:
        return lng_arr, lat_arr

    if src_crs is CRS.WGS84:
        lng_arr, lat_arr = _wgs84_to_gcj02_array(lng_arr, lat_arr)
    elif src_crs is CRS.BD09:
        lng_arr, lat_arr = _bd09_to_gcj02(lng_arr, lat_arr, _ARRAY)

    if dst_crs is CRS.WGS84:
        lng_arr, lat_arr = _gcj02_to_wgs84_array(lng_arr, lat_arr)
    elif dst_crs is CRS.BD09:
        lng_arr, lat_arr = _gcj02_to_bd09(lng_arr, lat_arr, _ARRAY)
    return lng_arr, lat_arr


# --- GeoJSON geometries ----------------------------------------------------------------------------------

# Nesting depth of the position arrays for each supported GeoJSON type (0 = a single position).
_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def _collect_positions(node: Any, depth: int, out: list[Sequence[float]]) -> None:
    """Append every position under ``node`` (nested ``depth`` levels deep) to ``out``."""
    if depth == 0:
        if not isinstance(node, list | tuple) or len(node) < 2:
            raise ValueError(f"Invalid GeoJSON position {node!r}: expected [lng, lat]")
        out.append(node)
        return
    if not isinstance(node, list | tuple):
        raise ValueError(f"Invalid GeoJSON coordinates: expected an array, got {type(node).__name__}")
    for child in node:
        _collect_positions(child, depth - 1, out)


def _rebuild(node: Any, depth: int, positions: list[list[float]], cursor: list[int]) -> Any:
    """Rebuild the nesting of ``node`` using converted ``positions`` consumed in order."""
    if depth == 0:
        position = positions[cursor[0]]
        cursor[0] += 1
        return position
    return [_rebuild(child, depth - 1, positions, cursor) for child in node]


def convert_geometry(geometry: dict[str, Any], src: CRS | str, dst: CRS | str) -> dict[str, Any]:
    """Return a copy of a GeoJSON geometry converted from ``src`` to ``dst`` coordinates.

    Supports Point, MultiPoint, LineString, Polygon and MultiPolygon. The result has the same nesting with
    coordinates rounded to 7 decimals (about 1 cm); any altitude value is kept unchanged. Only ``type``
    and ``coordinates`` are carried over, because a ``bbox`` member would be stale after the shift.
    """
    if not isinstance(geometry, dict):
        raise ValueError(f"Expected a GeoJSON geometry dict, got {type(geometry).__name__}")
    geom_type = geometry.get("type")
    if geom_type not in _POSITION_DEPTH:
        supported = ", ".join(_POSITION_DEPTH)
        raise ValueError(f"Unsupported GeoJSON geometry type {geom_type!r}; supported types: {supported}")
    if "coordinates" not in geometry:
        raise ValueError(f"GeoJSON {geom_type} geometry has no 'coordinates' member")
    src_crs, dst_crs = _coerce_crs(src), _coerce_crs(dst)

    depth = _POSITION_DEPTH[geom_type]
    coordinates = geometry["coordinates"]
    positions: list[Sequence[float]] = []
    _collect_positions(coordinates, depth, positions)

    if positions:
        xy = np.array([(p[0], p[1]) for p in positions], dtype=np.float64)
        new_lngs, new_lats = convert_coords(xy[:, 0], xy[:, 1], src_crs, dst_crs)
        new_lngs = np.round(new_lngs, _COORD_DECIMALS)
        new_lats = np.round(new_lats, _COORD_DECIMALS)
    else:
        new_lngs = new_lats = np.empty(0)
    converted = [
        [lng, lat, *old[2:]] for lng, lat, old in zip(new_lngs.tolist(), new_lats.tolist(), positions, strict=True)
    ]
    return {"type": geom_type, "coordinates": _rebuild(coordinates, depth, converted, [0])}


def _is_number(value: Any) -> bool:
    """Report whether ``value`` is a real number (bool excluded, as JSON true/false is not a coordinate)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate_ring(ring: Any) -> None:
    """Check one linear ring's structure, coordinate ranges and closure."""
    if not isinstance(ring, list | tuple):
        raise GeometryError(_("坐标格式无效：多边形的环必须是坐标数组"))
    for position in ring:
        if not isinstance(position, list | tuple) or len(position) < 2:
            raise GeometryError(_("坐标格式无效：%(p)s 不是 [经度, 纬度]") % {"p": repr(position)})
        lng, lat = position[0], position[1]
        if not (_is_number(lng) and _is_number(lat)) or not (math.isfinite(lng) and math.isfinite(lat)):
            raise GeometryError(_("坐标格式无效：%(p)s 必须是有限的数字") % {"p": repr(position)})
        if not -180.0 <= lng <= 180.0:
            raise GeometryError(_("坐标超出范围：经度 %(v)s 不在 -180 到 180 之间") % {"v": lng})
        if not -90.0 <= lat <= 90.0:
            raise GeometryError(_("坐标超出范围：纬度 %(v)s 不在 -90 到 90 之间") % {"v": lat})
    if len(ring) < 4:
        raise GeometryError(_("多边形的环至少需要 4 个坐标点（首尾相同），当前只有 %(n)d 个") % {"n": len(ring)})
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(_("多边形的环必须闭合：首尾坐标必须相同"))


def _validate_polygon_rings(rings: Any) -> None:
    """Check the rings of one polygon (exterior first, then holes)."""
    if not isinstance(rings, list | tuple) or not rings:
        raise GeometryError(_("坐标格式无效：多边形至少需要一个外环"))
    for ring in rings:
        _validate_ring(ring)


def validate_geometry(geometry: Any) -> dict[str, Any]:
    """Return ``geometry`` unchanged if it is a valid GeoJSON Polygon or MultiPolygon boundary.

    Longitudes must lie in [-180, 180], latitudes in [-90, 90], every ring must be closed with at least
    four positions, and the shape must be valid by OGC rules (no self-intersections etc.). Raise
    ``GeometryError`` with a Simplified Chinese message otherwise, suitable for showing to the user.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError(_("边界必须是 Polygon 或 MultiPolygon"))
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        _validate_polygon_rings(coordinates)
    else:
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise GeometryError(_("坐标格式无效：MultiPolygon 至少需要一个多边形"))
        for polygon in coordinates:
            _validate_polygon_rings(polygon)

    try:
        geom = shape(geometry)
    except (ValueError, TypeError, ShapelyError) as exc:
        raise GeometryError(_("边界多边形无效：%(reason)s") % {"reason": exc}) from exc
    if not geom.is_valid:
        raise GeometryError(_("边界多边形无效：%(reason)s") % {"reason": explain_validity(geom)})
    return geometry
