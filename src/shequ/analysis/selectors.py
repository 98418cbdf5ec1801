"""Reads of stored warnings and thresholds, scoped to the actor.

A warning is *listed* when its case is still open, the actor may see the case, and its score reaches the
threshold of the case's district (`RiskThreshold`, or `default_threshold()` where the district set none).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from shequ.cases.domain import OPEN_STATUSES
from shequ.cases.permissions import VIEW_ROLES
from shequ.cases.selectors import cases_for
from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of
from shequ.territory.models import Area

from . import risk
from .domain import STATE_LABELS, State
from .models import Kind, RiskThreshold, Warning
from .permissions import THRESHOLD_ROLES


def default_threshold() -> int:
    """The threshold of a district that set none (settings `SHEQU_RISK_THRESHOLD`, else `RiskWeights`)."""
    return risk.RiskWeights.from_settings().threshold


def threshold_of(district: Any) -> int:
    """The petition-risk threshold of `district` (its own, or the default)."""
    if district is None:
        return default_threshold()
    row = RiskThreshold.objects.filter(district=district).values_list("threshold", flat=True).first()
    return row if row is not None else default_threshold()


def threshold_row(district: Any) -> RiskThreshold | None:
    return RiskThreshold.objects.filter(district=district).select_related("set_by").first()


def _with_threshold(qs: QuerySet[Warning]) -> QuerySet[Warning]:
    own = RiskThreshold.objects.filter(district=OuterRef("district")).values("threshold")[:1]
    return qs.annotate(threshold=Coalesce(Subquery(own, output_field=IntegerField()), Value(default_threshold())))


def warnings_in_scope(actor: Any) -> QuerySet[Warning]:
    """Every stored petition-risk warning whose case the actor may see (any score, any case status)."""
    return Warning.objects.filter(kind=Kind.PETITION_RISK, case__in=cases_for(actor))


def listed_warnings(actor: Any, *, state: str = "") -> QuerySet[Warning]:
    """The actor's listed warnings (open case, score at or above its district's threshold), highest score first."""
    qs = _with_threshold(warnings_in_scope(actor).filter(case__status__in=[s.value for s in OPEN_STATUSES])).filter(
        score__gte=F("threshold")
    )
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("case", "case__community", "case__holder", "assignee").order_by(
        "-score", "case__tracking_number"
    )


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def counts_by_state(actor: Any) -> list[StateCount]:
    """How many listed warnings are in each state, in the order of `State` (zero included)."""
    rows = dict(
        listed_warnings(actor).order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return [StateCount(s.value, str(STATE_LABELS[s]), rows.get(s.value, 0)) for s in State]


def open_warning_count(actor: Any) -> int:
    """Listed warnings nobody has acted on yet (state open): the home page's to-do count."""
    return listed_warnings(actor, state=State.OPEN).count()


def get_warning_for(actor: Any, public_id: Any) -> Warning:
    """A warning of a case the actor may see; NotFound for a missing and a forbidden one alike."""
    qs = warnings_in_scope(actor).select_related("case", "assignee")
    return get_by_public_id(qs, public_id)


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def assignable_users(actor: Any, warning: Warning) -> QuerySet[Any]:
    """Staff a warning may be assigned to: active accounts with a territorial role at the case's place or above
    it (so they see the case), within the actor's own territory."""
    paths = [p for p in _prefixes(warning.case.location_path) if scope_of(actor).covers(p)]
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, assignments__role__in=list(VIEW_ROLES), assignments__area__path__in=paths)
        .distinct()
        .order_by("username")
    )


def history_of(warning: Warning) -> QuerySet[Any]:
    return warning.events.select_related("actor", "assignee").order_by("created_at", "id")


def district_of_path(path: str) -> Area | None:
    """The district whose subtree holds `path` (None outside every district)."""
    return Area.objects.filter(level="district", path__in=_prefixes(path)).first()


def districts_for(actor: Any) -> QuerySet[Area]:
    """The districts whose threshold the actor may set."""
    paths = scope_of(actor).paths(THRESHOLD_ROLES)
    return Area.objects.filter(level="district", path__in=list(paths)).order_by("path")


def threshold_for_actor(actor: Any) -> int:
    """The threshold the actor's list applies: that of the district of the actor's first territory (the default
    outside every district)."""
    paths = scope_of(actor).paths()
    return threshold_of(district_of_path(paths[0])) if paths else default_threshold()
