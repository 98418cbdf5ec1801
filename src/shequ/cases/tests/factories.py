"""Cases for tests, made through the real services: submitted, accepted, dispatched, in progress, resolved.

Every factory takes the territory `t` of `make_tree()` (or a world built on it, such as `make_world()`) and
returns the case as the last service left it. Without `actor` a community worker of the case's community
submits and dispatches it (`dispatcher_of`, created on first use); pass the test's own worker when the test
counts that worker's notices or audit rows. `**fields` are `CaseInput` fields overriding `CASE_DEFAULTS`
(`building` may name a building of `t`).

`seed_categories` loads the shipped category tree into an empty table in three statements (the `categories`
fixture of the root conftest); `test_factories.py` checks that it leaves what `categories_seed` leaves.
"""

from datetime import datetime
from functools import cache
from typing import Any

from shequ.accounts.models import User
from shequ.accounts.tests.factories import staff
from shequ.cases import services
from shequ.cases.categories import load_categories
from shequ.cases.models import Case, Category
from shequ.core import audit

CASE_DEFAULTS: dict[str, Any] = {
    "case_type": "complaint",
    "title": "楼道堆放杂物",
    "description": "三单元楼道堆满纸箱，影响通行",
    "channel": "staff",
    "reporter_name": "王某",
    "reporter_mobile": "13812345678",
}
REPLY = "已联系物业清理楼道杂物，并张贴提示。"


def case_input(t: dict[str, Any] | None = None, **fields: Any) -> services.CaseInput:
    """A `CaseInput`: CASE_DEFAULTS on building b1 of `t`, with `fields` overriding (building by key or object)."""
    fields = {**CASE_DEFAULTS, "building": "b1" if t is not None else None, **fields}
    if isinstance(fields["building"], str):
        fields["building"] = t[fields["building"]] if t is not None else None
    return services.CaseInput(**fields)


def _worker(role: str, area: Any) -> User:
    found = User.objects.filter(assignments__role=role, assignments__area=area, assignments__unit=None).first()
    return found or staff(role, area)


def dispatcher_of(area: Any) -> User:
    """A community worker of `area` (a community; created on first use)."""
    return _worker("community_worker", area)


def handler_of(target: Any) -> User:
    """The worker who starts and resolves a case dispatched to the area `target` (created on first use)."""
    role = {"micro_grid": "micro_grid_worker", "grid": "grid_worker", "community": "community_worker"}.get(
        getattr(target, "level", None)
    )
    if role is None:
        raise ValueError(f"pass handler= for a case dispatched to {target!r}")
    return _worker(role, target)


def _community_of(t: dict[str, Any] | None, data: services.CaseInput) -> Any:
    if data.community is not None:
        return data.community
    if data.building is not None:
        return data.building.compound.community
    raise ValueError("pass actor= for a case placed by a point")


def submitted_case(
    t: dict[str, Any] | None = None, actor: Any = None, *, now: datetime | None = None, **fields: Any
) -> Case:
    """Submit a case (`case_submit`) by `actor`, default the community's dispatcher, at `now`."""
    data = case_input(t, **fields)
    return services.case_submit(actor=actor or dispatcher_of(_community_of(t, data)), data=data, now=now)


def accepted_case(
    t: dict[str, Any] | None = None,
    actor: Any = None,
    *,
    now: datetime | None = None,
    accepted_at: datetime | None = None,
    submitted_by: Any = None,
    **fields: Any,
) -> Case:
    """Submit (by `submitted_by`, default `actor`) and accept a case (by `actor`, default the dispatcher)."""
    case = submitted_case(t, submitted_by or actor, now=now, **fields)
    return services.case_accept(actor=actor or dispatcher_of(case.community), case=case, now=accepted_at)


def dispatched_case(
    t: dict[str, Any] | None = None,
    actor: Any = None,
    *,
    to: Any = "m111",
    now: datetime | None = None,
    accepted_at: datetime | None = None,
    dispatched_at: datetime | None = None,
    **fields: Any,
) -> Case:
    """Submit, accept and dispatch a case to `to` (a key of `t`, an area or a unit)."""
    case = accepted_case(t, actor, now=now, accepted_at=accepted_at, **fields)
    target = t[to] if isinstance(to, str) else to
    return services.case_dispatch(
        actor=actor or dispatcher_of(case.community), case=case, target=target, now=dispatched_at
    )


def in_progress_case(t: dict[str, Any] | None = None, actor: Any = None, *, handler: Any = None, **kw: Any) -> Case:
    """A dispatched case its handler has started (`handler` default: `handler_of` the target area)."""
    case = dispatched_case(t, actor, **kw)
    return services.case_start(actor=handler or handler_of(_target(t, kw)), case=case)


def no_answer_review(community: Any) -> None:
    """Let `community` publish grid workers' answers without review (its setting: no type reviewed)."""
    from shequ.cases.models import CommunityCaseSettings

    CommunityCaseSettings.objects.update_or_create(community=community, defaults={"review_answers_for": []})


def resolved_case(
    t: dict[str, Any] | None = None,
    actor: Any = None,
    *,
    handler: Any = None,
    reply: str = REPLY,
    started: bool = True,
    resolved_at: datetime | None = None,
    **kw: Any,
) -> Case:
    """A dispatched case its handler has (started, unless `started=False`, and) resolved with `reply`; an answer
    held for the community's review (答复待审核) is approved by the community, so the case stands resolved."""
    case = dispatched_case(t, actor, **kw)
    handler = handler or handler_of(_target(t, kw))
    if started:
        services.case_start(actor=handler, case=case)
    case = services.case_resolve(actor=handler, case=case, reply=reply, now=resolved_at)
    if case.status == "answer_review":  # the community reviews this answer (complaints by default): approve it
        from shequ.cases.review_services import answer_review

        case = answer_review(actor=dispatcher_of(case.community), case=case, approve=True, now=resolved_at)
    return case


def _target(t: dict[str, Any] | None, kw: dict[str, Any]) -> Any:
    to = kw.get("to", "m111")
    return t[to] if isinstance(to, str) else to


# --- the category tree ---------------------------------------------------------------------------------


@cache
def _category_rows() -> tuple[tuple[str, str, dict[str, Any]], ...]:
    return tuple(
        (
            e.code,
            e.parent_code,
            {
                "level": e.level,
                "name": e.name,
                "default_type": e.default_type,
                "handling_level": e.handling_level,
                "resolve_days": e.resolve_days,
                "keywords": "|".join(e.keywords),
            },
        )
        for e in sorted(load_categories(), key=lambda e: (e.level, e.code))
    )


def seed_categories() -> dict[str, Category]:
    """Load the shipped category tree as `categories_seed` does (same rows, same audit record); by code."""
    if Category.objects.exists():
        services.categories_seed()  # not empty: let the service merge
        return {c.code: c for c in Category.objects.all()}
    rows = _category_rows()
    by_code: dict[str, Category] = {}
    for level in sorted({values["level"] for _, _, values in rows}):
        made = Category.objects.bulk_create(
            Category(code=code, parent=by_code.get(parent) if parent else None, **values)
            for code, parent, values in rows
            if values["level"] == level
        )
        by_code.update((c.code, c) for c in made)
    audit.record(
        actor=services.CATEGORIES_SEED,
        action="cases.categories_seeded",
        object_type="cases.category",
        object_label="categories.csv",
        after={"created": len(rows), "updated": 0},
    )
    return by_code
