"""Reads of cases, scoped to the actor: located in their subtree or held by a unit in it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.lookup import get_by_public_id
from shequ.core.permissions import can
from shequ.core.scoping import scope_of

from .domain import ESCALATABLE_STATUSES, OPEN_STATUSES, STAGE_LABELS, current_stage, deadline_field, end_of_day
from .models import Case, CaseAssignment, CaseRequest, CaseTransition, Category, RoutingDecision
from .permissions import (
    APPROVE_ROLES,
    DISPATCH_ROLES,
    HANDLE_ROLES,
    ROUTING_STATS_ROLES,
    UNIT_ROLES,
    VIEW_ROLES,
)


def _granted_q(actor: Any, role: str | None = None) -> Q:
    """Cases with an active case-level grant (lead or helper) to the actor's unit or to an area in scope."""
    scope = scope_of(actor)
    unit_ids = scope.unit_ids(UNIT_ROLES)
    area_q = scope.q("area_path", roles=VIEW_ROLES)
    grant_q = Q(unit_id__in=unit_ids) | area_q if unit_ids else area_q
    grants = CaseAssignment.objects.filter(grant_q, case=OuterRef("pk"), active=True)
    if role is not None:
        grants = grants.filter(role=role)
    return Q(Exists(grants))


def cases_for(actor: Any) -> QuerySet[Case]:
    scope = scope_of(actor)
    q = scope.q("location_path", roles=VIEW_ROLES) | scope.q("holder_path", roles=VIEW_ROLES)
    if scope.unit_ids(UNIT_ROLES) or scope.paths(VIEW_ROLES):
        q |= _granted_q(actor)
    return Case.objects.filter(q)


def get_case_for(actor: Any, public_id: Any) -> Case:
    qs = cases_for(actor).select_related(
        "category", "community", "micro_grid", "compound", "building", "holder", "first_receiver", "holder_unit"
    )
    return get_by_public_id(qs, public_id)


@dataclass(frozen=True)
class ReporterView:
    """What the case page shows of the reporter to this actor (`cases.see_reporter`, `cases.contact_reporter`).

    mode: "anonymous"; "shown" (name and masked mobile, full mobile on an audited request); "on_request" (the
    handling unit sees placeholders and may reveal with a reason); "hidden" (placeholders only).
    """

    mode: str
    name: str
    mobile_masked: str

    @property
    def can_reveal_mobile(self) -> bool:
        return self.mode == "shown" and bool(self.mobile_masked)


HIDDEN_NAME = _("居民（已隐藏）")
HIDDEN_MOBILE = _("（已隐藏）")


def reporter_view(actor: Any, case: Case) -> ReporterView:
    """The reporter as this actor may see it; never the clear mobile (that is a separate, audited request)."""
    if case.anonymous:
        return ReporterView("anonymous", "", "")
    if can(actor, "cases.see_reporter", case):
        return ReporterView("shown", case.reporter_name, case.reporter_mobile_masked)
    mode = "on_request" if can(actor, "cases.contact_reporter", case) else "hidden"
    return ReporterView(mode, str(HIDDEN_NAME), str(HIDDEN_MOBILE))


def get_case_by_tracking_number(number: str) -> Case | None:
    """Unscoped lookup by the public tracking number (public outputs carry no personal information)."""
    return Case.objects.filter(tracking_number=number).select_related("category").first()


def running_deadline_q(*, after: datetime | None = None, before: datetime | None = None, stage: str = "") -> Q:
    """Cases whose running stage deadline (`domain.running_deadline`) is at or after `after` and before `before`.

    The deadline is the stage's, never `escalate_after`: an escalated case past its deadline still matches. With
    `stage` ("accept", "dispatch", "resolve") only cases in that stage; suspended and closed cases never match.
    """
    q = Q(pk__in=[])
    for status in sorted(ESCALATABLE_STATUSES):
        field = deadline_field(status)
        if field is None or (stage and current_stage(status) != stage):
            continue
        bounds = {f"{field}__gte": after} if after is not None else {}
        if before is not None:
            bounds[f"{field}__lt"] = before
        q |= Q(status=status.value, **bounds)
    return q


def returned_q() -> Q:
    """Cases whose latest step is a return (退单): waiting to be dispatched again."""
    latest = CaseTransition.objects.filter(case=OuterRef("pk")).order_by("-at", "-id").values("event")[:1]
    return Q(Exact(Subquery(latest), "return"))


def queue(actor: Any, name: str) -> QuerySet[Case]:
    """Work queues: to_accept, triage (category to confirm), to_dispatch, returned (退单, to dispatch again),
    to_handle (held by me), assisting, approvals, due_today (a stage deadline today), overdue (past a stage
    deadline, escalated or not), supervised, all."""
    scope = scope_of(actor)
    base = cases_for(actor).select_related("category", "holder", "community")
    if name == "triage":
        return base.filter(
            scope.q("holder_path", roles=DISPATCH_ROLES),
            needs_triage=True,
            status__in=[s.value for s in OPEN_STATUSES],
        ).select_related("suggested_category")
    if name == "to_accept":
        return base.filter(scope.q("holder_path", roles=DISPATCH_ROLES), status="submitted")
    if name == "to_dispatch":
        return base.filter(scope.q("holder_path", roles=DISPATCH_ROLES), status="accepted")
    if name == "to_handle":
        mine = scope.q("holder_path", roles=HANDLE_ROLES) & Q(holder_unit__isnull=True)
        unit_ids = scope.unit_ids(UNIT_ROLES)
        if unit_ids:
            mine |= Q(holder_unit_id__in=unit_ids)
        return base.filter(mine, status__in=["dispatched", "in_progress", "suspended"])
    if name == "assisting":
        return base.filter(_granted_q(actor, role="helper"), status__in=[s.value for s in OPEN_STATUSES])
    if name == "approvals":
        pending = CaseRequest.objects.filter(
            scope.q("approver_path", roles=APPROVE_ROLES), case=OuterRef("pk"), status="pending"
        )
        return base.filter(Exists(pending))
    if name == "overdue":
        return base.filter(running_deadline_q(before=timezone.now()))
    if name == "due_today":
        now = timezone.now()
        return base.filter(running_deadline_q(after=now, before=end_of_day(timezone.localdate(now))))
    if name == "returned":
        return base.filter(scope.q("holder_path", roles=DISPATCH_ROLES), status="accepted").filter(returned_q())
    if name == "supervised":
        return base.filter(supervised=True, status__in=[s.value for s in OPEN_STATUSES])
    return base


def answers_waiting_review(actor: Any) -> QuerySet[Case]:
    """Cases whose grid worker's answer waits for the actor's review (答复待审核): those of the communities where
    the actor may review answers (`cases.review_answer`), oldest deadline first."""
    from .permissions import REVIEW_ANSWER_ROLES

    scope = scope_of(actor)
    return (
        cases_for(actor)
        .filter(scope.q("location_path", roles=REVIEW_ANSWER_ROLES), status="answer_review")
        .select_related("category", "holder", "community")
        .order_by("resolve_by", "id")
    )


def assignments_of(case: Case) -> QuerySet[CaseAssignment]:
    return CaseAssignment.objects.filter(case=case).select_related("area", "unit").order_by("-active", "role", "id")


def requests_of(case: Case) -> QuerySet[CaseRequest]:
    return CaseRequest.objects.filter(case=case).select_related("requested_by", "decided_by", "approver_area")


def pending_request(case: Case) -> CaseRequest | None:
    return requests_of(case).filter(status=CaseRequest.PENDING).first()


def timeline(case: Case) -> QuerySet[CaseTransition]:
    return CaseTransition.objects.filter(case=case).select_related("from_holder", "to_holder").order_by("at", "id")


DISPATCH_LEVELS = ("community", "grid", "micro_grid")
COMPOUND_ONLY_KINDS = ("owners_committee",)  # units that serve exactly one compound
TRANSFER_LEVELS = ("street", *DISPATCH_LEVELS)


def is_unit(target: Any) -> bool:
    """A unit outside the territory tree (department, property company, organisation) rather than an area."""
    return target is not None and not hasattr(target, "level") and hasattr(target, "kind")


@dataclass(frozen=True)
class RoutingTargets:
    """Where a case may be sent now: the one rule behind the dispatch and transfer forms, the case page and the
    dispatch and transfer services.

    - lead (主办): the holder itself, or a community, grid or micro-grid below it;
    - helpers (协办): a community, grid or micro-grid below the holder or in the case's street;
    - transfer (转办): the case's street, or a community, grid or micro-grid of it, other than the holder;
    - units, for all three: the departments, property companies, owners' committees and organisations
      responsible for the case's place (the unit's most specific place counts: an area at or above the case's
      micro-grid or community, the case's compound, the case's building). An owners' committee represents the
      owners of one compound, so it is offered only for a case in that compound (`COMPOUND_ONLY_KINDS`): never
      another compound's, nor one registered without its compound.
    """

    lead_areas: QuerySet[Any]
    helper_areas: QuerySet[Any]
    transfer_areas: QuerySet[Any]
    units: QuerySet[Any]

    def _has(self, areas: QuerySet[Any], target: Any) -> bool:
        if target is None or getattr(target, "pk", None) is None:
            return False
        return (self.units if is_unit(target) else areas).filter(pk=target.pk).exists()

    def lead_allowed(self, target: Any) -> bool:
        return self._has(self.lead_areas, target)

    def helper_allowed(self, target: Any) -> bool:
        return self._has(self.helper_areas, target)

    def transfer_allowed(self, target: Any) -> bool:
        return self._has(self.transfer_areas, target)


def routing_targets(case: Case) -> RoutingTargets:
    """The areas and units `case` may be dispatched (lead, helpers) or transferred to (see RoutingTargets)."""
    from shequ.organisations.selectors import dispatchable_units
    from shequ.territory.selectors import areas_under

    holder = case.holder
    street = case.community.parent
    lead = areas_under(holder).filter(Q(level__in=DISPATCH_LEVELS) | Q(pk=holder.pk))
    nearby = areas_under(holder) | areas_under(street) if street is not None else areas_under(holder)
    helpers = nearby.filter(level__in=DISPATCH_LEVELS)
    transfer = areas_under(street or case.community).filter(level__in=TRANSFER_LEVELS).exclude(pk=holder.pk)
    return RoutingTargets(
        lead_areas=lead.order_by("path"),
        helper_areas=helpers.order_by("path"),
        transfer_areas=transfer.order_by("path"),
        units=dispatchable_units(
            case.micro_grid or case.community, compound=case.compound, building=case.building
        ).exclude(kind__in=COMPOUND_ONLY_KINDS, compound__isnull=True),
    )


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")


def leaf_categories_matching(text: str, limit: int = 30) -> QuerySet[Category]:
    text = (text or "").strip()
    qs = categories()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(keywords__contains=text) | Q(parent__name__contains=text))
    return qs[:limit]


def all_cases_unscoped() -> QuerySet[Case]:
    """Every case, for public channels that add their own filtering and redaction (Open311, public lists).

    Callers must never expose personal information: tracking number, category, status, dates, redacted text.
    """
    return Case.objects.all()


def category_by_public_id(public_id: Any) -> Category | None:
    try:
        return categories().filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


# --- suggestion statistics -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of suggestions and of those a person kept."""

    total: int = 0
    accepted: int = 0

    @property
    def overridden(self) -> int:
        return self.total - self.accepted

    @property
    def accuracy(self) -> float | None:
        return self.accepted / self.total if self.total else None


@dataclass
class RoutingStats:
    """Per category: routing suggestions accepted or overridden, overall and by month (YYYY-MM)."""

    by_category: dict[str, Tally] = field(default_factory=dict)
    by_month: dict[tuple[str, str], Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)

    @property
    def months(self) -> list[str]:
        return sorted({m for m, _c in self.by_month}, reverse=True)


def routing_decisions_for(actor: Any) -> QuerySet[RoutingDecision]:
    """Routing decisions on cases located in the actor's subtree (district officers, system admins)."""
    scope = scope_of(actor)
    return RoutingDecision.objects.filter(scope.q("case__location_path", roles=ROUTING_STATS_ROLES))


def _category_label(category: Any) -> str:
    if category is None:
        return "—"
    names, node = [], category
    while node is not None:
        names.append(node.name)
        node = node.parent
    return " › ".join(reversed(names))


def routing_stats(actor: Any, *, since: datetime, until: datetime) -> RoutingStats:
    """Routing suggestions decided in [since, until): per category and month, accepted or overridden."""
    stats = RoutingStats()
    rows = (
        routing_decisions_for(actor)
        .filter(decided_at__gte=since, decided_at__lt=until)
        .select_related("category__parent__parent")
        .order_by("decided_at", "id")
    )
    for d in rows.iterator(chunk_size=2000):
        label = _category_label(d.category)
        month = f"{timezone.localtime(d.decided_at):%Y-%m}"
        for tally in (
            stats.overall,
            stats.by_category.setdefault(label, Tally()),
            stats.by_month.setdefault((month, label), Tally()),
        ):
            tally.total += 1
            tally.accepted += int(d.accepted)
    return stats


@dataclass
class ClassifierRow:
    """Suggestions grouped by the suggested category's first-level category."""

    first_level: str
    total: int = 0
    exact: int = 0  # the category finally set is the suggested one
    same_first_level: int = 0  # the category finally set is in the same first-level category
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def exact_rate(self) -> float | None:
        return self.exact / self.total if self.total else None

    @property
    def first_level_rate(self) -> float | None:
        return self.same_first_level / self.total if self.total else None


def classifier_stats(actor: Any, *, since: datetime, until: datetime) -> list[ClassifierRow]:
    """Category suggestions of cases submitted in [since, until) against the category finally set.

    Cases still waiting for triage or without a category are left out: nobody has decided yet.
    """
    scope = scope_of(actor)
    first_names = dict(Category.objects.filter(level=1).values_list("code", "name"))
    rows: dict[str, ClassifierRow] = {}
    qs = (
        Case.objects.filter(
            scope.q("location_path", roles=ROUTING_STATS_ROLES),
            submitted_at__gte=since,
            submitted_at__lt=until,
            suggested_category__isnull=False,
            category__isnull=False,
            needs_triage=False,
        )
        .values_list("suggested_category__code", "category__code", "suggestion_source")
        .order_by()
    )
    for suggested, final, source in qs.iterator(chunk_size=5000):
        root = suggested.split("-")[0]
        row = rows.setdefault(root, ClassifierRow(first_names.get(root, root)))
        row.total += 1
        row.exact += int(suggested == final)
        row.same_first_level += int(final.split("-")[0] == root)
        row.by_source[source or "-"] = row.by_source.get(source or "-", 0) + 1
    return [rows[k] for k in sorted(rows)]


@dataclass(frozen=True)
class QueueSelection:
    """A queue tab with the page's filters applied, scoped to the actor.

    `applied` holds the valid filters in use as plain strings (kept in links and the export audit record);
    `errors` the messages of the invalid ones, which are not applied; `form` the bound filter form.
    """

    tab: str
    queryset: QuerySet
    applied: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    form: Any = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


STAGE_TABS = ("due_today", "overdue")  # tabs that take `stage`: only the cases of that stage's deadline


# The queue page opens on the first of these with work waiting (a department's officer on 待办理, a dispatcher on
# 待受理), so nobody lands on an empty tab while work waits elsewhere; 待受理 when all are empty.
DEFAULT_TAB_ORDER = ("to_accept", "triage", "to_dispatch", "returned", "to_handle", "approvals", "assisting")


def default_tab(actor: Any) -> str:
    """The first tab of `DEFAULT_TAB_ORDER` holding a case for `actor`."""
    for tab in DEFAULT_TAB_ORDER:
        if queue(actor, tab).exists():
            return tab
    return "to_accept"


def select_queue(actor: Any, params: Mapping[str, Any]) -> QueueSelection:
    """The queue page's selection from its GET parameters (an unknown tab falls back to 待受理, as on the page;
    `stage` narrows 今日到期 and 已超时 to one stage's deadline)."""
    from . import forms  # the filter form reads its choices through this module
    from .topics import on_topic

    tab = params.get("tab") or default_tab(actor)
    if tab not in forms.QUEUE_TABS:
        tab = "to_accept"
    qs = queue(actor, tab)
    filter_form = forms.QueueFilterForm(params, actor=actor)
    filter_form.is_valid()
    data = filter_form.cleaned_data  # the valid fields only
    applied = {k: str(data[k]).strip() for k in filter_form.fields if data.get(k) and str(data[k]).strip()}
    stage = params.get("stage") or ""
    if tab in STAGE_TABS and stage in STAGE_LABELS:
        applied["stage"] = stage  # kept in links and the export, like the form's filters
        qs = qs.filter(running_deadline_q(stage=stage))
    if applied.get("status"):
        qs = qs.filter(status=applied["status"])
    if applied.get("text"):
        qs = qs.filter(title__contains=applied["text"])
    if applied.get("community"):
        qs = qs.filter(community__public_id=applied["community"])
    if data.get("submitted_from"):
        qs = qs.filter(submitted_at__gte=_day_start(data["submitted_from"]))
    if data.get("submitted_to"):
        qs = qs.filter(submitted_at__lt=_day_start(data["submitted_to"] + timedelta(days=1)))
    if applied.get("category"):
        category = category_by_public_id(applied["category"])
        if category is not None and tab == "triage":
            # Cases waiting there have no category yet: match what was suggested for them, or their text's topic.
            code = category.code
            suggested = Q(suggested_category__code=code) | Q(suggested_category__code__startswith=f"{code}-")
            qs = qs.filter(suggested | Q(pk__in=on_topic(qs, category).values("pk")))
        elif category is not None:
            qs = on_topic(qs, category)  # last: it reads the uncategorised cases the other filters leave
    return QueueSelection(
        tab=tab,
        queryset=qs.order_by("-submitted_at", "-id"),
        applied=applied,
        errors={k: list(v) for k, v in filter_form.errors.items()},
        form=filter_form,
    )
