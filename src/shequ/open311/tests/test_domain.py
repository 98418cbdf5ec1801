"""Status mapping of public Open311 output, without a database."""

import pytest

from shequ.open311.domain import public_status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("submitted", "open"),
        ("accepted", "open"),
        ("dispatched", "open"),
        ("in_progress", "open"),
        ("suspended", "open"),
        ("resolved", "closed"),
        ("closed", "closed"),
        ("not_accepted", "closed"),
        ("withdrawn", "closed"),
        ("merged", "closed"),
    ],
)
def test_public_status(status, expected):
    """Resolved, closed, not accepted, withdrawn and merged cases are closed; everything else is open."""
    assert public_status(status) == expected
