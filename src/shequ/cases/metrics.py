"""Case metrics per area and period (issue 4): response, on-time resolution, satisfaction, level of resolution.

- response rate = cases accepted by their acceptance deadline ÷ cases submitted in the period;
- on-time resolution rate = cases resolved by their resolution deadline ÷ cases resolved in the period;
- satisfaction rate = (满意 + 基本满意) ÷ cases rated in the period;
- share resolved at each level of the ladder (the holder when the case was resolved; a case led by a unit outside
  the tree counts at no level), and within the compound (resolved by a micro-grid, or led by the compound's own
  property company or owners' committee, while the case is tied to a compound: "小事不出小区、大事不出社区").
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from .models import CaseTransition
from .selectors import cases_for

LEVELS = ("micro_grid", "grid", "community", "street", "district")
# The compound's own organisations: a case they resolved as lead unit did not leave the compound.
COMPOUND_UNIT_KINDS = frozenset({"property_company", "owners_committee"})


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Metrics:
    submitted: int
    response: Rate
    on_time: Rate
    satisfaction: Rate
    resolved_by_level: dict[str, int] = field(default_factory=dict)
    resolved_within_compound: int = 0

    def level_share(self, level: str) -> float | None:
        total = sum(self.resolved_by_level.values())
        return self.resolved_by_level.get(level, 0) / total if total else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.max), tz),
    )


def case_metrics(actor: Any, area: Any, start: date, end: date) -> Metrics:
    """Metrics of the cases located under `area` (within the actor's scope) for the period [start, end]."""
    lo, hi = _bounds(start, end)
    base = cases_for(actor).filter(location_path__startswith=area.path)
    submitted = base.filter(submitted_at__range=(lo, hi)).exclude(status="withdrawn")
    accepted_in_time = submitted.filter(accepted_at__isnull=False, accepted_at__lte=F("accept_by")).count()
    resolved = base.filter(resolved_at__range=(lo, hi))
    on_time = resolved.filter(resolve_by__isnull=False, resolved_at__lte=F("resolve_by")).count()
    rated = base.filter(rated_at__range=(lo, hi)).exclude(satisfaction="")
    satisfied = rated.filter(Q(satisfaction="satisfied") | Q(satisfaction="basically")).count()
    last_resolve = CaseTransition.objects.filter(case__in=resolved, event="resolve").values_list(
        "case_id", "to_holder__level", "case__compound_id", "case__holder_unit__kind"
    )
    by_case: dict[int, tuple[str, Any, Any]] = {}
    for case_id, level, compound_id, unit_kind in last_resolve.order_by("at", "id"):
        by_case[case_id] = (level, compound_id, unit_kind)
    by_level = {lv: 0 for lv in LEVELS}
    within_compound = 0
    for level, compound_id, unit_kind in by_case.values():
        if unit_kind is None and level in by_level:
            by_level[level] += 1
        if compound_id is not None and (
            (unit_kind is None and level == "micro_grid") or unit_kind in COMPOUND_UNIT_KINDS
        ):
            within_compound += 1
    return Metrics(
        submitted=submitted.count(),
        response=Rate(accepted_in_time, submitted.count()),
        on_time=Rate(on_time, resolved.count()),
        satisfaction=Rate(satisfied, rated.count()),
        resolved_by_level=by_level,
        resolved_within_compound=within_compound,
    )
