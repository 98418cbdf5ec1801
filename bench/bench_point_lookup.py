"""Benchmark resolving map points to micro-grid polygons with PolygonIndex against a brute-force scan.

Generates a deterministic, irregular city-sized micro-grid (100,000 jittered quadrilaterals of about
150 m around Chengdu), builds a ``PolygonIndex`` and times three ways of locating random points:

* brute force: one vectorised ``shapely.covers`` call over every (prepared) polygon per point, which is
  the fastest honest scan; measured on a subset of the points because it is slow;
* ``PolygonIndex.locate``: one point at a time, as a web request would do;
* ``PolygonIndex.locate_many``: all points in one bulk R-tree query, as an import job would do.

The index answers are checked against the brute-force answers (exit status 1 on any mismatch). Timings
are reported, never asserted. Run ``python bench/bench_point_lookup.py`` (a few seconds) or add ``--quick``
for a 10,000-polygon smoke run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Make ``shequ`` importable from the src layout without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from shequ.territory.spatial import PolygonIndex, brute_force_locate  # noqa: E402

CENTER_LNG, CENTER_LAT = 104.0, 30.6
# About 150 m at Chengdu's latitude: 1 deg lat ~ 110.6 km, 1 deg lng ~ 95.9 km.
CELL_DLNG = 150.0 / 95_900.0
CELL_DLAT = 150.0 / 110_600.0
# Corner jitter as a fraction of the cell size; below 0.5 every quadrilateral stays simple (valid).
JITTER = 0.3
# Share of query points placed exactly on a grid vertex, where four polygons meet and tie-breaks matter.
VERTEX_POINT_SHARE = 0.1


@dataclass(frozen=True)
class Config:
    """Size of one benchmark run."""

    rows: int
    cols: int
    points: int
    brute_points: int
    repeats: int


FULL = Config(rows=250, cols=400, points=2_000, brute_points=200, repeats=3)
QUICK = Config(rows=100, cols=100, points=500, brute_points=50, repeats=2)


@dataclass(frozen=True)
class MicroGrid:
    """Generated polygons plus the jittered vertex lattice they share."""

    items: list[tuple[int, dict[str, Any]]]
    vertex_lngs: np.ndarray  # shape (rows + 1, cols + 1)
    vertex_lats: np.ndarray


def make_micro_grid(rows: int, cols: int, rng: np.random.Generator) -> MicroGrid:
    """Generate ``rows * cols`` jittered quadrilaterals tiling an area centred on Chengdu.

    Neighbouring cells share their jittered corners, so the grid has no gaps or overlaps and every
    interior edge and vertex is shared exactly, like a real subdivision of a district.
    """
    lng0 = CENTER_LNG - cols * CELL_DLNG / 2
    lat0 = CENTER_LAT - rows * CELL_DLAT / 2
    jj, ii = np.meshgrid(np.arange(cols + 1), np.arange(rows + 1))
    vertex_lngs = lng0 + jj * CELL_DLNG + rng.uniform(-JITTER, JITTER, jj.shape) * CELL_DLNG
    vertex_lats = lat0 + ii * CELL_DLAT + rng.uniform(-JITTER, JITTER, ii.shape) * CELL_DLAT
    # Round like stored GeoJSON (7 decimals) so the generated dicts and the vertex points agree exactly.
    vertex_lngs = np.round(vertex_lngs, 7)
    vertex_lats = np.round(vertex_lats, 7)

    # Corners of cell (i, j) counter-clockwise: (i, j), (i, j+1), (i+1, j+1), (i+1, j), back to (i, j).
    corner_i = np.array([0, 0, 1, 1, 0])
    corner_j = np.array([0, 1, 1, 0, 0])
    ci = np.arange(rows)[:, None, None] + corner_i
    cj = np.arange(cols)[None, :, None] + corner_j
    ci, cj = np.broadcast_arrays(ci, cj)
    rings = np.stack([vertex_lngs[ci, cj], vertex_lats[ci, cj]], axis=-1).reshape(rows * cols, 5, 2)

    items = [(100_000 + n, {"type": "Polygon", "coordinates": [ring]}) for n, ring in enumerate(rings.tolist())]
    return MicroGrid(items=items, vertex_lngs=vertex_lngs, vertex_lats=vertex_lats)


def make_points(grid: MicroGrid, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return random query points: mostly uniform (a few outside the grid), some exactly on vertices."""
    lng_min, lng_max = grid.vertex_lngs.min(), grid.vertex_lngs.max()
    lat_min, lat_max = grid.vertex_lats.min(), grid.vertex_lats.max()
    margin_lng, margin_lat = (lng_max - lng_min) * 0.02, (lat_max - lat_min) * 0.02
    lngs = rng.uniform(lng_min - margin_lng, lng_max + margin_lng, count)
    lats = rng.uniform(lat_min - margin_lat, lat_max + margin_lat, count)

    on_vertex = rng.random(count) < VERTEX_POINT_SHARE
    rows, cols = grid.vertex_lngs.shape
    vi = rng.integers(1, rows - 1, on_vertex.sum())
    vj = rng.integers(1, cols - 1, on_vertex.sum())
    lngs[on_vertex] = grid.vertex_lngs[vi, vj]
    lats[on_vertex] = grid.vertex_lats[vi, vj]
    return lngs, lats


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Run ``fn`` ``repeats`` times and return the fastest wall time and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def format_time(seconds: float) -> str:
    """Format a duration with a unit suited to its magnitude."""
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and return the process exit status (1 if any answer disagrees)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 polygons and fewer points (smoke run)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    grid = make_micro_grid(config.rows, config.cols, rng)
    generate_s = time.perf_counter() - start
    lngs, lats = make_points(grid, config.points, rng)
    n_polygons = len(grid.items)
    print(
        f"micro-grid: {n_polygons:,} polygons ({config.rows} x {config.cols}, ~150 m cells) "
        f"generated in {format_time(generate_s)}; shapely {shapely.__version__}, numpy {np.__version__}"
    )

    start = time.perf_counter()
    index = PolygonIndex(grid.items)
    build_s = time.perf_counter() - start
    print(f"PolygonIndex build (GeoJSON dicts -> shapely -> STRtree): {format_time(build_s)}")

    # The brute force gets its own prepared copies so preparing cannot influence the index timings.
    keys: list[Hashable] = index.keys
    brute_geoms = shapely.from_wkb(shapely.to_wkb(index.geometries))
    invalid = int((~shapely.is_valid(brute_geoms)).sum())
    if invalid:
        print(f"ERROR: {invalid} generated polygons are invalid", file=sys.stderr)
        return 1
    start = time.perf_counter()
    shapely.prepare(brute_geoms)
    prepare_s = time.perf_counter() - start

    index.locate(float(lngs[0]), float(lats[0]))  # warm-up
    point_pairs = list(zip(lngs.tolist(), lats.tolist(), strict=True))

    locate_s, single = best_time(lambda: [index.locate(x, y) for x, y in point_pairs], config.repeats)
    many_s, bulk = best_time(lambda: index.locate_many(lngs, lats), config.repeats)
    subset = point_pairs[: config.brute_points]
    brute_s, brute = best_time(lambda: [brute_force_locate(brute_geoms, keys, x, y) for x, y in subset], 1)

    mismatches = [
        (i, point, got, want)
        for i, (point, got, want) in enumerate(zip(subset, single, brute, strict=False))
        if got != want
    ]
    mismatches += [(i, point_pairs[i], bulk[i], single[i]) for i in range(len(point_pairs)) if bulk[i] != single[i]]

    brute_per_point = brute_s / len(subset)
    rows = [
        ("brute force: shapely.covers over all polygons", len(subset), brute_per_point),
        ("PolygonIndex.locate (one point at a time)", len(point_pairs), locate_s / len(point_pairs)),
        ("PolygonIndex.locate_many (one bulk query)", len(point_pairs), many_s / len(point_pairs)),
    ]
    located = sum(key is not None for key in single)
    print(
        f"query points: {len(point_pairs):,} ({located:,} inside a polygon, "
        f"{len(point_pairs) - located:,} outside; ~{VERTEX_POINT_SHARE:.0%} exactly on shared vertices); "
        f"brute force on the first {len(subset)}, its polygons prepared in {format_time(prepare_s)}"
    )
    print()
    print(f"{'scenario':<48} {'points':>7} {'per point':>11} {'speedup':>9}")
    print("-" * 78)
    for name, count, per_point in rows:
        print(f"{name:<48} {count:>7,} {format_time(per_point):>11} {brute_per_point / per_point:>8.0f}x")
    print()

    if mismatches:
        print(f"FAIL: {len(mismatches)} answers disagree, first few:", file=sys.stderr)
        for i, point, got, want in mismatches[:5]:
            print(f"  point #{i} {point}: got {got!r}, expected {want!r}", file=sys.stderr)
        return 1
    print(
        f"OK: locate agrees with brute force on {len(subset)} points and locate_many agrees with locate "
        f"on all {len(point_pairs):,} points"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
