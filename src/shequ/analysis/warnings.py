"""Petition-risk facts: gather the facts of open cases and score them with `risk.py` (`assess`, used by the stored
warnings of `services.warnings_recompute`, and `warnings_for`, the same computed on the spot).

Facts per open case (the window is `window_days` back from now, cases of any status count):
- repeats_same_reporter: other cases with the same `reporter_id` (no decryption; anonymous/unregistered
  reporters — reporter_id null — never count as repeats);
- repeats_same_place: other cases on the same building, or in the same micro-grid when the case has no building;
- similar_text: other cases of the same category in the same compound (a cheap stand-in for text similarity);
- supports: residents' "me too" (附议) on the case (`public.support_counts`, all time, not windowed);
- days_overdue: from `escalate_after` to now, in calendar days (working-day precision not needed);
- escalation words from title and description; reopen and escalation counts from the case.

The counts are computed with one aggregate query per factor over all the open cases (not per case). They count
cases across the whole territory (a number only, nothing of the other cases is shown).
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from shequ.cases.domain import OPEN_STATUSES
from shequ.cases.models import Case
from shequ.cases.public import support_counts
from shequ.cases.selectors import cases_for

from . import risk

MAX_OPEN_CASES = 500


@dataclass(frozen=True)
class RiskWarning:
    """An open case whose risk score reached the threshold, with the reasons."""

    case: Case
    score: int
    reasons: list[str]
    facts: risk.RiskFacts


def _counts(field: str, values: set[Any], since: Any, extra: dict[str, Any] | None = None) -> dict[Any, int]:
    if not values:
        return {}
    rows = (
        Case.objects.filter(**{f"{field}__in": values}, submitted_at__gte=since, **(extra or {}))
        .order_by()
        .values(field)
        .annotate(n=Count("id"))
    )
    return {row[field]: row["n"] for row in rows}


def _pair_counts(cases: list[Case], since: Any) -> dict[tuple[int, int], int]:
    categories = {c.category_id for c in cases if c.category_id and c.compound_id}
    compounds = {c.compound_id for c in cases if c.category_id and c.compound_id}
    if not categories:
        return {}
    rows = (
        Case.objects.filter(category_id__in=categories, compound_id__in=compounds, submitted_at__gte=since)
        .order_by()
        .values("category_id", "compound_id")
        .annotate(n=Count("id"))
    )
    return {(row["category_id"], row["compound_id"]): row["n"] for row in rows}


def _others(total: int, case: Case, since: Any) -> int:
    """Cases in the group other than this one (the case itself is counted when it lies in the window)."""
    return max(0, total - (1 if case.submitted_at >= since else 0))


@dataclass(frozen=True)
class Assessment:
    """The facts of one open case and the factors that scored (any score, no threshold applied)."""

    case: Case
    facts: risk.RiskFacts
    parts: list[risk.Reason]

    @property
    def score(self) -> int:
        return sum(r.points for r in self.parts)


def assess(
    cases: list[Case], *, now: Any, window_days: int = 30, weights: risk.RiskWeights | None = None
) -> list[Assessment]:
    """Gather the facts of `cases` (one aggregate query per factor) and score each; same order as `cases`."""
    weights = weights or risk.RiskWeights.from_settings()
    since = now - timedelta(days=window_days)
    by_reporter = _counts("reporter_id", {c.reporter_id for c in cases if c.reporter_id}, since)
    by_building = _counts("building_id", {c.building_id for c in cases if c.building_id}, since)
    by_micro = _counts(
        "micro_grid_id", {c.micro_grid_id for c in cases if not c.building_id and c.micro_grid_id}, since
    )
    by_pair = _pair_counts(cases, since)
    supports = support_counts({c.pk for c in cases})
    found: list[Assessment] = []
    for case in cases:
        if case.building_id:
            place = _others(by_building.get(case.building_id, 0), case, since)
        elif case.micro_grid_id:
            place = _others(by_micro.get(case.micro_grid_id, 0), case, since)
        else:
            place = 0
        overdue = (now - case.escalate_after).total_seconds() / 86400 if case.escalate_after else 0.0
        facts = risk.RiskFacts(
            repeats_same_reporter=_others(by_reporter.get(case.reporter_id, 0), case, since) if case.reporter_id else 0,
            repeats_same_place=place,
            similar_text=_others(by_pair.get((case.category_id, case.compound_id), 0), case, since)
            if case.category_id and case.compound_id
            else 0,
            supports=supports.get(case.pk, 0),
            reopen_count=case.reopen_count,
            days_overdue=max(0.0, overdue),
            escalation_words=risk.find_escalation_words(f"{case.title}\n{case.description}"),
            escalation_count=case.escalation_count,
            window_days=window_days,
        )
        found.append(Assessment(case=case, facts=facts, parts=risk.score_parts(facts, weights)))
    return found


def warnings_for(actor: Any, *, window_days: int = 30, limit: int = 50, now: Any = None) -> list[RiskWarning]:
    """The actor's open cases scoring at least the configured threshold, highest score first (computed now,
    not stored: the stored warnings the pages show are `analysis.selectors`')."""
    now = now or timezone.now()
    weights = risk.RiskWeights.from_settings()
    cases = list(
        cases_for(actor)
        .filter(status__in=[s.value for s in OPEN_STATUSES])
        .select_related("community", "holder")
        .order_by("-submitted_at", "-id")[:MAX_OPEN_CASES]
    )
    found: list[RiskWarning] = []
    for a in assess(cases, now=now, window_days=window_days, weights=weights):
        if a.score >= weights.threshold:
            reasons = [risk.reason_with_points(r.code, r.points, r.params) for r in a.parts]
            found.append(RiskWarning(case=a.case, score=a.score, reasons=reasons, facts=a.facts))
    found.sort(key=lambda w: (-w.score, w.case.tracking_number))
    return found[:limit]
