"""Public cases of a compound for residents, and residents' supports ("me too", 附议).

What is public: cases of the compound that are still being worked on (submitted, accepted, dispatched, in
progress, suspended) and those resolved or closed within the last `days` days (90 by default, the Open311
window). Never public: withdrawn, not accepted and merged cases, and older finished ones.

Rows are plain dicts without personal data: no reporter, no description, no address, no building; the title
goes through a redactor (mobile and ID numbers, licence plates, room numbers). The full redactor is
`shequ.open311.domain.redact`, which lives in a layer above cases (see the import-linter contract), so the
caller passes it in (`redact=`); it is a required keyword so that nobody lists titles unredacted by mistake.

A resident may support a public case of their own compound, or — when the register knows no dwelling for
them — of their own community (`cases.support`); not their own case. Supporting twice does nothing the second
time. Each new support is audited under the resident as actor (their public id, never the name).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import ResidentActor
from shequ.core.errors import NotFound, ValidationError
from shequ.core.permissions import require, write_service

from . import domain
from .models import Case, CaseSupport

PUBLIC_DAYS = 90
PUBLIC_LIMIT = 200
_OPEN = [s.value for s in domain.OPEN_STATUSES]


def _label(labels: dict[Any, Any], value: str) -> str:
    for key, label in labels.items():
        if key == value:
            return str(label)
    return value


def _public(qs: QuerySet[Case], *, days: int, now: Any = None) -> QuerySet[Case]:
    since = (now or timezone.now()) - timedelta(days=days)
    return qs.filter(
        Q(status__in=_OPEN)
        | Q(status=domain.Status.RESOLVED, resolved_at__gte=since)
        | Q(status=domain.Status.CLOSED, closed_at__gte=since)
    )


def _rows(qs: QuerySet[Case], redact: Callable[[str], str]) -> list[dict[str, Any]]:
    cases = (
        qs.select_related("category")
        .annotate(support_count=Count("supports"))
        .order_by("-submitted_at", "-id")[:PUBLIC_LIMIT]
    )
    return [
        {
            "tracking_number": c.tracking_number,
            "category": c.category.name if c.category_id else "",
            "type": _label(domain.TYPE_LABELS, c.case_type),
            "status": _label(domain.STATUS_LABELS, domain.reporter_status(c.status)),
            "submitted": timezone.localdate(c.submitted_at),
            "title": redact(c.title),
            "supports": c.support_count,
        }
        for c in cases
    ]


def public_cases_in_compound(
    compound: Any, *, days: int = PUBLIC_DAYS, redact: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Open and recently resolved cases of the compound, newest first, as dicts without personal data."""
    return _rows(_public(Case.objects.filter(compound=compound), days=days), redact)


def public_cases_in_community(
    community: Any, *, days: int = PUBLIC_DAYS, redact: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The same for a whole community (residents without a known dwelling)."""
    return _rows(_public(Case.objects.filter(community=community), days=days), redact)


def compound_of(resident: Any) -> Any:
    """The compound of the resident's registered dwelling, or None."""
    if not resident.dwelling_id:
        return None
    return resident.dwelling.building.compound


def public_cases_for(resident: Any, *, days: int = PUBLIC_DAYS, redact: Callable[[str], str]) -> list[dict[str, Any]]:
    """The resident's compound's public cases; their community's when no dwelling is registered."""
    compound = compound_of(resident)
    if compound is not None:
        return public_cases_in_compound(compound, days=days, redact=redact)
    return public_cases_in_community(resident.community, days=days, redact=redact)


def own_tracking_numbers(resident: Any, numbers: list[str]) -> set[str]:
    """Which of these cases the resident reported (they cannot support those)."""
    return set(
        Case.objects.filter(reporter=resident, tracking_number__in=numbers).values_list("tracking_number", flat=True)
    )


def public_case(tracking_number: str) -> Case:
    case = Case.objects.filter(tracking_number=tracking_number).first()
    if case is None:
        raise NotFound()
    return case


@write_service("cases.support")
def support_case(*, actor: ResidentActor, case: Case, now: Any = None) -> int:
    """Record the acting resident's support of a public case (idempotent); return the case's support count.

    Requires `cases.support` (a case of the resident's own compound, or community without a known dwelling);
    raises ValidationError for a case that is not public (any more) or that the resident reported.
    """
    require(actor, "cases.support", case)
    resident = actor.resident
    if not _public(Case.objects.filter(pk=case.pk), days=PUBLIC_DAYS, now=now).exists():
        raise ValidationError({"case": [_("该诉求不在您所在小区的公开诉求中，不能附议。")]})
    if case.reporter_id == resident.pk:
        raise ValidationError({"case": [_("不能附议自己反映的诉求。")]})
    try:
        with transaction.atomic():
            _support, created = CaseSupport.objects.get_or_create(case=case, resident=resident)
            if created:
                audit.record(actor=actor, action="cases.supported", obj=case)
    except IntegrityError:  # a simultaneous click of the same resident won the race
        pass
    return CaseSupport.objects.filter(case=case).count()


def support_counts(case_ids: set[int]) -> dict[int, int]:
    """Supports per case, one query (for the warning list)."""
    if not case_ids:
        return {}
    rows = CaseSupport.objects.filter(case_id__in=case_ids).order_by().values("case_id").annotate(n=Count("id"))
    return {row["case_id"]: row["n"] for row in rows}
