"""Figures of the case statistics pages: one written definition and one selector per figure (docs/figures.md).

Rules:

- Every case figure counts the cases located in an area (the case's community, grid or micro-grid lies in it)
  that the reader may see (``cases_for``), over a period of local days [start, end], both days included.
  A case located in a community counts for that community, its street and its district, and nowhere else, so
  the district's count is the sum of its streets' counts and each street's the sum of its communities'.
- A count is the length of its list (``figure_cases``); a rate is one count divided by another, and its
  numerator's cases are always a part of its denominator's.
- Period figures follow the date of their own event: submission, resolution or rating. A case reopened after
  resolution loses its resolution date until it is resolved again.
- The level a case was resolved at is the level of the area holding it: a resolved case keeps its holder. A
  case led by a unit (a department, property company, owners' committee …) counts as resolved by a unit; the
  levels and the unit count add up to the resolved count.
- "小事不出小区": resolved within the compound = tied to a compound and resolved by its micro-grid, or led by the
  compound's own property company or owners' committee.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shequ.core.scoping import scope_of

from .domain import SATISFIED_VALUES, Status
from .models import Case
from .selectors import cases_for

# The ladder's levels, bottom up, as they appear in the share resolved at each level.
LEVELS = ("micro_grid", "grid", "community", "street", "district")
# The compound's own organisations: a case they resolved as lead unit did not leave the compound.
COMPOUND_UNIT_KINDS = frozenset({"property_company", "owners_committee"})
# Submitted but not counted: withdrawn by the reporter, or merged into another case (counted there).
NOT_COUNTED_STATUSES = (Status.WITHDRAWN.value, Status.MERGED.value)
# Leaders see the rates on their home page: the community Party secretary, street and district officers.
LEADER_ROLES = ("community_secretary", "street_officer", "district_officer")
TREND_WEEKS = 12
# Areas whose page lists its child areas' figures (a district's streets, a street's communities).
BROKEN_DOWN_LEVELS = ("city", "district", "street")

Period = tuple[datetime, datetime]


def _submitted(p: Period) -> Q:
    return Q(submitted_at__range=p) & ~Q(status__in=NOT_COUNTED_STATUSES)


def _resolved(p: Period) -> Q:
    return Q(resolved_at__range=p)


def _rated(p: Period) -> Q:
    return Q(rated_at__range=p) & ~Q(satisfaction="")


def _at_level(level: str) -> Callable[[Period], Q]:
    return lambda p: _resolved(p) & Q(holder_unit__isnull=True, holder__level=level)


@dataclass(frozen=True)
class CountFigure:
    """A number of cases: `where(period)` says which, `part_of` names the count it nests in."""

    key: str
    label: Promise
    definition: Promise
    where: Callable[[Period], Q]
    part_of: str | None = None


@dataclass(frozen=True)
class RateFigure:
    key: str
    label: Promise
    definition: Promise
    numerator: str
    denominator: str


LEVEL_LABELS = {
    "micro_grid": _("微网格"),
    "grid": _("网格"),
    "community": _("社区"),
    "street": _("街道"),
    "district": _("区"),
    "unit": _("部门或单位"),
    "other": _("其他层级"),
}

COUNTS: dict[str, CountFigure] = {
    f.key: f
    for f in (
        CountFigure(
            "submitted",
            _("提交"),
            _("期间内提交的诉求件数，不含撤回的和被合并到其他诉求的重复件。"),
            _submitted,
        ),
        CountFigure(
            "accepted_on_time",
            _("按时受理"),
            _("期间内提交的诉求中，在受理时限前受理的件数。"),
            lambda p: _submitted(p) & Q(accepted_at__isnull=False, accepted_at__lte=F("accept_by")),
            "submitted",
        ),
        CountFigure(
            "resolved",
            _("办结"),
            _("期间内办结的诉求件数（按最近一次办结时间；重办后未再办结的不计）。"),
            _resolved,
        ),
        CountFigure(
            "resolved_on_time",
            _("按时办结"),
            _("期间内办结的诉求中，在办结时限（含批准的延期）前办结的件数。"),
            lambda p: _resolved(p) & Q(resolve_by__isnull=False, resolved_at__lte=F("resolve_by")),
            "resolved",
        ),
        CountFigure(
            "rated",
            _("评价"),
            _("期间内报告人作出满意度评价的诉求件数。"),
            _rated,
        ),
        CountFigure(
            "satisfied",
            _("满意"),
            _("期间内评价为“满意”或“基本满意”的诉求件数。"),
            lambda p: _rated(p) & Q(satisfaction__in=sorted(SATISFIED_VALUES)),
            "rated",
        ),
        *(
            CountFigure(
                f"resolved_{level}",
                LEVEL_LABELS[level],
                format_lazy(_("期间内办结、办结时由{level}承办（无主办单位）的诉求件数。"), level=LEVEL_LABELS[level]),
                _at_level(level),
                "resolved",
            )
            for level in LEVELS
        ),
        CountFigure(
            "resolved_unit",
            LEVEL_LABELS["unit"],
            _("期间内办结、由部门或单位（物业、业委会等）主办的诉求件数。"),
            lambda p: _resolved(p) & Q(holder_unit__isnull=False),
            "resolved",
        ),
        CountFigure(
            "resolved_other",
            LEVEL_LABELS["other"],
            _("期间内办结、承办区域不在微网格至区五级之内（如市级）的诉求件数。"),
            lambda p: _resolved(p) & Q(holder_unit__isnull=True) & ~Q(holder__level__in=LEVELS),
            "resolved",
        ),
        CountFigure(
            "resolved_within_compound",
            _("小区内解决"),
            _("期间内办结且关联小区的诉求中，由微网格办结，或由本小区物业、业委会主办办结的件数。"),
            lambda p: (
                _resolved(p)
                & Q(compound__isnull=False)
                & (
                    Q(holder_unit__isnull=True, holder__level="micro_grid")
                    | Q(holder_unit__kind__in=sorted(COMPOUND_UNIT_KINDS))
                )
            ),
            "resolved",
        ),
    )
}
# The buckets of the share resolved at each level: they add up to `resolved`.
LEVEL_BUCKETS = (*(f"resolved_{lv}" for lv in LEVELS), "resolved_unit", "resolved_other")

RATES: dict[str, RateFigure] = {
    f.key: f
    for f in (
        RateFigure(
            "response_rate",
            _("响应率"),
            _("按时受理 ÷ 提交：期间内提交的诉求中在受理时限前受理的比例。"),
            "accepted_on_time",
            "submitted",
        ),
        RateFigure(
            "on_time_rate",
            _("按时办结率"),
            _("按时办结 ÷ 办结：期间内办结的诉求中在办结时限前办结的比例。"),
            "resolved_on_time",
            "resolved",
        ),
        RateFigure(
            "satisfaction_rate",
            _("满意率"),
            _("（满意 + 基本满意）÷ 评价：期间内作出评价的诉求中满意和基本满意的比例。"),
            "satisfied",
            "rated",
        ),
        RateFigure(
            "within_compound_rate",
            _("小区内解决率"),
            _("小区内解决 ÷ 办结。"),
            "resolved_within_compound",
            "resolved",
        ),
    )
}


@dataclass(frozen=True)
class StatFigure:
    """A figure of the suggestion statistics page, computed by `selector` (in cases/selectors.py)."""

    key: str
    label: Promise
    definition: Promise
    selector: str


# 分类与派单建议准确率 (routing_accuracy.html): decisions are counted in the month they were made, cases by
# submission; both over the cases located in the reader's subtree (district officers, system admins).
SUGGESTION_FIGURES: dict[str, StatFigure] = {
    f.key: f
    for f in (
        StatFigure(
            "routing_total",
            _("建议次数"),
            _("期间内派单或转办时系统给出派单建议的次数（按作出决定的时间），所在地在您辖区内的诉求。"),
            "routing_stats",
        ),
        StatFigure("routing_accepted", _("采纳"), _("建议次数中，主办单位与建议一致的次数。"), "routing_stats"),
        StatFigure("routing_overridden", _("改派"), _("建议次数 − 采纳：另选主办单位的次数。"), "routing_stats"),
        StatFigure("routing_accuracy", _("准确率"), _("采纳 ÷ 建议次数。"), "routing_stats"),
        StatFigure(
            "classifier_total",
            _("建议次数"),
            _("期间内提交、有分类建议且已确定分类（不含待分拣）的诉求件数，按建议分类的一级分类分组。"),
            "classifier_stats",
        ),
        StatFigure(
            "classifier_exact", _("与最终分类一致"), _("最终确定的分类就是建议分类的件数。"), "classifier_stats"
        ),
        StatFigure(
            "classifier_same_first_level",
            _("一级分类一致"),
            _("最终分类与建议分类属于同一一级分类的件数（含完全一致的）。"),
            "classifier_stats",
        ),
        StatFigure("classifier_accuracy", _("一级分类准确率"), _("一级分类一致 ÷ 建议次数。"), "classifier_stats"),
    )
}


LEVEL_SHARE_DEFINITION = _("各层级办结 ÷ 办结：期间内办结的诉求按办结时的承办层级或主办单位分布，各项合计为100%。")
TREND_DEFINITION = _("最近12周（截至今天，每7天一段）每周的按时办结率和满意率，分子分母同上。")


def local_bounds(start: date, end: date) -> Period:
    """[start 00:00, end 23:59:59.999999] in the current time zone."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), tz),
        timezone.make_aware(datetime.combine(end, time.max), tz),
    )


def cases_in(actor: Any, area: Any) -> QuerySet[Case]:
    """The cases located in `area` that `actor` may see: the base of every figure."""
    return cases_for(actor).filter(location_path__startswith=area.path)


def figure_cases(actor: Any, area: Any, key: str, start: date, end: date) -> QuerySet[Case]:
    """The list behind count figure `key` (KeyError for an unknown key)."""
    return cases_in(actor, area).filter(COUNTS[key].where(local_bounds(start, end)))


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.numerator / self.denominator) if self.denominator else None


@dataclass
class Figures:
    """The counts of one area and period; rates and shares are derived from them."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def add(self, other: "Figures") -> None:
        for key, n in other.counts.items():
            self.counts[key] += n

    def rate(self, key: str) -> Rate:
        r = RATES[key]
        return Rate(self.counts[r.numerator], self.counts[r.denominator])

    def level_shares(self) -> list[tuple[str, Promise, Rate]]:
        """(count key, label, share of resolved) for each level bucket."""
        resolved = self.counts["resolved"]
        return [(key, COUNTS[key].label, Rate(self.counts[key], resolved)) for key in LEVEL_BUCKETS]


def _by_community(actor: Any, area: Any, period: Period) -> dict[int, Figures]:
    annotations = {key: Count("pk", filter=f.where(period)) for key, f in COUNTS.items()}
    rows = cases_in(actor, area).order_by().values("community_id").annotate(**annotations)
    result: dict[int, Figures] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        result[values["community_id"]] = Figures(counts={key: values[key] for key in COUNTS})
    return result


def figures_for(actor: Any, area: Any, start: date, end: date) -> Figures:
    """Every count of `area` over [start, end], as `actor` may see it."""
    total = Figures()
    for part in _by_community(actor, area, local_bounds(start, end)).values():
        total.add(part)
    return total


@dataclass(frozen=True)
class Breakdown:
    total: Figures
    rows: list[tuple[Any, Figures]]  # (child area, its figures), in code order
    unplaced: Figures | None  # cases in `area` but in none of the rows' areas (none, in a clean tree)


def breakdown(actor: Any, area: Any, start: date, end: date) -> Breakdown:
    """The figures of `area` and of each of its child areas (streets of a district, communities of a street)."""
    from shequ.territory import selectors as territory_selectors

    parts = _by_community(actor, area, local_bounds(start, end))
    children: list[Any] = []
    paths: dict[int, str] = {}
    if area.level in BROKEN_DOWN_LEVELS:
        children = list(territory_selectors.areas_for(actor).filter(parent=area).order_by("code"))
        paths = dict(territory_selectors.areas_for(actor).filter(pk__in=list(parts)).values_list("pk", "path"))
    rows = [(child, Figures()) for child in children]
    total, unplaced = Figures(), Figures()
    for community_id, figures in parts.items():
        total.add(figures)
        path = paths.get(community_id, "")
        home = next((f for child, f in rows if path.startswith(child.path)), unplaced)
        home.add(figures)
    has_unplaced = bool(children) and any(unplaced.counts.values())
    return Breakdown(total, rows, unplaced if has_unplaced else None)


@dataclass(frozen=True)
class Week:
    start: date
    end: date
    on_time: Rate
    satisfaction: Rate


def trend(actor: Any, area: Any, today: date, weeks: int = TREND_WEEKS) -> list[Week]:
    """On-time and satisfaction rates for each of the last `weeks` seven-day spans ending on `today`."""
    spans = [
        (today - timedelta(days=7 * (weeks - i) - 1), today - timedelta(days=7 * (weeks - 1 - i))) for i in range(weeks)
    ]
    keys = ("resolved", "resolved_on_time", "rated", "satisfied")
    annotations = {
        f"{key}_{i}": Count("pk", filter=COUNTS[key].where(local_bounds(a, b)))
        for i, (a, b) in enumerate(spans)
        for key in keys
    }
    row = cases_in(actor, area).order_by().aggregate(**annotations)
    return [
        Week(
            a,
            b,
            Rate(row[f"resolved_on_time_{i}"], row[f"resolved_{i}"]),
            Rate(row[f"satisfied_{i}"], row[f"rated_{i}"]),
        )
        for i, (a, b) in enumerate(spans)
    ]


def is_leader(actor: Any) -> bool:
    """Whether the actor holds a leader's role (community Party secretary, street or district officer)."""
    return scope_of(actor).has_role(*LEADER_ROLES)
