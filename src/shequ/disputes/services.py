"""Writes on dispute mediation files: parties, sessions, risk colour, agreement and its PDF, follow-up visits.

Every write: check the permission on the case (``disputes.record``, or ``disputes.set_risk`` for the colour),
validate with Chinese messages, open the dispute's file on first use (only for a case of type 矛盾纠纷), lock
it, write, audit — all in one transaction. Free text carrying a mobile or ID number is refused: those live only
encrypted in the register.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.domain import CaseType
from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import ValidationError
from shequ.core.permissions import require, write_service

from . import agreement_pdf, domain
from .domain import (
    ATTITUDE_LABELS,
    HONOURED_LABELS,
    OUTCOME_LABELS,
    PARTY_KIND_LABELS,
    PARTY_ROLE_LABELS,
    RISK_COLOUR_LABELS,
    VISIT_METHOD_LABELS,
    PartyKind,
    PartyRole,
)
from .models import Agreement, AgreementDocument, Dispute, FollowUpVisit, MediationSession, Party

AGREEMENT_TITLE = "人民调解协议书"


def _display_name(actor: Any) -> str:
    return (getattr(actor, "display_name", "") or actor.get_username())[:100]


def _text(
    errors: dict[str, list[str]], field: str, value: str, *, required: str = "", limit: int = domain.MAX_TEXT
) -> str:
    """Strip `value`; record an error when required and empty, too long, or carrying a personal number."""
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append(required)
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("内容过长（不超过%(n)s字）") % {"n": limit})
    elif domain.contains_personal_number(value):
        errors.setdefault(field, []).append(_("请勿填写手机号码或身份证号码，联系方式请在居民档案中查看"))
    return value


def _choice(errors: dict[str, list[str]], field: str, value: str, labels: dict, message: str) -> str:
    if value not in {k.value for k in labels}:
        errors.setdefault(field, []).append(message)
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _open(case: Any, actor: Any) -> Dispute:
    """The dispute's file, created on first use and locked for this transaction. Call inside a transaction."""
    if case.case_type != CaseType.DISPUTE:
        raise ValidationError(_("只有矛盾纠纷类诉求可以建立调解档案"))
    dispute, created = Dispute.objects.get_or_create(case=case, defaults={"created_by": user_of(actor)})
    if created:
        audit.record(actor=actor, action="disputes.opened", obj=case, after={"case": case.tracking_number})
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


@write_service("disputes.record")
def dispute_open(*, actor: Any, case: Any) -> Dispute:
    """Open the mediation file of a dispute case (idempotent)."""
    require(actor, "disputes.record", case)
    with transaction.atomic():
        return _open(case, actor)


# --- risk colour -------------------------------------------------------------------------------------------


@write_service("disputes.set_risk")
def dispute_set_risk(*, actor: Any, case: Any, colour: str, reason: str, now: datetime | None = None) -> Dispute:
    """Grade the dispute red/orange/yellow/blue with a reason; the audit log keeps every earlier grade."""
    require(actor, "disputes.set_risk", case)
    errors: dict[str, list[str]] = {}
    _choice(errors, "colour", colour, RISK_COLOUR_LABELS, _("请选择风险等级"))
    reason = _text(errors, "reason", reason, required=_("请填写定级理由"), limit=500)
    if reason and len(reason) < 4 and "reason" not in errors:
        errors.setdefault("reason", []).append(_("定级理由至少4个字"))
    _raise(errors)
    with transaction.atomic():
        dispute = _open(case, actor)
        before = {"colour": dispute.risk_colour, "reason": dispute.risk_reason}
        dispute.risk_colour, dispute.risk_reason = colour, reason
        dispute.risk_set_by, dispute.risk_set_at = user_of(actor), now or timezone.now()
        dispute.save(update_fields=["risk_colour", "risk_reason", "risk_set_by", "risk_set_at", "updated_at"])
        audit.record(
            actor=actor,
            action="disputes.risk_set",
            obj=case,
            before=before,
            after={"colour": colour, "reason": reason},
        )
    return dispute


# --- parties -----------------------------------------------------------------------------------------------


@dataclass
class PartyInput:
    kind: str
    role: str
    name: str = ""  # required for organisations and others; taken from the register otherwise
    resident: Any = None  # registry Resident, already fetched through the actor's scope
    household: Any = None  # registry Household, already fetched through the actor's scope


@write_service("disputes.record")
def party_add(*, actor: Any, case: Any, data: PartyInput) -> Party:
    """Add a party; a resident or household party must be given from the register (its name is taken there)."""
    require(actor, "disputes.record", case)
    errors: dict[str, list[str]] = {}
    _choice(errors, "kind", data.kind, PARTY_KIND_LABELS, _("请选择当事人类别"))
    _choice(errors, "role", data.role, PARTY_ROLE_LABELS, _("请选择当事人身份"))
    name = (data.name or "").strip()
    resident = household = None
    if data.kind == PartyKind.RESIDENT:
        if data.resident is None:
            errors.setdefault("resident", []).append(_("请从居民档案中选择当事人"))
        else:
            resident, name = data.resident, data.resident.name
    elif data.kind == PartyKind.HOUSEHOLD:
        if data.household is None:
            errors.setdefault("household", []).append(_("请从户档案中选择住户"))
        else:
            household = data.household
            head = getattr(household, "head", None)
            if head is not None:
                name = _("%(number)s户（户主：%(head)s）") % {"number": household.number, "head": head.name}
            else:
                name = _("%(number)s户") % {"number": household.number}
    elif data.kind in (PartyKind.ORGANISATION, PartyKind.OTHER):
        required = _("请填写单位名称，如小区物业公司") if data.kind == PartyKind.ORGANISATION else _("请填写当事人姓名")
        name = _text(errors, "name", name, required=required, limit=100)
        if name and len(name) < 2 and "name" not in errors:
            errors.setdefault("name", []).append(_("名称至少2个字"))
    _raise(errors)
    with transaction.atomic():
        dispute = _open(case, actor)
        duplicate = Party.objects.filter(dispute=dispute, role=data.role)
        if resident is not None and duplicate.filter(resident=resident).exists():
            raise ValidationError({"resident": [_("该居民已是本纠纷的当事人")]})
        if household is not None and duplicate.filter(household=household).exists():
            raise ValidationError({"household": [_("该住户已是本纠纷的当事人")]})
        if resident is None and household is None and duplicate.filter(name=name, kind=data.kind).exists():
            raise ValidationError({"name": [_("已登记同名当事人")]})
        party = Party.objects.create(
            dispute=dispute,
            kind=data.kind,
            role=data.role,
            resident=resident,
            household=household,
            name=name,
            added_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="disputes.party_added",
            obj=case,
            after={"party": str(party.public_id), "kind": party.kind, "role": party.role, "name": party.name},
        )
    return party


@write_service("disputes.record")
def party_remove(*, actor: Any, case: Any, party_id: Any) -> None:
    """Remove a party; one who signed the current agreement cannot be removed."""
    require(actor, "disputes.record", case)
    with transaction.atomic():
        dispute = _open(case, actor)
        try:
            uid = UUID(str(party_id))
        except ValueError:
            raise ValidationError(_("该当事人不存在或已被移除")) from None
        party = Party.objects.filter(dispute=dispute, public_id=uid).first()
        if party is None:
            raise ValidationError(_("该当事人不存在或已被移除"))
        agreement = Agreement.objects.filter(dispute=dispute).first()
        if agreement is not None and agreement.signatories.filter(pk=party.pk).exists():
            raise ValidationError(_("该当事人是调解协议的签署方，请先修改协议签署方"))
        before = {"party": str(party.public_id), "kind": party.kind, "role": party.role, "name": party.name}
        party.delete()
        audit.record(actor=actor, action="disputes.party_removed", obj=case, before=before)


# --- mediation sessions ------------------------------------------------------------------------------------


@dataclass
class SessionInput:
    held_on: date | None
    place: str
    attendees: str
    summary: str
    outcome: str
    mediator: Any = None  # a staff user; defaults to the actor
    mediator_name: str = ""


@write_service("disputes.record")
def session_add(*, actor: Any, case: Any, data: SessionInput, today: date | None = None) -> MediationSession:
    """Record a mediation session; its date lies between the dispute's registration and today."""
    require(actor, "disputes.record", case)
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    if data.held_on is None:
        errors.setdefault("held_on", []).append(_("请填写调解日期"))
    else:
        problem = domain.session_date_problem(data.held_on, today, timezone.localtime(case.submitted_at).date())
        if problem:
            errors.setdefault("held_on", []).append(problem)
    place = _text(errors, "place", data.place, required=_("请填写调解地点"), limit=100)
    attendees = _text(errors, "attendees", data.attendees, required=_("请填写参加人员"), limit=1000)
    summary = _text(errors, "summary", data.summary, required=_("请填写调解情况"))
    if summary and len(summary) < 10 and "summary" not in errors:
        errors.setdefault("summary", []).append(_("调解情况至少10个字"))
    _choice(errors, "outcome", data.outcome, OUTCOME_LABELS, _("请选择调解结果"))
    mediator = data.mediator if data.mediator is not None else user_of(actor)
    mediator_name = _text(errors, "mediator_name", data.mediator_name, limit=100) or (
        _display_name(mediator) if mediator is not None else ""
    )
    if not mediator_name:
        errors.setdefault("mediator_name", []).append(_("请填写调解员"))
    _raise(errors)
    assert data.held_on is not None  # checked above
    with transaction.atomic():
        dispute = _open(case, actor)
        session = MediationSession.objects.create(
            dispute=dispute,
            held_on=data.held_on,
            place=place,
            mediator=mediator,
            mediator_name=mediator_name,
            attendees=attendees,
            summary=summary,
            outcome=data.outcome,
            recorded_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="disputes.session_added",
            obj=case,
            after={"held_on": str(session.held_on), "outcome": session.outcome, "mediator": mediator_name},
        )
    return session


# --- agreement ---------------------------------------------------------------------------------------------


@write_service("disputes.record")
def agreement_save(*, actor: Any, case: Any, terms: str, signatory_ids: list[Any]) -> Agreement:
    """Write the agreement's terms and signing parties (an applicant and a respondent at least)."""
    require(actor, "disputes.record", case)
    errors: dict[str, list[str]] = {}
    terms = _text(errors, "terms", terms, required=_("请填写协议内容"))
    if terms and len(terms) < 10 and "terms" not in errors:
        errors.setdefault("terms", []).append(_("协议内容至少10个字"))
    _raise(errors)
    with transaction.atomic():
        dispute = _open(case, actor)
        wanted = {str(i) for i in signatory_ids}
        parties = [p for p in Party.objects.filter(dispute=dispute) if str(p.public_id) in wanted]
        if len(parties) != len(wanted):
            raise ValidationError({"signatories": [_("签署方须为本纠纷已登记的当事人")]})
        problem = domain.signing_problem([p.role for p in parties])
        if problem:
            raise ValidationError({"signatories": [problem]})
        agreement = Agreement.objects.filter(dispute=dispute).first()
        before = (
            {"terms": agreement.terms[:200], "signatories": sorted(p.name for p in agreement.signatories.all())}
            if agreement
            else None
        )
        if agreement is None:
            agreement = Agreement(dispute=dispute)
        agreement.terms, agreement.updated_by = terms, user_of(actor)
        agreement.save()
        agreement.signatories.set(parties)
        audit.record(
            actor=actor,
            action="disputes.agreement_saved",
            obj=case,
            before=before,
            after={"terms": terms[:200], "signatories": sorted(p.name for p in parties)},
        )
    return agreement


def _signatory_lines(agreement: Agreement) -> tuple[agreement_pdf.SignatoryLine, ...]:
    order = {"applicant": 0, "respondent": 1, "third": 2}
    parties = sorted(agreement.signatories.all(), key=lambda p: (order.get(p.role, 9), p.created_at, p.pk))
    return tuple(agreement_pdf.SignatoryLine(str(PARTY_ROLE_LABELS[PartyRole(p.role)]), p.name) for p in parties)


@write_service("disputes.record")
def agreement_generate(*, actor: Any, case: Any, now: datetime | None = None) -> AgreementDocument:
    """Generate the agreement PDF as a new version (older versions are kept), with its SHA-256."""
    require(actor, "disputes.record", case)
    now = now or timezone.now()
    with transaction.atomic():
        dispute = _open(case, actor)
        agreement = Agreement.objects.filter(dispute=dispute).first()
        if agreement is None:
            raise ValidationError(_("请先填写并保存协议内容"))
        lines = _signatory_lines(agreement)
        problem = domain.signing_problem([p.role for p in agreement.signatories.all()])
        if problem:
            raise ValidationError(problem)
        last = AgreementDocument.objects.filter(agreement=agreement).aggregate(v=Max("version"))["v"] or 0
        version = last + 1
        session = MediationSession.objects.filter(dispute=dispute).order_by("-held_on", "-id").first()
        content = agreement_pdf.AgreementContent(
            title=AGREEMENT_TITLE,
            number=case.tracking_number,
            version=version,
            community=case.community.name,
            dispute_title=case.title,
            facts=case.description,
            terms=agreement.terms,
            signatories=lines,
            mediator=session.mediator_name if session else _display_name(actor),
            made_on=timezone.localtime(now).date(),
            generated_at=now,
        )
        data = agreement_pdf.render(content)
        digest = hashlib.sha256(data).hexdigest()
        document = AgreementDocument(
            agreement=agreement,
            version=version,
            sha256=digest,
            size=len(data),
            terms=agreement.terms,
            generated_by=user_of(actor),
        )
        document.file.save(f"{case.tracking_number}-v{version}.pdf", ContentFile(data), save=False)
        document.save()
        audit.record(
            actor=actor,
            action="disputes.agreement_generated",
            obj=case,
            after={"version": version, "sha256": digest, "size": len(data)},
        )
    return document


# --- follow-up visits --------------------------------------------------------------------------------------


@dataclass
class VisitInput:
    visited_on: date | None
    method: str
    attitude: str
    honoured: str
    note: str = ""


@write_service("disputes.record")
def visit_add(*, actor: Any, case: Any, data: VisitInput, today: date | None = None) -> FollowUpVisit:
    """Record a follow-up visit of a resolved or closed dispute."""
    require(actor, "disputes.record", case)
    if case.status not in domain.FOLLOW_UP_STATUSES:
        raise ValidationError(_("纠纷办结或关闭后才能登记回访"))
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    finished = case.resolved_at or case.closed_at
    if data.visited_on is None:
        errors.setdefault("visited_on", []).append(_("请填写回访日期"))
    elif data.visited_on > today:
        errors.setdefault("visited_on", []).append(_("回访日期不能晚于今天"))
    elif finished is not None and data.visited_on < timezone.localtime(finished).date():
        errors.setdefault("visited_on", []).append(_("回访日期不能早于办结日期"))
    _choice(errors, "method", data.method, VISIT_METHOD_LABELS, _("请选择回访方式"))
    _choice(errors, "attitude", data.attitude, ATTITUDE_LABELS, _("请选择当事人态度"))
    _choice(errors, "honoured", data.honoured, HONOURED_LABELS, _("请选择协议履行情况"))
    note = _text(errors, "note", data.note, limit=2000)
    if data.attitude == domain.Attitude.OBJECTING and not note and "note" not in errors:
        errors.setdefault("note", []).append(_("当事人仍有异议时，请说明异议内容"))
    _raise(errors)
    assert data.visited_on is not None  # checked above
    with transaction.atomic():
        dispute = _open(case, actor)
        visit = FollowUpVisit.objects.create(
            dispute=dispute,
            visited_on=data.visited_on,
            visitor=user_of(actor),
            visitor_name=_display_name(actor),
            method=data.method,
            attitude=data.attitude,
            honoured=data.honoured,
            note=note,
        )
        audit.record(
            actor=actor,
            action="disputes.visit_added",
            obj=case,
            after={"visited_on": str(visit.visited_on), "method": visit.method, "attitude": visit.attitude},
        )
    return visit


@write_service("disputes.view")
def agreement_download_audit(*, actor: Any, case: Any, document: AgreementDocument) -> None:
    """Record that `actor` downloaded an agreement version (it names the parties)."""
    require(actor, "disputes.view", case)
    audit.record(actor=actor, action="disputes.agreement_downloaded", obj=case, after={"version": document.version})
