"""Pure rules of the Open311 GeoReport v2 interface (http://wiki.open311.org/GeoReport_v2).

- Status: the spec knows only `open` and `closed`. A case is closed once it is resolved, closed, not accepted,
  withdrawn or merged; every other status (including suspended) is open.
- Public text (description, address, status notes) leaves the system only after redaction
  (core.redaction.redact: mobile and ID numbers, licence plates, room numbers), because public output carries
  no personal information (PIPL §6, §28; issue 4 "reporter confidentiality").
- Coordinates are WGS-84 on the wire, as the spec says.
"""

CLOSED_STATUSES = frozenset({"resolved", "closed", "not_accepted", "withdrawn", "merged"})
SPEC_STATUSES = ("open", "closed")
MAX_RESULTS = 1000
DEFAULT_WINDOW_DAYS = 90
TITLE_LENGTH = 30


def public_status(status: str) -> str:
    """The spec's status (`open` or `closed`) of a case status."""
    return "closed" if status in CLOSED_STATUSES else "open"


def title_from(description: str) -> str:
    return description.strip()[:TITLE_LENGTH]
