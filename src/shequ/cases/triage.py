"""Bulk triage: confirming the category of several cases waiting in 待分拣 at once, each through
`services.case_triage` in its own transaction (a skipped case never undoes the others)."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.permissions import can, require, write_service

from . import domain
from .models import Case, Category
from .services import case_triage
from .transitions import lock_case

TRIAGE_BULK_LIMIT = 200  # cases one bulk triage may touch


@dataclass(frozen=True)
class TriageItem:
    """One ticked case of a bulk triage: the category it gets, or the reason it is left as it is."""

    case: Case
    category: Category | None
    skip_reason: str = ""


@dataclass
class BulkTriage:
    """A bulk triage, planned (`case_triage_bulk_preview`) or done (`case_triage_bulk`), in the order ticked."""

    items: list[TriageItem] = field(default_factory=list)
    missing: int = 0  # ticked ids not found in the actor's scope: a missing case and a forbidden one look alike

    @property
    def ready(self) -> list[TriageItem]:
        return [i for i in self.items if not i.skip_reason]

    @property
    def skipped(self) -> list[TriageItem]:
        return [i for i in self.items if i.skip_reason]


def _triage_skip_reason(actor: Any, case: Case, category: Category | None) -> str:
    """Why `case_triage` would not set `category` on `case` now ("" when it would)."""
    if not case.needs_triage:
        return _("已不在待分拣中，可能已由他人分拣")
    if case.status not in {s.value for s in domain.OPEN_STATUSES}:
        return _("诉求已结束，不能再分拣")
    if not can(actor, "cases.dispatch", case):
        return _("无权分拣：只有当前持有该诉求的单位的受理人员可以分拣")
    if category is None:
        return _("没有建议分类，请在诉求页面选择分类")
    if not category.is_active:
        return _("该分类已停用，请在诉求页面选择分类")
    return ""


def case_triage_bulk_preview(*, actor: Any, public_ids: Iterable[Any], category: Category | None = None) -> BulkTriage:
    """Plan a bulk triage without writing: per ticked case, the category it would get or why it is skipped.

    `category` None confirms each case's own suggested category; a category sets that one on all. Cases are
    read through the actor's scope; ids outside it (or malformed) are only counted. Raises ValidationError when
    nothing is ticked or more than TRIAGE_BULK_LIMIT cases are.
    """
    from .selectors import cases_for

    ids: list[uuid.UUID] = []
    malformed = 0
    for value in public_ids:
        try:
            parsed = uuid.UUID(str(value))
        except ValueError:
            malformed += 1
            continue
        if parsed not in ids:
            ids.append(parsed)
    if not ids and not malformed:
        raise ValidationError({"cases": _("请先勾选要分拣的诉求")})
    if len(ids) + malformed > TRIAGE_BULK_LIMIT:
        raise ValidationError(
            {
                "cases": _("一次最多分拣%(max)d件，您选择了%(n)d件，请分批操作")
                % {"max": TRIAGE_BULK_LIMIT, "n": len(ids) + malformed}
            }
        )
    found = {
        c.public_id: c
        for c in cases_for(actor)
        .filter(public_id__in=ids)
        .select_related("category", "suggested_category__parent__parent", "holder")
    }
    plan = BulkTriage(missing=malformed + sum(1 for i in ids if i not in found))
    for public_id in ids:
        case = found.get(public_id)
        if case is None:
            continue
        target = category if category is not None else case.suggested_category
        plan.items.append(TriageItem(case, target, _triage_skip_reason(actor, case, target)))
    return plan


@write_service("cases.view", "cases.dispatch")
def case_triage_bulk(
    *, actor: Any, public_ids: Iterable[Any], category: Category | None = None, note: str = ""
) -> BulkTriage:
    """Confirm the category of several cases waiting in 待分拣, each through `case_triage`.

    `category` None confirms each case's suggested category; a category sets that one on all. Each case is
    locked and checked again (still waiting, open, the actor its dispatcher) in its own transaction, so one
    skipped case never undoes the others; `case_triage` records the timeline note and the audit record of each.
    Cases outside the actor's scope, no longer waiting or without a category to set are skipped with the reason.
    Raises ValidationError (nothing written) when nothing is ticked or more than TRIAGE_BULK_LIMIT cases are,
    PermissionDenied when the actor sees no cases at all; each case then needs `cases.dispatch` (else skipped).
    """
    require(actor, "cases.view")
    plan = case_triage_bulk_preview(actor=actor, public_ids=public_ids, category=category)
    text = _("批量分拣") + (f"：{note.strip()}" if (note or "").strip() else "")
    done = BulkTriage(missing=plan.missing)
    for item in plan.items:
        reason = item.skip_reason
        if not reason:
            try:
                with transaction.atomic():
                    locked = lock_case(item.case)
                    reason = _triage_skip_reason(actor, locked, item.category)
                    if not reason and item.category is not None:  # a case without one has a reason
                        case_triage(actor=actor, case=item.case, category=item.category, note=text)
            except PermissionDenied as exc:
                reason = exc.message or _("无权分拣该诉求")
            except ValidationError as exc:
                reason = "；".join(exc.messages)
        done.items.append(TriageItem(item.case, item.category, reason))
    return done
