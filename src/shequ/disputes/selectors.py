"""Reads of dispute mediation files, scoped to the actor through the cases they belong to."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from shequ.cases import selectors as case_selectors
from shequ.cases.domain import CaseType
from shequ.core.actors import describe_labels
from shequ.core.errors import NotFound
from shequ.core.models import AuditRecord

from .domain import FOLLOW_UP_STATUSES
from .models import Agreement, AgreementDocument, Dispute, FollowUpVisit, MediationSession, Party

NO_COLOUR = "none"  # the list filter's value for disputes not graded yet


def dispute_cases_for(actor: Any) -> QuerySet:
    """Cases of type 矛盾纠纷 the actor may see, with their mediation file (if any) and visit count."""
    return (
        case_selectors.cases_for(actor)
        .filter(case_type=CaseType.DISPUTE)
        .select_related("community", "holder", "dispute_record")
        .annotate(visit_count=Count("dispute_record__visits", distinct=True))
    )


def search(actor: Any, *, colour: str = "", status: str = "", text: str = "", queue: str = "") -> QuerySet:
    """The dispute list: filter by risk colour (or ungraded), case status, text, or the follow-up queue."""
    qs = dispute_cases_for(actor)
    if colour == NO_COLOUR:
        qs = qs.filter(Q(dispute_record__isnull=True) | Q(dispute_record__risk_colour=""))
    elif colour:
        qs = qs.filter(dispute_record__risk_colour=colour)
    if status:
        qs = qs.filter(status=status)
    text = (text or "").strip()
    if text:
        qs = qs.filter(
            Q(title__contains=text) | Q(tracking_number=text) | Q(dispute_record__parties__name__contains=text)
        ).distinct()
    if queue == "follow_up":
        qs = qs.filter(status__in=[s.value for s in FOLLOW_UP_STATUSES], visit_count=0)
    return qs.order_by("-submitted_at", "-id")


def awaiting_follow_up_count(actor: Any) -> int:
    return search(actor, queue="follow_up").count()


def get_dispute_case_for(actor: Any, public_id: Any) -> Any:
    """A case of type 矛盾纠纷 in the actor's scope; any other case answers NotFound."""
    case = case_selectors.get_case_for(actor, public_id)
    if case.case_type != CaseType.DISPUTE:
        raise NotFound()
    return case


def dispute_of(case: Any) -> Dispute | None:
    return Dispute.objects.filter(case=case).select_related("risk_set_by").first()


def parties(dispute: Dispute | None) -> QuerySet[Party]:
    if dispute is None:
        return Party.objects.none()
    return Party.objects.filter(dispute=dispute).select_related("resident", "household").order_by("created_at", "id")


def sessions(dispute: Dispute | None) -> QuerySet[MediationSession]:
    if dispute is None:
        return MediationSession.objects.none()
    return MediationSession.objects.filter(dispute=dispute).order_by("held_on", "id")


def agreement(dispute: Dispute | None) -> Agreement | None:
    if dispute is None:
        return None
    return Agreement.objects.filter(dispute=dispute).prefetch_related("signatories").first()


def documents(dispute: Dispute | None) -> QuerySet[AgreementDocument]:
    if dispute is None:
        return AgreementDocument.objects.none()
    return AgreementDocument.objects.filter(agreement__dispute=dispute).order_by("-version")


def get_document(case: Any, version: int) -> AgreementDocument:
    doc = AgreementDocument.objects.filter(agreement__dispute__case=case, version=version).first()
    if doc is None:
        raise NotFound()
    return doc


def visits(dispute: Dispute | None) -> QuerySet[FollowUpVisit]:
    if dispute is None:
        return FollowUpVisit.objects.none()
    return FollowUpVisit.objects.filter(dispute=dispute).order_by("visited_on", "id")


def risk_history(case: Any) -> list[dict[str, Any]]:
    """Earlier and current risk grades of the dispute, newest first, from the audit log; `actor` in words."""
    rows = AuditRecord.objects.filter(
        object_type="cases.case", object_id=str(case.public_id), action="disputes.risk_set"
    ).order_by("-created_at", "-id")[:50]
    rows = list(rows)
    words = describe_labels([(r.actor_kind, r.actor_ref, r.actor_label) for r in rows])
    return [{"at": r.created_at, "actor": w, "after": r.after or {}} for r, w in zip(rows, words, strict=True)]
