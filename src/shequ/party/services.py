"""Writes on Party organisations, members, transfers, posts and 三会一课 meetings.

Every write: `require` first, validate with Chinese messages (each with a stable code), then one transaction that
locks what concurrent writers race on, writes, and appends the audit record. A Party organisation is an
`organisations.Unit` of a Party kind created here together with its `PartyOrg` row (organisations has no write
services). Audit records of members never carry a name or a mobile: only the member's public id and masked name.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import FieldErrors, ValidationError, invalid
from shequ.core.masking import mask_text
from shequ.core.permissions import require, write_service
from shequ.core.validators import validate_mobile
from shequ.organisations.models import Unit

from . import domain, encryption
from .domain import MeetingKind, MemberStatus, OrgLevel
from .errors import PartyError as Err
from .models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post

UNIT_KIND = {
    OrgLevel.COMMITTEE: "party_committee",
    OrgLevel.GENERAL_BRANCH: "party_general_branch",
    OrgLevel.BRANCH: "party_branch",
    OrgLevel.GROUP: "party_group",
}


def _text(errors: FieldErrors, name: str, value: str, *, required: bool = True, limit: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, _("须填写内容"), Err.TEXT_REQUIRED)
    elif len(value) > limit:
        errors.add(name, _("内容过长（不超过%(n)s字）") % {"n": limit}, Err.TEXT_TOO_LONG)
    elif value and mask_text(value) != value:
        errors.add(name, _("请勿填写手机号码或身份证号码"), Err.PERSONAL_NUMBER)
    return value


def _raise(errors: FieldErrors) -> None:
    if errors:
        raise ValidationError(errors)


def _today(now: Any = None) -> date:
    return timezone.localdate(now) if now is not None else timezone.localdate()


# --- organisations -------------------------------------------------------------------------------------------


@dataclass
class OrgInput:
    level: str
    name: str
    area: Any
    compound: Any = None
    building: Any = None
    parent: PartyOrg | None = None
    joint: bool = False
    joint_units: str = ""
    founded_on: date | None = None


def _check_place(errors: FieldErrors, data: OrgInput) -> None:
    area, compound, building = data.area, data.compound, data.building
    # The area may hold the compound's community (a street, the community) or lie inside it (a grid, a micro-grid).
    if compound is not None and not (
        compound.community.path.startswith(area.path) or area.path.startswith(compound.community.path)
    ):
        errors.add("compound", _("所在小区必须位于所在辖区内"), Err.PLACE_INVALID)
    if building is not None and (compound is None or building.compound_id != compound.pk):
        errors.add("building", _("所在楼栋必须属于所在小区"), Err.PLACE_INVALID)
    parent = data.parent
    if parent is not None and not area.path.startswith(parent.unit.area.path):
        errors.add("area", _("党组织所在地须在上级党组织所在辖区内"), Err.PLACE_INVALID)


@write_service("party.manage")
def org_create(*, actor: Any, data: OrgInput) -> PartyOrg:
    """Set up a Party organisation under `data.parent` (or a top organisation of an area) with its unit.

    The level must fit the parent's (a group only under a branch …); only a branch may be a joint branch, and a
    joint branch names the units it joins. Membership rules (at least 3 full members …) are checked as members are
    recorded, not here: an organisation is set up before its members transfer in.
    """
    require(actor, "party.manage", data.parent if data.parent is not None else data.area)
    errors = FieldErrors()
    name = _text(errors, "name", data.name, limit=100)
    if data.level not in {lv.value for lv in OrgLevel}:
        errors.add("level", _("须选择党组织层级"), Err.LEVEL_INVALID)
    else:
        check = domain.check_parent(data.level, data.parent.level if data.parent is not None else None)
        for message in check.errors:
            errors.add("parent", message, Err.LEVEL_INVALID)
    joint_units = _text(errors, "joint_units", data.joint_units, required=False, limit=300)
    if data.joint and (data.level != OrgLevel.BRANCH or not joint_units):
        errors.add("joint_units", _("只有党支部可以是联合党支部，且须写明联合的单位"), Err.JOINT_INVALID)
    if data.founded_on is not None and data.founded_on > _today():
        errors.add("founded_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    _check_place(errors, data)
    _raise(errors)
    with transaction.atomic():
        if data.parent is not None:
            PartyOrg.objects.select_for_update().get(pk=data.parent.pk)
        if Unit.objects.filter(area=data.area, name=name).exists():
            raise invalid("name", _("该辖区已有同名单位"), Err.NAME_TAKEN)
        unit = Unit.objects.create(
            kind=UNIT_KIND[OrgLevel(data.level)],
            name=name,
            area=data.area,
            compound=data.compound,
            building=data.building,
        )
        org = PartyOrg.objects.create(
            unit=unit,
            level=data.level,
            parent=data.parent,
            tree_path=f"tmp-{unit.public_id}",
            joint=data.joint,
            joint_units=joint_units if data.joint else "",
            founded_on=data.founded_on,
        )
        org.tree_path = (data.parent.tree_path if data.parent is not None else "") + f"{org.pk}/"
        org.save(update_fields=["tree_path"])
        audit.record(
            actor=actor,
            action="party.org_created",
            obj=org,
            after={"name": name, "level": data.level, "area": data.area.code, "joint": data.joint},
        )
    return org


# --- members -------------------------------------------------------------------------------------------------


@dataclass
class MemberInput:
    name: str
    status: str
    joined_on: date | None
    full_on: date | None = None
    mobile: str = ""
    resident: Any = None
    transferred_from: str = ""  # an organisation outside the tree the member comes from (组织关系转入)
    on: date | None = None  # the day the member joins this organisation (default: see member_add)


def _clean_member(errors: FieldErrors, data: MemberInput, today: date) -> tuple[str, str]:
    name = _text(errors, "name", data.name, limit=50)
    mobile = ""
    if data.mobile:
        try:
            mobile = validate_mobile(data.mobile)
        except ValidationError as exc:
            errors.add("mobile", exc.messages[0], Err.MOBILE_INVALID)
    if data.status not in {s.value for s in MemberStatus}:
        errors.add("status", _("须选择党员类别"), Err.STATUS_INVALID)
    if data.joined_on is None:
        errors.add("joined_on", _("须填写入党日期"), Err.DATE_INVALID)
    elif data.joined_on > today:
        errors.add("joined_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    if data.status == MemberStatus.FULL and data.full_on is None:
        errors.add("full_on", _("正式党员须填写转正日期"), Err.DATE_INVALID)
    if data.status == MemberStatus.PROBATIONARY and data.full_on is not None:
        errors.add("full_on", _("预备党员没有转正日期"), Err.DATE_INVALID)
    if data.full_on is not None:
        if data.full_on > today:
            errors.add("full_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
        elif data.joined_on is not None and data.full_on < data.joined_on:
            errors.add("full_on", _("转正日期不能早于入党日期"), Err.DATE_INVALID)
    if data.on is not None and data.on > today:
        errors.add("on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    _text(errors, "transferred_from", data.transferred_from, required=False, limit=100)
    return name, mobile


@write_service("party.manage")
def member_add(*, actor: Any, org: PartyOrg, data: MemberInput, now: Any = None) -> PartyMember:
    """Record a member of `org` (a new member, or one whose relationship transfers in from outside the tree)."""
    require(actor, "party.manage", org)
    today = _today(now)
    errors = FieldErrors()
    name, mobile = _clean_member(errors, data, today)
    _raise(errors)
    assert data.joined_on is not None
    # Without a date: a member transferred in joins today; one recorded when the organisation comes onto the
    # platform has belonged to it since joining the Party (their earlier meetings can then be recorded).
    start = data.on or (today if data.transferred_from.strip() else data.joined_on)
    with transaction.atomic():
        PartyOrg.objects.select_for_update().get(pk=org.pk)
        fields = encryption.name_fields(name)
        if PartyMember.objects.filter(org=org, active=True, name_hash=fields["name_hash"]).exists():
            raise invalid("name", _("该党员已在本党组织登记"), Err.MEMBER_DUPLICATE)
        member = PartyMember.objects.create(
            org=org,
            resident=data.resident,
            status=data.status,
            joined_on=data.joined_on,
            full_on=data.full_on,
            **fields,
            **encryption.mobile_fields(mobile),
        )
        MemberTransfer.objects.create(
            member=member,
            kind="in",
            to_org=org,
            outside_org=data.transferred_from.strip(),
            on=max(start, data.joined_on),
            note=_("转入") if data.transferred_from.strip() else _("登记"),
            recorded_by=user_of(actor),
        )
        audit.record(
            actor=actor,
            action="party.member_added",
            obj=member,
            after={"org": org.unit.name, "status": data.status, "name": member.name_masked},
        )
    return member


def _lock_member(member: PartyMember) -> PartyMember:
    locked = PartyMember.objects.select_for_update().select_related("org__unit").get(pk=member.pk)
    if not locked.active:
        raise invalid("member", _("该党员已转出"), Err.MEMBER_INACTIVE)
    return locked


@write_service("party.manage")
def member_make_full(*, actor: Any, member: PartyMember, full_on: date | None, now: Any = None) -> PartyMember:
    """Record that a probationary member became a full member (按期转正) on `full_on`."""
    require(actor, "party.manage", member)
    if full_on is None:
        raise invalid("full_on", _("须填写转正日期"), Err.DATE_INVALID)
    if full_on > _today(now):
        raise invalid("full_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    with transaction.atomic():
        locked = _lock_member(member)
        if locked.status != MemberStatus.PROBATIONARY:
            raise invalid("member", _("该党员已是正式党员"), Err.STATUS_INVALID)
        if full_on < locked.joined_on:
            raise invalid("full_on", _("转正日期不能早于入党日期"), Err.DATE_INVALID)
        locked.status, locked.full_on = MemberStatus.FULL.value, full_on
        locked.save(update_fields=["status", "full_on", "updated_at"])
        audit.record(actor=actor, action="party.member_made_full", obj=locked, after={"full_on": str(full_on)})
    return locked


@write_service("party.manage")
def member_transfer(
    *,
    actor: Any,
    member: PartyMember,
    on: date | None,
    to_org: PartyOrg | None = None,
    outside_org: str = "",
    note: str = "",
    now: Any = None,
) -> PartyMember:
    """Transfer a member's organisational relationship: to another organisation of the tree (the actor must
    manage both), or out of the tree (`outside_org`, the member leaves the roll). Kept in the member's history;
    a member transferred out cannot be recorded at a later meeting."""
    require(actor, "party.manage", member)
    if to_org is not None:
        require(actor, "party.manage", to_org)
    errors = FieldErrors()
    outside = _text(errors, "outside_org", outside_org, required=False, limit=100)
    note = _text(errors, "note", note, required=False, limit=200)
    if (to_org is None) == (not outside):
        errors.add("to_org", _("须选择转入的党组织或填写外部党组织名称"), Err.TARGET_INVALID)
    if on is None:
        errors.add("on", _("须填写转接日期"), Err.DATE_INVALID)
    elif on > _today(now):
        errors.add("on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    _raise(errors)
    assert on is not None
    with transaction.atomic():
        locked = _lock_member(member)
        if to_org is not None and to_org.pk == locked.org_id:
            raise invalid("to_org", _("转入的党组织与现所在党组织相同"), Err.TARGET_INVALID)
        if on < locked.joined_on:
            raise invalid("on", _("转接日期不能早于入党日期"), Err.DATE_INVALID)
        last = locked.transfers.order_by("-on", "-id").first()
        if last is not None and on < last.on:
            raise invalid("on", _("转接日期不能早于上一次转接"), Err.DATE_INVALID)
        from_org = locked.org
        MemberTransfer.objects.create(
            member=locked,
            kind="within" if to_org is not None else "out",
            from_org=from_org,
            to_org=to_org,
            outside_org=outside,
            on=on,
            note=note,
            recorded_by=user_of(actor),
        )
        if to_org is not None:
            locked.org = to_org
            locked.save(update_fields=["org", "updated_at"])
        else:
            locked.active, locked.left_on = False, on
            locked.save(update_fields=["active", "left_on", "updated_at"])
        # A post is held by a member of its organisation or one below it (post_assign): the posts of the
        # organisations the member leaves end with the transfer (a move within the same branch keeps its posts).
        held = Post.objects.filter(member=locked, ended_on__isnull=True).select_related("org")
        left = [p.pk for p in held if to_org is None or not to_org.tree_path.startswith(p.org.tree_path)]
        Post.objects.filter(pk__in=left).update(ended_on=on)
        audit.record(
            actor=actor,
            action="party.member_transferred",
            obj=locked,
            before={"org": from_org.unit.name},
            after={"org": to_org.unit.name if to_org is not None else outside, "on": str(on)},
        )
    return locked


@write_service("party.reveal")
def member_reveal(*, actor: Any, member: PartyMember, reason: str) -> dict[str, str]:
    """Return the member's full name and mobile; every reveal is audited with its reason."""
    require(actor, "party.reveal", member)
    errors = FieldErrors()
    reason = _text(errors, "reason", reason, limit=100)
    if not reason:
        errors["reason"] = [ValidationError(_("须填写查看原因"), code=Err.REASON_REQUIRED)]
    _raise(errors)
    audit.record(actor=actor, action="party.member_revealed", obj=member, after={"reason": reason})
    return {"name": encryption.name_of(member), "mobile": encryption.mobile_of(member)}


# --- posts ---------------------------------------------------------------------------------------------------


@write_service("party.manage")
def post_assign(
    *,
    actor: Any,
    org: PartyOrg,
    member: PartyMember,
    post: str,
    term_starts_on: date | None,
    term_ends_on: date | None,
) -> tuple[Post, tuple[str, ...]]:
    """Give a member of `org` a post for a term. A branch committee above 7 members is refused; a size outside the
    usual 3–5, or a committee of a branch under 7 full members, is recorded with its warning (returned)."""
    require(actor, "party.manage", org)
    errors = FieldErrors()
    if post not in {p.value for p in domain.Post}:
        errors.add("post", _("须选择职务"), Err.POST_INVALID)
    if term_starts_on is None or term_ends_on is None or term_ends_on <= term_starts_on:
        errors.add("term_ends_on", _("任期届满日期须晚于任期开始日期"), Err.TERM_INVALID)
    if not member.active or not member.org.tree_path.startswith(org.tree_path):
        errors.add("member", _("只能从本党组织的在册党员中任职"), Err.NOT_A_MEMBER)
    _raise(errors)
    assert term_starts_on is not None and term_ends_on is not None  # checked above
    from .selectors import committee_size, full_member_count

    with transaction.atomic():
        PartyOrg.objects.select_for_update().get(pk=org.pk)
        if Post.objects.filter(org=org, member=member, post=post, ended_on__isnull=True).exists():
            raise invalid("post", _("该党员已担任此职务"), Err.POST_INVALID)
        warnings: tuple[str, ...] = ()
        if org.level == OrgLevel.BRANCH and post != domain.Post.GROUP_LEADER:
            size = committee_size(org, adding=(member, post))
            check = domain.check_committee_size(size, full_member_count(org))
            if check.errors:
                raise invalid("post", check.errors[0], Err.COMMITTEE_TOO_LARGE)
            warnings = check.warnings
        row = Post.objects.create(
            org=org, member=member, post=post, term_starts_on=term_starts_on, term_ends_on=term_ends_on
        )
        audit.record(
            actor=actor,
            action="party.post_assigned",
            obj=org,
            after={"member": member.name_masked, "post": post, "term_ends_on": str(term_ends_on)},
        )
    return row, warnings


@write_service("party.manage")
def post_end(*, actor: Any, post: Post, on: date | None, now: Any = None) -> Post:
    """End a post (离任) on `on`."""
    require(actor, "party.manage", post.org)
    if on is None or on > _today(now) or on < post.term_starts_on:
        raise invalid("on", _("离任日期须在任期开始之后且不晚于今天"), Err.DATE_INVALID)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.ended_on is not None:
            raise invalid("on", _("该职务已离任"), Err.POST_INVALID)
        locked.ended_on = on
        locked.save(update_fields=["ended_on", "updated_at"])
        audit.record(actor=actor, action="party.post_ended", obj=post.org, after={"post": post.post, "on": str(on)})
    return locked


# --- meetings (三会一课) -------------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    title: str
    votes_for: int
    votes_against: int = 0
    abstentions: int = 0


@dataclass
class MeetingInput:
    kind: str
    held_on: date | None
    topic: str
    place: str = ""
    minutes: str = ""
    election: bool = False
    present: list[Any] = field(default_factory=list)  # members present
    absence_reasons: dict[Any, str] = field(default_factory=dict)  # member public id → reason
    decisions: list[DecisionInput] = field(default_factory=list)


@write_service("party.manage")
def meeting_record(*, actor: Any, org: PartyOrg, data: MeetingInput, now: Any = None) -> PartyMeeting:
    """Record a meeting with its attendance, minutes and (at a general meeting) decisions, in one transaction.

    Attendance is taken against the members on the roll that day (at a committee meeting: the committee members
    that day, `selectors.meeting_roll`): a member not on it (transferred out before, not yet joined, not on the
    committee) is refused by name. Only full members count for the quorum and the votes; a meeting short of
    its quorum is kept, marked not valid for decisions, and its decisions do not pass.
    """
    require(actor, "party.manage", org)
    from .selectors import meeting_kinds_of, meeting_roll

    today = _today(now)
    errors = FieldErrors()
    topic = _text(errors, "topic", data.topic, limit=200)
    place = _text(errors, "place", data.place, required=False, limit=100)
    minutes = _text(errors, "minutes", data.minutes, required=False, limit=20000)
    if data.kind not in {k.value for k in meeting_kinds_of(org)} and data.kind not in {k.value for k in MeetingKind}:
        errors.add("kind", _("须选择会议类型"), Err.KIND_INVALID)
    elif data.kind not in {k.value for k in meeting_kinds_of(org)}:
        errors.add("kind", _("该党组织不召开此类会议"), Err.KIND_INVALID)
    if data.held_on is None:
        errors.add("held_on", _("须填写会议日期"), Err.DATE_INVALID)
    elif data.held_on > today:
        errors.add("held_on", _("日期不能晚于今天"), Err.FUTURE_DATE)
    if data.election and data.kind != MeetingKind.GENERAL:
        errors.add("election", _("只有党员大会可以进行选举"), Err.KIND_INVALID)
    if data.decisions and data.kind != MeetingKind.GENERAL:
        errors.add("decisions", _("只有党员大会表决事项"), Err.KIND_INVALID)
    _raise(errors)
    assert data.held_on is not None
    with transaction.atomic():
        PartyOrg.objects.select_for_update().get(pk=org.pk)
        roll = {m.pk: m for m in meeting_roll(org, data.kind, data.held_on)}
        present_ids = {m.pk for m in data.present}
        outsiders = [m for m in data.present if m.pk not in roll]
        if outsiders:
            names = "、".join(m.name_masked for m in outsiders)
            message = (
                _("%(names)s 在会议当天不是本党组织的委员，不参加委员会会议")
                if data.kind == MeetingKind.COMMITTEE
                else _("%(names)s 在会议当天不是本党组织的党员（已转出或尚未入党）")
            )
            raise invalid("present", message % {"names": names}, Err.NOT_A_MEMBER)
        status_then = {pk: _status_on(m, data.held_on) for pk, m in roll.items()}
        entitled = sum(1 for s in status_then.values() if domain.has_vote(s))
        present_full = sum(1 for pk in present_ids if domain.has_vote(status_then[pk]))
        valid: bool | None = None
        if data.kind in (MeetingKind.GENERAL, MeetingKind.COMMITTEE, MeetingKind.GROUP):
            valid = domain.meeting_quorum(entitled, present_full, data.election).valid
        results = []
        for i, d in enumerate(data.decisions):
            title = _text(errors, f"decisions[{i}].title", d.title, limit=200)
            if min(d.votes_for, d.votes_against, d.abstentions) < 0 or (
                d.votes_for + d.votes_against + d.abstentions > present_full
            ):
                errors.add(
                    f"decisions[{i}].votes_for",
                    _("票数不符合：赞成、反对、弃权之和不能多于实到正式党员"),
                    Err.COUNTS_INVALID,
                )
                continue
            outcome = domain.decision_passes(entitled, present_full, d.votes_for, data.election)
            results.append((title, d, outcome.passed))
        _raise(errors)
        meeting = PartyMeeting.objects.create(
            org=org,
            kind=data.kind,
            held_on=data.held_on,
            place=place,
            topic=topic,
            minutes=minutes,
            election=data.election,
            entitled=entitled,
            present=present_full,
            valid=valid,
            recorded_by=user_of(actor),
        )
        reasons = {str(k): v for k, v in data.absence_reasons.items()}
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                member=m,
                status=status_then[pk],
                present=pk in present_ids,
                absence_reason="" if pk in present_ids else (reasons.get(str(m.public_id), "") or "")[:100],
            )
            for pk, m in roll.items()
        )
        Decision.objects.bulk_create(
            Decision(
                meeting=meeting,
                title=title,
                votes_for=d.votes_for,
                votes_against=d.votes_against,
                abstentions=d.abstentions,
                passed=passed,
            )
            for title, d, passed in results
        )
        audit.record(
            actor=actor,
            action="party.meeting_recorded",
            obj=meeting,
            after={
                "org": org.unit.name,
                "kind": data.kind,
                "held_on": str(data.held_on),
                "entitled": entitled,
                "present": present_full,
                "valid": valid,
                "decisions": [{"title": t, "passed": p} for t, _d, p in results],
            },
        )
    return meeting


def _status_on(member: PartyMember, day: date) -> str:
    """The member's status on `day`: full from the day they became full."""
    if member.status == MemberStatus.FULL and member.full_on is not None and member.full_on <= day:
        return MemberStatus.FULL.value
    return MemberStatus.PROBATIONARY.value
