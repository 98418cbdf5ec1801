"""Reads of public notices and objections: staff's scoped to their territory, residents' to where they live."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of
from shequ.registry import selectors as registry_selectors
from shequ.territory import selectors as territory_selectors

from . import notice_pdf
from .domain import KIND_LABELS, Kind, ObjectionStatus, Phase, Status, period_days
from .models import Notice, Objection
from .permissions import COMMUNITY_ROLES, VIEW_ROLES

# --- staff ---------------------------------------------------------------------------------------------------


def notices_for(actor: Any) -> QuerySet[Notice]:
    """Notices of the communities in the actor's territorial scope, with their open objection count."""
    return (
        Notice.objects.filter(scope_of(actor).q("area_path", VIEW_ROLES))
        .select_related("community", "compound", "building", "published_by")
        .annotate(open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)))
    )


def get_notice_for(actor: Any, public_id: Any) -> Notice:
    """One notice of the actor's scope; missing and out of scope answer the same NotFound."""
    return get_by_public_id(notices_for(actor), public_id)


@dataclass(frozen=True)
class NoticeFilters:
    text: str = ""
    kind: str = ""
    status: str = ""
    period: str = ""  # a Phase value


def period_q(period: str, today: date) -> Q:
    """Notices whose period is upcoming, running or ended on `today` (any status)."""
    if period == Phase.UPCOMING:
        return Q(starts_on__gt=today)
    if period == Phase.RUNNING:
        return Q(starts_on__lte=today, ends_on__gte=today)
    if period == Phase.ENDED:
        return Q(ends_on__lt=today)
    return Q()


def search(actor: Any, f: NoticeFilters, *, today: date) -> QuerySet[Notice]:
    """The staff list: text in title or body, kind, status, period; newest period first."""
    qs = notices_for(actor)
    text = f.text.strip()
    if text:
        qs = qs.filter(Q(title__contains=text) | Q(body__contains=text))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.period:
        qs = qs.filter(period_q(f.period, today))
    return qs.order_by("-starts_on", "-id")


def objections_for(actor: Any) -> QuerySet[Objection]:
    """Objections to the notices of the actor's scope."""
    return Objection.objects.filter(scope_of(actor).q("notice__area_path", VIEW_ROLES)).select_related(
        "notice", "notice__community", "resident", "answered_by", "recorded_by"
    )


def objection_search(actor: Any, *, status: str = "") -> QuerySet[Objection]:
    """The objection list: all, or those waiting for an answer (status=open); the oldest first."""
    qs = objections_for(actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def open_objection_count(actor: Any) -> int:
    return objection_search(actor, status=ObjectionStatus.OPEN).count()


def objections_of_notice(notice: Notice) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(notice=notice)
        .select_related("resident", "answered_by", "recorded_by")
        .order_by("created_at", "id")
    )


def get_objection_for(actor: Any, public_id: Any) -> Objection:
    return get_by_public_id(objections_for(actor), public_id)


def corrections_of(notice: Notice) -> QuerySet[Notice]:
    """The published corrections of a notice (normally one)."""
    return Notice.objects.filter(supersedes=notice).exclude(status=Status.DRAFT).order_by("published_at", "id")


def residents_in_area(actor: Any, notice: Notice, limit: int = 500) -> QuerySet:
    """Active residents the register places in the notice's area, as the actor may see them (for the form
    recording an objection received on paper or by phone)."""
    qs = registry_selectors.residents_for(actor).filter(community_id=notice.community_id, status="active")
    if notice.building_id is not None:
        qs = qs.filter(dwelling__building_id=notice.building_id)
    elif notice.compound_id is not None:
        qs = qs.filter(dwelling__building__compound_id=notice.compound_id)
    return qs.select_related("dwelling__building").order_by("name", "id")[:limit]


# --- residents -----------------------------------------------------------------------------------------------


def notices_for_resident(resident: Any) -> QuerySet[Notice]:
    """Notices ever published to where the resident lives: their community, and their compound or building."""
    dwelling = resident.dwelling
    building_id = dwelling.building_id if dwelling is not None else None
    compound_id = dwelling.building.compound_id if dwelling is not None else None
    return (
        Notice.objects.filter(community_id=resident.community_id, published_at__isnull=False)
        .filter(Q(compound__isnull=True) | Q(compound_id=compound_id))
        .filter(Q(building__isnull=True) | Q(building_id=building_id))
        .select_related("community", "compound", "building")
    )


def resident_notices(resident: Any, today: date) -> tuple[list[Notice], list[Notice]]:
    """(current, past): published notices not yet ended, soonest end first; then ended, withdrawn and corrected
    ones, latest first."""
    qs = notices_for_resident(resident)
    current = list(qs.filter(status=Status.PUBLISHED, ends_on__gte=today).order_by("ends_on", "id"))
    past = list(
        qs.filter(Q(ends_on__lt=today) | ~Q(status=Status.PUBLISHED)).order_by("-ends_on", "-published_at", "-id")[:100]
    )
    return current, past


def get_notice_for_resident(resident: Any, public_id: Any) -> Notice:
    return get_by_public_id(notices_for_resident(resident), public_id)


def objections_of(resident: Any, notice: Notice | None = None) -> QuerySet[Objection]:
    """The resident's own objections (of one notice, or all), newest first."""
    qs = Objection.objects.filter(resident=resident).select_related("notice")
    if notice is not None:
        qs = qs.filter(notice=notice)
    return qs.order_by("-created_at", "-id")


# --- the printable PDF ---------------------------------------------------------------------------------------


def addressed_to(notice: Notice) -> str:
    """The notice's area in words: community, compound and building."""
    parts = [notice.community.name]
    if notice.compound is not None:
        parts.append(notice.compound.name)
    if notice.building is not None:
        parts.append(notice.building.name)
    return " ".join(parts)


def pdf_content(notice: Notice, *, now: Any) -> notice_pdf.NoticeContent:
    """What the printable PDF of the notice says (see notice_pdf)."""
    note = ""
    if notice.status == Status.WITHDRAWN:
        note = _("本公示已于%(d)s撤回。撤回理由：%(r)s") % {
            "d": timezone.localdate(notice.withdrawn_at).isoformat() if notice.withdrawn_at else "",
            "r": notice.withdraw_reason,
        }
    elif notice.status == Status.SUPERSEDED:
        note = _("本公示已被更正，以更正后的公示为准。")
    return notice_pdf.NoticeContent(
        title=notice.title,
        kind=str(KIND_LABELS[Kind(notice.kind)]),
        addressed_to=addressed_to(notice) + " " + _("全体居民"),
        body=notice.body,
        starts_on=notice.starts_on,
        ends_on=notice.ends_on,
        days=period_days(notice.starts_on, notice.ends_on),
        issuer=_("%(c)s居民委员会") % {"c": notice.community.name},
        published_on=timezone.localdate(notice.published_at) if notice.published_at else None,
        status_note=note,
        generated_at=timezone.localtime(now),
    )


# --- the staff's forms ---------------------------------------------------------------------------------------


def publish_places(actor: Any) -> list[tuple[str, str, Any]]:
    """Where the actor may publish, as (value, label, object): each community where they are community staff,
    then its compounds and their buildings. Values: "c:<id>", "p:<id>", "b:<id>" (public ids)."""
    scope = scope_of(actor)
    communities = territory_selectors.areas_for(actor).filter(scope.q("path", COMMUNITY_ROLES), level="community")
    places: list[tuple[str, str, Any]] = []
    for community in communities.order_by("code"):
        places.append((f"c:{community.public_id}", _("%(c)s（全社区）") % {"c": community.name}, community))
        compounds = territory_selectors.compounds_in_area(actor, community).order_by("code")
        for compound in compounds:
            places.append((f"p:{compound.public_id}", f"{community.name} · {compound.name}", compound))
            for building in territory_selectors.buildings_of_compound(actor, compound):
                label = f"{community.name} · {compound.name} · {building.name}"
                places.append((f"b:{building.public_id}", label, building))
    return places


def pdf_bytes(notice: Notice, *, now: Any) -> bytes:
    """The notice's printable PDF, rendered now (it is not stored)."""
    return notice_pdf.render(pdf_content(notice, now=now))
