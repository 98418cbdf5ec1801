"""The problem report of a resident import: what will not be imported and why (masked values only).

Rules: the report shows row number, column, masked value and message (PIPL §28: an ID or mobile number never
in clear); the .xlsx version is written by core.spreadsheets, whose strings are never formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet

from shequ.core.spreadsheets import error_report_xlsx

from .domain import IMPORT_BLOCKING
from .import_matching import LOOKUP_CHUNK
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
