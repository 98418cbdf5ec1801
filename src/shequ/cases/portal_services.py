"""Resident-side case operations for the portal: report, list and read one's own cases, rate, withdraw.

A resident is not a staff account: every read here starts from the signed-in resident and returns only the
cases they reported (`reporter` = the resident; anonymous reports are, by design, not linked to anyone and
so not listed). Writes go through `cases.services` as `ResidentActor(resident)` (an anonymous report as
`ResidentActor(resident, anonymous=True)`): the services decide what a resident may do (their own place,
their own case) like for every other actor, and no name or number of the resident reaches the audit log or
the timeline.

Timeline entries for residents carry the event, the resulting status and the time, never who acted.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shequ.core.actors import ResidentActor
from shequ.core.errors import NotFound, ValidationError
from shequ.core.permissions import require, write_service
from shequ.registry.encryption import decrypt_mobile
from shequ.territory.selectors import buildings_of_compound_unscoped

from . import domain, photos, selectors, services, topics
from .models import Case, CasePhoto, CaseTransition, Category, CommunityTopic

# Types a resident may choose; disputes are opened by staff after mediation intake.
RESIDENT_TYPES = (
    domain.CaseType.ENQUIRY,
    domain.CaseType.HELP,
    domain.CaseType.COMPLAINT,
    domain.CaseType.REPORT,
    domain.CaseType.SUGGESTION,
)
LEAF_LIMIT = 30


def anonymous_allowed() -> bool:
    return bool(getattr(settings, "SHEQU_ALLOW_ANONYMOUS_REPORTS", True))


def leaf_categories(text: str = "") -> QuerySet[Category]:
    """Active categories without active children, filtered by name, keyword or parent name."""
    qs = selectors.categories().exclude(children__is_active=True)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(keywords__contains=text) | Q(parent__name__contains=text))
    return qs


def leaf_category(code: str) -> Category | None:
    return leaf_categories().filter(code=code).first()


def home_building(resident: Any) -> Any:
    return resident.dwelling.building if resident.dwelling_id else None


def other_buildings(resident: Any) -> list[Any]:
    """Buildings of the resident's own compound other than their own, by number."""
    own = home_building(resident)
    if own is None:
        return []
    return list(buildings_of_compound_unscoped(own.compound_id).exclude(pk=own.pk))


def topic_by_code(code: str) -> CommunityTopic | None:
    """An active community topic (with an active category) by its code."""
    return next((t for t in topics.active_topics() if t.code == code), None)


@dataclass
class PortalReport:
    category_code: str  # a leaf category (older forms and clients); the topic wins when both are given
    case_type: str  # "" = the category's default type
    description: str
    topic: str = ""  # a CommunityTopic code, or topics.OTHER_TOPIC (其他 / 不确定)
    building: str = ""  # public id of another building of the compound; "" = the resident's own place
    anonymous: bool = False
    contact_consent: bool = False  # the resident agreed to be contacted by the handling unit


@write_service("cases.submit")
def report_submit(
    *, actor: ResidentActor, report: PortalReport, uploads: list[Any], held: list[photos.CleanPhoto] | None = None
) -> Case:
    """Submit a resident's report through `cases.services.case_submit`, with its cleaned photos.

    The category comes from the community topic chosen (`topics.category_for_topic`: refined by the text,
    triage while it is not a leaf); "其他 / 不确定" submits without one and sends the case to triage. `held`
    are photos already cleaned and kept from a failed try (`portal.held_photos`), counted with the uploads.
    The photos are all checked first, so a bad file creates no case. The case and its photos are written in
    one transaction. Reporter name and mobile come from the register, not from the form (DESIGN R6).
    `case_submit` decides whether the place is the resident's own (`cases.submit`); an anonymous report is
    submitted as `ResidentActor(resident, anonymous=True)`.
    """
    require(actor, "cases.submit")
    resident = actor.resident
    actor = ResidentActor(resident, anonymous=actor.anonymous or report.anonymous)
    errors: dict[str, list[str]] = {}
    held = list(held or [])
    category, triage = None, False
    if report.topic == topics.OTHER_TOPIC:
        triage = True
    elif report.topic:
        topic = topic_by_code(report.topic)
        if topic is None:
            errors["topic"] = [_("请选择话题，或选择“其他 / 不确定”。")]
        else:
            category, triage = topics.category_for_topic(topic, report.description or "")
    else:
        category = leaf_category(report.category_code)
        if category is None:
            errors["topic"] = [_("请选择话题，或选择“其他 / 不确定”。")]
    case_type = report.case_type or (category.default_type if category else "")
    if not case_type and report.topic == topics.OTHER_TOPIC:
        case_type = domain.CaseType.COMPLAINT.value
    if report.case_type and report.case_type not in RESIDENT_TYPES:
        errors["case_type"] = [_("请选择诉求类型。")]
    if report.anonymous and not anonymous_allowed():
        errors["anonymous"] = [_("本地未开放匿名反映。")]
    building = home_building(resident)
    if report.building:
        building = next((b for b in other_buildings(resident) if str(b.public_id) == report.building), None)
        if building is None:
            errors["building"] = [_("请选择本小区的楼栋。")]
    cleaned = []
    try:
        if len([u for u in uploads if u]) + len(held) > photos.MAX_PHOTOS:
            raise ValidationError({"photos": [_("最多只能上传 %(n)d 张照片。") % {"n": photos.MAX_PHOTOS}]})
        cleaned = held + photos.clean_photos(uploads)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    description = (report.description or "").strip()
    title = " ".join(description.split())[:30] or (category.name if category else _("其他 / 不确定"))
    data = services.CaseInput(
        case_type=case_type,
        title=title,
        description=description,
        channel=domain.Channel.PORTAL.value,
        category=category,
        community=resident.community,
        building=building,
        reporter=resident,
        reporter_name=resident.name,
        reporter_mobile=decrypt_mobile(resident.mobile_encrypted) if resident.mobile_encrypted else "",
        anonymous=report.anonymous,
        contact_consent=report.contact_consent,
        triage=triage,
    )
    with transaction.atomic():
        case = services.case_submit(actor=actor, data=data)
        photos.photos_attach(case=case, photos=cleaned)
    return case


def cases_of(resident: Any) -> QuerySet[Case]:
    """The resident's own (non-anonymous) cases, newest first."""
    return Case.objects.filter(reporter=resident).select_related("category").order_by("-submitted_at", "-id")


def case_of(resident: Any, tracking_number: str) -> Case:
    """One of the resident's own cases; NotFound alike for a missing case and another person's case."""
    case = cases_of(resident).filter(tracking_number=tracking_number).first()
    if case is None:
        raise NotFound()
    return case


def expected_answer(case: Case) -> datetime | None:
    """When the resident can expect the next answer: the deadline of the stage now running, or None."""
    return domain.running_deadline(case.status, case)


def photos_for_reporter(case: Case) -> tuple[list[CasePhoto], list[CasePhoto]]:
    """The reporter's own photos of the case, and the after-photos staff published (`public`)."""
    rows = list(CasePhoto.objects.filter(case=case).order_by("uploaded_at", "id"))
    own = [p for p in rows if p.kind == CasePhoto.KIND_REPORT]
    after = [p for p in rows if p.kind == CasePhoto.KIND_AFTER and p.public]
    return own, after


def photo_for_reporter(case: Case, photo_id: str) -> CasePhoto:
    """One photo the reporter may see (their own, or a published after-photo); NotFound otherwise."""
    own, after = photos_for_reporter(case)
    photo = next((p for p in own + after if str(p.public_id) == str(photo_id)), None)
    if photo is None:
        raise NotFound()
    return photo


# What each step means for the person who reported, in words (the timeline on their case page).
STEP_TEXT = {
    "submit": _lazy("您提交了反映"),
    "accept": _lazy("社区已受理"),
    "reject": _lazy("社区不予受理"),
    "dispatch": _lazy("已交给承办人员办理"),
    "start": _lazy("承办人员开始办理"),
    "resolve": _lazy("已办结并答复您"),
    "close": _lazy("已结束"),
    "withdraw": _lazy("您撤回了反映"),
    "return": _lazy("承办单位退回，社区重新安排"),
    "transfer": _lazy("已转交其他单位办理"),
    "reopen": _lazy("重新办理"),
    "suspend": _lazy("暂停办理（中止或延期）"),
    "resume": _lazy("恢复办理"),
    "merge": _lazy("与同一问题的反映合并办理"),
    "escalate": _lazy("已升级督办"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    event: str
    status: str
    text: str = ""


def timeline_of(case: Case) -> list[TimelineEntry]:
    """Events and times of a case for its reporter: what happened and the resulting status, never who."""
    entries = []
    for event, to_status, at in (
        CaseTransition.objects.filter(case=case).order_by("at", "id").values_list("event", "to_status", "at")
    ):
        if event in domain.INTERNAL_EVENTS:
            continue  # a held answer (答复待审核) is not an answer yet
        if event == "submit":
            label = _("提交")
        else:
            try:
                label = str(domain.EVENT_LABELS[domain.Event(event)])
            except ValueError:
                label = event
        entries.append(TimelineEntry(at, label, status_label(to_status), str(STEP_TEXT.get(event, label))))
    return entries


def status_label(status: str) -> str:
    try:
        return str(domain.STATUS_LABELS[domain.reporter_status(status)])
    except ValueError:
        return status


def can_rate(case: Case) -> bool:
    return case.status == domain.Status.RESOLVED


def can_withdraw(case: Case) -> bool:
    return domain.Event.WITHDRAW in domain.allowed_events(case.status)


@write_service("cases.rate", "cases.reopen")
def case_rate(*, actor: ResidentActor, case: Case, satisfaction: str, reopen: bool = False) -> Case:
    """Rate a resolved case as the resident (`cases.rate`: their own case only): satisfied closes it,
    unsatisfied with reopen sends it back to work."""
    require(actor, "cases.rate", case)
    return services.case_rate(actor=actor, case=case, satisfaction=satisfaction, reopen=reopen)


@write_service("cases.withdraw")
def case_withdraw(*, actor: ResidentActor, case: Case) -> Case:
    """Withdraw a case as the resident (`cases.withdraw`: their own case only)."""
    require(actor, "cases.withdraw", case)
    if not can_withdraw(case):
        raise ValidationError({"case": [_("该诉求当前不能撤回。")]})
    return services.case_withdraw(actor=actor, case=case, reason=_("报告人在居民服务中撤回"))
