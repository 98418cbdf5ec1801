"""The demo lays out each community's micro-grids as one block, clear of every other community's block."""

import shapely

from shequ.territory.demo import BLOCK_GAP_M, _block_box, _free_block_centre, _offset
from shequ.territory.spatial import find_overlaps


def test_blocks_around_one_centre_spiral_out_without_overlapping():
    """Forty blocks of different widths asked for at one centre all get a place; none overlaps another, each
    keeps the gap, and the first keeps the centre it asked for."""
    taken: list[tuple[float, float, float, float]] = []
    centres = [_free_block_centre(104.04, 30.64, 220.0 * (1 + n % 3), 880.0, taken) for n in range(40)]
    assert centres[0] == (104.04, 30.64)
    assert len(set(centres)) == 40
    boxes = [(n, shapely.box(*box)) for n, box in enumerate(taken)]
    assert find_overlaps(boxes) == []
    # The blocks themselves, without the half gap around each: at least the gap apart.
    blocks = [
        shapely.box(*_block_box(*centre, 220.0 * (1 + n % 3) - BLOCK_GAP_M, 880.0 - BLOCK_GAP_M))
        for n, centre in enumerate(centres)
    ]
    lng, lat = _offset(104.04, 30.64, 1.0, 1.0)
    degrees_per_m = min(lng - 104.04, lat - 30.64)
    gap_deg = min(a.distance(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
    assert gap_deg >= BLOCK_GAP_M * degrees_per_m * 0.99


def test_a_block_with_room_stays_where_it_was_asked_for():
    """A block far from the others is not moved."""
    taken: list[tuple[float, float, float, float]] = []
    _free_block_centre(104.04, 30.64, 440.0, 880.0, taken)
    assert _free_block_centre(104.10, 30.70, 440.0, 880.0, taken) == (104.10, 30.70)
