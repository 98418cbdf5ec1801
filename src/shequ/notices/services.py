"""Writes on public notices (公示) and objections (异议).

Every write checks the permission first (`require`), validates with Chinese messages, locks the row it changes,
writes and appends its audit record in one transaction; a refusal writes nothing. The status changes follow
`domain.TRANSITIONS`. Other apps (votes, deliberation, funds) publish through `notice_publish`, naming their
record with `source_type`/`source_id`; this app never imports them.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import ResidentActor, user_of
from shequ.core.errors import ValidationError
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service

from . import domain
from .domain import CHANNEL_LABELS, KIND_LABELS, Channel, Event, ObjectionEvent, Status
from .models import Notice, Objection
from .permissions import lives_in_area

COMMUNITY_LEVEL = "community"


def min_days() -> int:
    """The shortest period allowed (setting SHEQU_NOTICE_MIN_DAYS, 5 days by default)."""
    return int(getattr(settings, "SHEQU_NOTICE_MIN_DAYS", domain.DEFAULT_MIN_DAYS))


def _text(errors: dict[str, list[str]], field: str, value: str, *, required: str, limit: int, least: int = 1) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(required)
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("内容过长（不超过%(n)s字）") % {"n": limit})
    elif len(value) < least:
        errors.setdefault(field, []).append(_("内容至少%(n)s个字") % {"n": least})
    return value


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _place(errors: dict[str, list[str]], area: Any, compound: Any, building: Any) -> tuple[Any, Any]:
    """The (compound, building) of the notice's area, checked against the community; a building implies its
    compound."""
    if getattr(area, "level", "") != COMMUNITY_LEVEL:
        errors.setdefault("area", []).append(_("公示范围须为一个社区（可再限定到小区或楼栋）"))
        return compound, building
    if building is not None:
        if compound is not None and building.compound_id != compound.pk:
            errors.setdefault("building", []).append(_("该楼栋不属于所选小区"))
        compound = compound or building.compound
    if compound is not None and compound.community_id != area.pk:
        errors.setdefault("compound", []).append(_("该小区不属于所选社区"))
    return compound, building


def _content(
    errors: dict[str, list[str]], *, kind: str, title: str, body: str, starts_on: Any, ends_on: Any
) -> tuple[str, str]:
    if kind not in {k.value for k in KIND_LABELS}:
        errors.setdefault("kind", []).append(_("请选择公示类别"))
    title = _text(errors, "title", title, required=_("请填写公示标题"), limit=domain.MAX_TITLE, least=4)
    body = _text(errors, "body", body, required=_("请填写公示内容"), limit=domain.MAX_BODY, least=10)
    for field, value in (("title", title), ("body", body)):
        if value and field not in errors and mask_text(value) != value:
            errors.setdefault(field, []).append(_("公示内容不得包含手机号码或身份证号码"))
    problem = domain.period_problem(starts_on, ends_on, min_days=min_days())
    if problem:
        errors.setdefault("ends_on" if starts_on and ends_on else "starts_on", []).append(problem)
    return title, body


def _snapshot(notice: Notice) -> dict[str, Any]:
    return {
        "kind": notice.kind,
        "title": notice.title,
        "starts_on": str(notice.starts_on),
        "ends_on": str(notice.ends_on),
        "status": notice.status,
        "compound": notice.compound.name if notice.compound is not None else "",
        "building": notice.building.name if notice.building is not None else "",
        "source": f"{notice.source_type}:{notice.source_id}" if notice.source_type else "",
    }


def _check_supersedes(errors: dict[str, list[str]], old: Notice | None, area: Any) -> None:
    if old is None:
        return
    if old.community_id != getattr(area, "pk", None):
        errors.setdefault("supersedes", []).append(_("更正公示须与原公示属于同一社区"))
    elif old.status != Status.PUBLISHED:
        errors.setdefault("supersedes", []).append(_("只能更正正在公示或已结束、未撤回的公示"))


@write_service("notices.publish")
def notice_draft_create(
    *,
    actor: Any,
    area: Any,
    compound: Any = None,
    building: Any = None,
    kind: str,
    title: str,
    body: str,
    starts_on: date | None,
    ends_on: date | None,
    source_type: str = "",
    source_id: str = "",
    supersedes: Notice | None = None,
) -> Notice:
    """Save a draft notice for the residents of `area` (a community), or of a compound or building in it.

    `supersedes`: the published notice this one corrects (it becomes 已更正 when this one is published).
    """
    require(actor, "notices.publish", area)
    errors: dict[str, list[str]] = {}
    compound, building = _place(errors, area, compound, building)
    title, body = _content(errors, kind=kind, title=title, body=body, starts_on=starts_on, ends_on=ends_on)
    _check_supersedes(errors, supersedes, area)
    _raise(errors)
    assert starts_on is not None and ends_on is not None  # checked by _content
    with transaction.atomic():
        notice = Notice.objects.create(
            community=area,
            area_path=area.path,
            compound=compound,
            building=building,
            kind=kind,
            title=title,
            body=body,
            starts_on=starts_on,
            ends_on=ends_on,
            source_type=(source_type or "")[:40],
            source_id=str(source_id or "")[:64],
            supersedes=supersedes,
            created_by=user_of(actor),
        )
        after = _snapshot(notice)
        if supersedes is not None:
            after["supersedes"] = str(supersedes.public_id)
        audit.record(actor=actor, action="notices.drafted", obj=notice, after=after)
    return notice


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).select_related("compound", "building").get(pk=notice.pk)


@write_service("notices.publish")
def notice_draft_update(
    *,
    actor: Any,
    notice: Notice,
    compound: Any = None,
    building: Any = None,
    kind: str,
    title: str,
    body: str,
    starts_on: date | None,
    ends_on: date | None,
) -> Notice:
    """Change a draft; a published, withdrawn or corrected notice is never edited (publish a correction)."""
    require(actor, "notices.publish", notice)
    errors: dict[str, list[str]] = {}
    compound, building = _place(errors, notice.community, compound, building)
    title, body = _content(errors, kind=kind, title=title, body=body, starts_on=starts_on, ends_on=ends_on)
    _raise(errors)
    assert starts_on is not None and ends_on is not None  # checked by _content
    with transaction.atomic():
        locked = _lock(notice)
        if locked.status != Status.DRAFT:
            raise ValidationError(_("已发布的公示不能修改；如需更正，请发布更正公示"))
        before = _snapshot(locked)
        locked.compound, locked.building, locked.kind = compound, building, kind
        locked.title, locked.body, locked.starts_on, locked.ends_on = title, body, starts_on, ends_on
        locked.save()
        audit.record(actor=actor, action="notices.draft_updated", obj=locked, before=before, after=_snapshot(locked))
    return locked


@write_service("notices.publish")
def notice_publish_draft(*, actor: Any, notice: Notice, now: datetime | None = None) -> Notice:
    """Publish a draft: its period must last the minimum and not start before today; the notice it corrects
    (if any) becomes 已更正 in the same transaction."""
    require(actor, "notices.publish", notice)
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        locked = _lock(notice)
        if locked.status != Status.DRAFT:
            raise ValidationError(_("该公示不是草稿，不能发布"))
        problem = domain.period_problem(locked.starts_on, locked.ends_on, min_days=min_days(), today=today)
        if problem:
            raise ValidationError({"starts_on": [problem]})
        old = None
        if locked.supersedes_id is not None:
            old = Notice.objects.select_for_update().get(pk=locked.supersedes_id)
            if old.status != Status.PUBLISHED:
                raise ValidationError(_("原公示已撤回或已被更正，不能再发布对它的更正"))
        locked.status = domain.next_status(locked.status, Event.PUBLISH)
        locked.published_by, locked.published_at = user_of(actor), now
        locked.save(update_fields=["status", "published_by", "published_at", "updated_at"])
        audit.record(actor=actor, action="notices.published", obj=locked, after=_snapshot(locked))
        if old is not None:
            old.status = domain.next_status(old.status, Event.SUPERSEDE)
            old.save(update_fields=["status", "updated_at"])
            audit.record(
                actor=actor,
                action="notices.superseded",
                obj=old,
                before={"status": Status.PUBLISHED.value},
                after={"status": old.status, "correction": str(locked.public_id)},
            )
    return locked


@write_service("notices.publish")
def notice_publish(
    *,
    actor: Any,
    area: Any,
    compound: Any = None,
    building: Any = None,
    kind: str,
    title: str,
    body: str,
    starts_on: date,
    ends_on: date,
    source_type: str = "",
    source_id: str = "",
    supersedes: Notice | None = None,
    now: datetime | None = None,
) -> Notice:
    """Publish a notice at once (the entry point of votes, deliberation and funds): a draft and its publication
    in one transaction, with the same rules as the staff pages. Returns the published Notice."""
    require(actor, "notices.publish", area)
    with transaction.atomic():
        notice = notice_draft_create(
            actor=actor,
            area=area,
            compound=compound,
            building=building,
            kind=kind,
            title=title,
            body=body,
            starts_on=starts_on,
            ends_on=ends_on,
            source_type=source_type,
            source_id=source_id,
            supersedes=supersedes,
        )
        return notice_publish_draft(actor=actor, notice=notice, now=now)


@write_service("notices.withdraw")
def notice_withdraw(*, actor: Any, notice: Notice, reason: str, now: datetime | None = None) -> Notice:
    """Withdraw a draft or a published notice with a reason; the notice and its objections are kept."""
    require(actor, "notices.withdraw", notice)
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, required=_("请填写撤回理由"), limit=domain.MAX_TEXT, least=4)
    _raise(errors)
    with transaction.atomic():
        locked = _lock(notice)
        if (locked.status, Event.WITHDRAW) not in domain.TRANSITIONS:
            raise ValidationError(_("该公示已撤回或已被更正，不能撤回"))
        before = {"status": locked.status}
        locked.status = domain.next_status(locked.status, Event.WITHDRAW)
        locked.withdrawn_by, locked.withdrawn_at, locked.withdraw_reason = user_of(actor), now or timezone.now(), reason
        locked.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdraw_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="notices.withdrawn",
            obj=locked,
            before=before,
            after={"status": locked.status, "reason": reason},
        )
    return locked


# --- objections --------------------------------------------------------------------------------------------


def _objection_text(text: str) -> str:
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, required=_("请填写异议内容"), limit=domain.MAX_TEXT, least=5)
    _raise(errors)
    return text


def _create_objection(
    actor: Any, notice: Notice, resident: Any, text: str, channel: str, received_on: date, recorded_by: Any
) -> Objection:
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)  # a withdrawal waits, or is seen here
        problem = domain.objection_problem(locked.status, locked.starts_on, locked.ends_on, received_on)
        if problem:
            raise ValidationError(problem)
        objection = Objection.objects.create(
            notice=locked,
            resident=resident,
            text=text,
            channel=channel,
            received_on=received_on,
            recorded_by=recorded_by,
        )
        audit.record(
            actor=actor,
            action="notices.objection_filed",
            obj=locked,
            after={"objection": str(objection.public_id), "channel": channel, "received_on": str(received_on)},
        )
    return objection


@write_service("notices.object")
def objection_file(*, actor: ResidentActor, notice: Notice, text: str, now: datetime | None = None) -> Objection:
    """File the acting resident's objection, while the period runs, to a notice of the area they live in."""
    require(actor, "notices.object", notice)
    text = _objection_text(text)
    today = timezone.localtime(now or timezone.now()).date()
    return _create_objection(actor, notice, actor.resident, text, Channel.PORTAL.value, today, None)


@write_service("notices.record_objection")
def objection_record(
    *,
    actor: Any,
    notice: Notice,
    resident: Any,
    text: str,
    channel: str,
    received_on: date | None,
    now: datetime | None = None,
) -> Objection:
    """Record an objection a resident of the area gave on paper, by phone or in person, on the day received
    (within the period, not in the future)."""
    require(actor, "notices.record_objection", notice)
    errors: dict[str, list[str]] = {}
    if channel not in {c.value for c in CHANNEL_LABELS if c is not Channel.PORTAL}:
        errors.setdefault("channel", []).append(_("请选择提出方式"))
    if not lives_in_area(resident, notice):
        errors.setdefault("resident", []).append(_("该居民不在公示范围内居住"))
    today = timezone.localtime(now or timezone.now()).date()
    if received_on is None:
        errors.setdefault("received_on", []).append(_("请填写收到异议的日期"))
    elif received_on > today:
        errors.setdefault("received_on", []).append(_("收到日期不能晚于今天"))
    try:
        text = _objection_text(text)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    assert received_on is not None  # checked above
    return _create_objection(actor, notice, resident, text, channel, received_on, user_of(actor))


@write_service("notices.answer")
def objection_answer(*, actor: Any, objection: Objection, answer: str, now: datetime | None = None) -> Objection:
    """Answer an objection (once); the objector sees the answer on the portal."""
    require(actor, "notices.answer", objection)
    errors: dict[str, list[str]] = {}
    answer = _text(errors, "answer", answer, required=_("请填写答复内容"), limit=domain.MAX_TEXT, least=5)
    _raise(errors)
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
        if (locked.status, ObjectionEvent.ANSWER) not in domain.OBJECTION_TRANSITIONS:
            raise ValidationError(_("该异议已答复"))
        locked.status = domain.next_objection_status(locked.status, ObjectionEvent.ANSWER)
        locked.answer, locked.answered_by, locked.answered_at = answer, user_of(actor), now or timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
        audit.record(
            actor=actor,
            action="notices.objection_answered",
            obj=locked.notice,
            after={"objection": str(locked.public_id), "answer": answer[:200]},
        )
    return locked
