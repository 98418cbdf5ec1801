"""The one place a proposal changes status: an internal step of the marked services, called after their `require`.

Takes a proposal locked by the caller (`select_for_update` inside the caller's transaction), moves it by the
domain's transition table and appends the audit record `deliberation.proposal_moved` (the event in its `after`).
"""

from typing import Any

from django.utils import timezone

from shequ.core import audit

from .domain import Event, Status, next_status


def apply_event(actor: Any, proposal: Any, event: Event, *, note: str = "") -> Status:
    """Move `proposal` on `event` (InvalidTransition when the table has no such row) and audit it."""
    before = proposal.status
    after = next_status(before, event)
    proposal.status = after.value
    fields = ["status", "updated_at"]
    if note:
        proposal.status_reason = note[:2000]
        fields.append("status_reason")
    if after is Status.COMPLETED:
        proposal.completed_at = timezone.now()
        fields.append("completed_at")
    proposal.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="deliberation.proposal_moved",
        obj=proposal,
        before={"status": before},
        after={"event": event.value, "status": after.value, "note": note[:200]},
    )
    return after
