"""The problem report of a resident import: what will not be imported and why (masked values only).

Rules: the report shows row number, column, masked value and message (PIPL §28: an ID or mobile number never
in clear); the .xlsx version is written by core.spreadsheets, whose strings are never formulas. The dwellings
that rows wait for (import_matching.WAITS_FOR_DWELLING) are listed once each, with the rows that name them and
a suggested floor area, for a worker to confirm creating them (imports.import_create_dwellings).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet

from shequ.core.spreadsheets import error_report_xlsx

from .domain import IMPORT_BLOCKING
from .import_matching import LOOKUP_CHUNK, waits_for_dwelling
from .import_places import DwellingIndex, Proposal
from .models import ImportBatch, ImportRow


def problem_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    """Rows that will not be imported, with their (masked) errors, in file order."""
    return (
        ImportRow.objects.filter(batch=batch, outcome__in=IMPORT_BLOCKING)
        .order_by("row_number")
        .only("row_number", "outcome", "errors")
    )


def update_rows(batch: ImportBatch) -> QuerySet[ImportRow]:
    """Rows that update a resident already registered in the batch's community (masked identifiers)."""
    return (
        ImportRow.objects.filter(batch=batch, outcome="update")
        .order_by("row_number")
        .select_related("target")
        .only("row_number", "target__name", "target__id_number_masked", "target__public_id")
    )


def error_lines(rows: Iterable[ImportRow]) -> list[dict[str, Any]]:
    """One line per cell error: row number, column, masked value, message."""
    return [
        {
            "row": r.row_number,
            "column": e.get("column", ""),
            "value": e.get("value", ""),
            "message": e.get("message", ""),
        }
        for r in rows
        for e in (r.errors or [])
    ]


def errors_xlsx(batch: ImportBatch, fileobj: IO[bytes]) -> None:
    """Write the batch's problems as an .xlsx (masked values only; strings are never formulas)."""

    def lines() -> Iterator[list[Any]]:
        qs = ImportRow.objects.filter(batch=batch, outcome__in=IMPORT_BLOCKING).order_by("row_number")
        for row_number, errors in qs.values_list("row_number", "errors").iterator(chunk_size=LOOKUP_CHUNK):
            for e in errors or []:
                yield [row_number, e.get("column", ""), e.get("value", ""), e.get("message", "")]

    error_report_xlsx(fileobj, lines())


@dataclass
class MissingDwelling:
    """A dwelling rows of a batch wait for: its form key, place, description, rows and suggested floor area."""

    key: str
    proposal: Proposal
    label: str
    suggested_area: Decimal | None
    rows: list[int] = field(default_factory=list)


def missing_dwellings(batch: ImportBatch, index: DwellingIndex | None = None) -> list[MissingDwelling]:
    """The dwellings that rows of `batch` wait for and that are still not registered, in file order."""
    index = index or DwellingIndex(batch.community_id)
    found: dict[Proposal, MissingDwelling] = {}
    qs = (
        ImportRow.objects.filter(batch=batch, outcome="invalid")
        .exclude(payload_encrypted="")
        .order_by("row_number")
        .values_list("row_number", "errors")
    )
    for row_number, errors in qs.iterator(chunk_size=LOOKUP_CHUNK):
        if not waits_for_dwelling(errors or []):
            continue
        for e in errors:
            proposal = Proposal(**e["dwelling"])
            if proposal not in found:
                if index.exists(proposal):
                    continue
                key = f"{proposal.unit}:{proposal.number}"
                found[proposal] = MissingDwelling(
                    key, proposal, index.describe(proposal), index.suggested_area(proposal)
                )
            found[proposal].rows.append(row_number)
    return list(found.values())
