"""Writes on proposals: submit (from the portal, a member, the Party, staff, or a case), support, comment,
moderate, decline, withdraw, progress of the implementation, completion.

Every write: `require` first, validate, then one transaction that locks the proposal, writes and audits. Status
changes go through `lifecycle.apply_event` (the domain's transition table). The support threshold is copied onto
the proposal when it is submitted (the body's rule then, or the default).
"""

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases import photos as case_photos
from shequ.core import audit
from shequ.core.actors import Kind, kind_of, user_of
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.permissions import require, write_service

from . import domain, selectors
from .domain import Event, Source, Status
from .errors import DeliberationError as Err
from .inputs import clean_text, raise_errors
from .lifecycle import apply_event
from .models import ProgressPhoto, ProgressUpdate, Proposal, ProposalComment, ProposalSupport

STAFF_SOURCES = frozenset({Source.MEMBER, Source.PARTY, Source.STAFF})


def _threshold(community: Any, body: Any) -> int:
    if body is None:
        body = selectors.bodies_of_community(community).filter(kind="residents_council").first()
    return selectors.rules_of(body).support_threshold if body is not None else domain.DEFAULT_SUPPORT_THRESHOLD


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@write_service("deliberation.propose")
def proposal_submit(
    *, actor: Any, community: Any, title: str, description: str, source: str = "", body: Any = None
) -> Proposal:
    """Submit a proposal for the community's deliberation.

    A resident submits for their own community; the source is 议事会成员 when they serve on one of its bodies,
    else 居民. Staff record a proposal of a member, the Party organisation or the community (`source`).
    """
    require(actor, "deliberation.propose", community)
    errors = FieldErrors()
    title = clean_text(errors, "title", title, limit=100)
    description = clean_text(errors, "description", description)
    is_resident = kind_of(actor) is Kind.RESIDENT
    if is_resident:
        serving = selectors.serving_bodies_of_resident(actor.resident, timezone.localdate())
        source = Source.MEMBER.value if serving else Source.RESIDENT.value
    elif source not in {s.value for s in STAFF_SOURCES}:
        errors.add("source", _("须选择议题来源"), Err.SOURCE_INVALID)
    if body is not None and body.area_id != community.pk:
        errors.add("body", _("只能提交给本社区的议事机构"), Err.SOURCE_INVALID)
    raise_errors(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            community=community,
            body=body,
            title=title,
            description=description,
            source=source,
            author_resident=actor.resident if is_resident else None,
            author_user=user_of(actor),
            support_threshold=_threshold(community, body),
            submitted_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="deliberation.proposal_submitted",
            obj=proposal,
            after={"source": source, "threshold": proposal.support_threshold},
        )
    return proposal


@write_service("deliberation.propose")
def proposal_from_case(*, actor: Any, case: Any, title: str = "", description: str = "") -> Proposal:
    """Turn a case into a proposal of its community (once per case); the text is the case's, edited if given."""
    require(actor, "deliberation.propose", case.community)
    if kind_of(actor) is not Kind.STAFF:
        raise invalid("case", _("只有社区工作人员可以将诉求转为议题"), Err.SOURCE_INVALID)
    errors = FieldErrors()
    title = clean_text(errors, "title", title or case.title, limit=100)
    description = clean_text(errors, "description", description or case.description)
    raise_errors(errors)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                community=case.community,
                title=title,
                description=description,
                source=Source.CASE.value,
                author_user=user_of(actor),
                case=case,
                support_threshold=_threshold(case.community, None),
                submitted_at=timezone.now(),
            )
            audit.record(
                actor=actor,
                action="deliberation.proposal_from_case",
                obj=proposal,
                after={"case": case.tracking_number},
            )
    except IntegrityError:
        raise invalid("case", _("该诉求已转为议题"), Err.ALREADY_PROPOSED) from None
    return proposal


@write_service("deliberation.support")
def proposal_support(*, actor: Any, proposal: Proposal) -> int:
    """Support (附议) a proposal of one's community, once; reaching the threshold makes it 待上会. Returns the count."""
    require(actor, "deliberation.support", proposal)
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.status not in domain.OPEN_STATUSES:
            raise invalid("proposal", _("该议题已不再征集意见"), Err.PROPOSAL_CLOSED)
        _support, created = ProposalSupport.objects.get_or_create(
            proposal=locked, resident=actor.resident, defaults={"created_at": timezone.now()}
        )
        count = locked.supports.count()
        if created:
            audit.record(actor=actor, action="deliberation.proposal_supported", obj=locked, after={"count": count})
            if locked.status == Status.DISCUSSING and domain.support_reached(count, locked.support_threshold):
                apply_event(actor, locked, Event.QUALIFY)
    return count


@write_service("deliberation.comment")
def proposal_comment(*, actor: Any, proposal: Proposal, text: str) -> ProposalComment:
    """Comment on a proposal while it is discussed or waits for its meeting."""
    require(actor, "deliberation.comment", proposal)
    errors = FieldErrors()
    text = clean_text(errors, "text", text, limit=1000)
    raise_errors(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.status not in domain.OPEN_STATUSES:
            raise invalid("text", _("该议题已不再征集意见"), Err.PROPOSAL_CLOSED)
        comment = ProposalComment.objects.create(
            proposal=locked,
            author_resident=actor.resident if kind_of(actor) is Kind.RESIDENT else None,
            author_user=user_of(actor),
            text=text,
        )
        audit.record(
            actor=actor, action="deliberation.comment_added", obj=locked, after={"comment": str(comment.public_id)}
        )
    return comment


@write_service("deliberation.moderate")
def comment_hide(*, actor: Any, comment: ProposalComment, reason: str) -> ProposalComment:
    """Hide a comment with a reason (it stays on record for staff, residents no longer see it)."""
    require(actor, "deliberation.moderate", comment.proposal)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, limit=200)
    raise_errors(errors)
    with transaction.atomic():
        locked = ProposalComment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is not None:  # the first reason stays: a second hide would rewrite the record
            raise invalid("comment", _("该意见已隐藏"), Err.COMMENT_HIDDEN)
        locked.hidden_at, locked.hidden_reason, locked.hidden_by = timezone.now(), reason, user_of(actor)
        locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
        audit.record(
            actor=actor,
            action="deliberation.comment_hidden",
            obj=locked.proposal,
            after={"comment": str(locked.public_id), "reason": reason},
        )
    return locked


@write_service("deliberation.manage")
def proposal_decline(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Decline to put a proposal on an agenda, with the reason residents will read."""
    require(actor, "deliberation.manage", proposal)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, limit=1000)
    raise_errors(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        apply_event(actor, locked, Event.DECLINE, note=reason)
    return locked


@write_service("deliberation.manage")
def proposal_defer(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """Take a proposal off its meeting's agenda undecided; it waits for another meeting (待上会)."""
    require(actor, "deliberation.manage", proposal)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, limit=1000)
    raise_errors(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        apply_event(actor, locked, Event.DEFER, note=reason)
        locked.agenda_items.filter(resolution__isnull=True).update(proposal=None)
    return locked


@write_service("deliberation.withdraw")
def proposal_withdraw(*, actor: Any, proposal: Proposal) -> Proposal:
    """The author withdraws their proposal before it is on an agenda."""
    require(actor, "deliberation.withdraw", proposal)
    with transaction.atomic():
        locked = _lock(proposal)
        apply_event(actor, locked, Event.WITHDRAW)
    return locked


@write_service("deliberation.manage")
def progress_add(
    *, actor: Any, proposal: Proposal, note: str, day: date, photos: list[Any] | None = None
) -> ProgressUpdate:
    """Record progress of an adopted and published proposal, with photos; the first one starts the implementation."""
    require(actor, "deliberation.manage", proposal)
    errors = FieldErrors()
    note = clean_text(errors, "note", note, limit=2000)
    if day > timezone.localdate():
        errors.add("day", _("日期不能晚于今天"), Err.TERM_INVALID)
    raise_errors(errors)
    cleaned = case_photos.clean_photos(photos or [])
    with transaction.atomic():
        locked = _lock(proposal)
        if locked.status == Status.PUBLISHED:
            apply_event(actor, locked, Event.START)
        elif locked.status != Status.IN_PROGRESS:
            raise ValidationError(_("只有已公示或实施中的议题可以登记实施进展"), code=Err.PROPOSAL_CLOSED)
        update = ProgressUpdate.objects.create(proposal=locked, happened_on=day, note=note, recorded_by=user_of(actor))
        for photo in cleaned:
            row = ProgressPhoto(update=update)
            row.image.save(f"{locked.public_id}.{photo.extension}", ContentFile(photo.content), save=False)
            row.save()
        audit.record(
            actor=actor,
            action="deliberation.progress_added",
            obj=locked,
            after={"day": str(day), "photos": len(cleaned)},
        )
    return update


@write_service("deliberation.manage")
def proposal_complete(*, actor: Any, proposal: Proposal, note: str) -> Proposal:
    """Mark the implementation done (已办结) with a closing note."""
    require(actor, "deliberation.manage", proposal)
    errors = FieldErrors()
    note = clean_text(errors, "note", note, limit=2000)
    raise_errors(errors)
    with transaction.atomic():
        locked = _lock(proposal)
        apply_event(actor, locked, Event.COMPLETE, note=note)
    return locked
