"""Write demo plans (`demo_plan.py`) in bulk: the rows the party services write for them, and the audit record each
service call appends (`audit.record_many`), by the same actors.

The demo uses it for every community but the first: through the services, a year of 三会一课 for the district's
four hundred branches takes about a minute, in bulk about three seconds. What the services check is checked here too:
each actor's permission (`require`, once per organisation instead of once per call), the levels of the tree, the
size of a branch committee, the votes of a decision; the quorum and the outcome of each vote come from the same
domain rules. Keep it in step with services.py: `tests/test_demo.py` writes one plan both ways and compares.
"""

import uuid
from typing import Any

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.permissions import require
from shequ.organisations.models import Unit

from . import domain, encryption
from .demo_plan import LEFT_NOTE, CommunityPlan, MeetingPlan, Window
from .domain import MeetingKind, MemberStatus, OrgLevel
from .models import Attendance, Decision, MemberTransfer, PartyMeeting, PartyMember, PartyOrg, Post
from .selectors import LEADERS_ONLY
from .services import UNIT_KIND

BATCH = 2000
QUORUM_KINDS = {MeetingKind.GENERAL.value, MeetingKind.COMMITTEE.value, MeetingKind.GROUP.value}


def _obj(obj: Any) -> dict[str, str]:
    """The object columns `audit.record(obj=…)` fills."""
    return {"object_type": obj._meta.label_lower, "object_id": str(obj.public_id), "object_label": str(obj)}


class BulkWriter:
    """Writes plans' organisations (`orgs`), then their members, transfers, posts and meetings (`activity`); the
    audit records are appended together at the end (`close`)."""

    def __init__(self) -> None:
        self.entries: list[audit.Entry] = []
        self.checked: set[tuple[int, int]] = set()

    def orgs(self, plans: list[CommunityPlan]) -> None:
        _orgs(plans, self.entries, self.checked)

    def activity(self, plans: list[CommunityPlan], window: Window) -> None:
        for plan in plans:
            for o in plan.orgs:
                _require(o.actor, o.org, self.checked)
        _members(plans, self.entries)
        _posts(plans, window, self.entries)
        _meetings(plans, self.entries)

    def close(self) -> int:
        """Append the audit records; returns how many."""
        written = audit.record_many(self.entries)
        self.entries = []
        return written


def _require(actor: Any, org: PartyOrg, checked: set[tuple[int, int]]) -> None:
    """`require(actor, "party.manage", org)`, once for each actor and organisation."""
    if (id(actor), org.pk) not in checked:
        require(actor, "party.manage", org)
        checked.add((id(actor), org.pk))


def _orgs(plans: list[CommunityPlan], entries: list[audit.Entry], checked: set[tuple[int, int]]) -> None:
    """Level by level (a child's tree path needs its parent's), each set up by its parent's actor."""
    for level in (OrgLevel.COMMITTEE, OrgLevel.BRANCH, OrgLevel.GROUP):
        todo = [o for plan in plans for o in plan.orgs if o.level == level]
        for o in todo:
            assert o.parent is not None and o.parent.org is not None
            _require(o.parent.actor, o.parent.org, checked)
            check = domain.check_parent(o.level, o.parent.org.level)
            assert check.ok, check.errors
        units = Unit.objects.bulk_create(
            [Unit(kind=UNIT_KIND[OrgLevel(o.level)], name=o.name, area=o.area, compound=o.compound) for o in todo]
        )
        orgs = PartyOrg.objects.bulk_create(
            [
                PartyOrg(
                    unit=unit,
                    level=o.level,
                    parent=o.parent.org,
                    tree_path=f"tmp-{unit.public_id}",
                    joint=bool(o.joint_units),
                    joint_units=o.joint_units,
                    founded_on=o.founded_on,
                )
                for o, unit in zip(todo, units, strict=True)
            ]
        )
        for o, org in zip(todo, orgs, strict=True):
            org.tree_path = f"{o.parent.org.tree_path}{org.pk}/"
            o.org = org
            after = {"name": o.name, "level": o.level, "area": o.area.code, "joint": bool(o.joint_units)}
            entries.append(audit.Entry(actor=o.parent.actor, action="party.org_created", **_obj(org), after=after))
        PartyOrg.objects.bulk_update(orgs, ["tree_path"], batch_size=BATCH)


def _members(plans: list[CommunityPlan], entries: list[audit.Entry]) -> None:
    """Each member as the services leave them: added (the "in" transfer), made full, transferred out."""
    todo = [m for plan in plans for m in plan.members]
    rows = []
    for m in todo:
        full_on = m.full_on or m.made_full_on
        rows.append(
            PartyMember(
                org=m.org.org,
                resident_id=m.resident.pk if m.resident is not None else None,
                status=MemberStatus.FULL.value if full_on is not None else MemberStatus.PROBATIONARY.value,
                joined_on=m.joined_on,
                full_on=full_on,
                active=m.left_on is None,
                left_on=m.left_on,
                **encryption.name_fields(m.name),
                **encryption.mobile_fields(m.mobile),
            )
        )
    PartyMember.objects.bulk_create(rows, batch_size=BATCH)
    transfers = []
    for m, member in zip(todo, rows, strict=True):
        m.member = member
        actor, org = m.org.actor, m.org.org
        transfers.append(
            MemberTransfer(
                member=member,
                kind="in",
                to_org=org,
                outside_org=m.transferred_from,
                on=max(m.since, m.joined_on),
                note=_("转入") if m.transferred_from else _("登记"),
                recorded_by=user_of(actor),
            )
        )
        after = {"org": org.unit.name, "status": m.status_added, "name": member.name_masked}
        entries.append(audit.Entry(actor=actor, action="party.member_added", **_obj(member), after=after))
        if m.full_recorded_on is not None:
            after = {"full_on": str(m.made_full_on)}
            entries.append(audit.Entry(actor=actor, action="party.member_made_full", **_obj(member), after=after))
        if m.left_on is not None:
            transfers.append(
                MemberTransfer(
                    member=member,
                    kind="out",
                    from_org=org,
                    outside_org=m.left_to,
                    on=m.left_on,
                    note=LEFT_NOTE,
                    recorded_by=user_of(actor),
                )
            )
            entries.append(
                audit.Entry(
                    actor=actor,
                    action="party.member_transferred",
                    **_obj(member),
                    before={"org": org.unit.name},
                    after={"org": m.left_to, "on": str(m.left_on)},
                )
            )
    MemberTransfer.objects.bulk_create(transfers, batch_size=BATCH)


def _posts(plans: list[CommunityPlan], window: Window, entries: list[audit.Entry]) -> None:
    """Posts as `services.post_assign` records them after the members on the roll before the year (a branch
    committee within its limits); a post ends when its holder transfers out."""
    rows = []
    for plan in plans:
        committee: dict[Any, tuple[int, list]] = {}
        for p in plan.posts:
            org, member = p.org.org, p.holder.member
            if p.org.level == OrgLevel.BRANCH and p.post != domain.Post.GROUP_LEADER:
                if p.org not in committee:
                    full = sum(1 for m in plan.members_of(p.org) if m.since < window.start and m.full_on is not None)
                    committee[p.org] = (full, [])
                full, held = committee[p.org]
                held.append((p.holder, p.post))
                # As selectors.committee_size counts: a secretary and deputy secretary alone are no committee.
                size = 0 if all(post in LEADERS_ONLY for _h, post in held) else len({h for h, _p in held})
                check = domain.check_committee_size(size, full)
                assert check.ok, check.errors
            rows.append(
                Post(
                    org=org,
                    member=member,
                    post=p.post,
                    term_starts_on=p.starts_on,
                    term_ends_on=p.ends_on,
                    ended_on=p.holder.left_on,
                )
            )
            after = {"member": member.name_masked, "post": p.post, "term_ends_on": str(p.ends_on)}
            entries.append(audit.Entry(actor=p.org.actor, action="party.post_assigned", **_obj(org), after=after))
    Post.objects.bulk_create(rows, batch_size=BATCH)


def _outcome(meeting: MeetingPlan) -> tuple[int, int, bool | None, list[tuple[str, Any, bool]]]:
    """Entitled and present full members, validity and each decision's outcome, as `services.meeting_record`
    decides them."""
    entitled, present = meeting.counts()
    valid = domain.meeting_quorum(entitled, present, False).valid if meeting.kind in QUORUM_KINDS else None
    results = []
    for d in meeting.decisions:
        assert min(d.votes_for, d.votes_against, d.abstentions) >= 0
        assert d.votes_for + d.votes_against + d.abstentions <= present
        results.append((d.title, d, domain.decision_passes(entitled, present, d.votes_for, False).passed))
    return entitled, present, valid, results


def _meetings(plans: list[CommunityPlan], entries: list[audit.Entry]) -> None:
    """The meetings with their attendance and decisions, inserted with prepared statements (there are some 13,000
    meetings and 75,000 attendance rows: a model instance for each would take seconds)."""
    todo = [meeting for plan in plans for meeting in plan.meetings]
    outcomes = [_outcome(meeting) for meeting in todo]
    now = timezone.now()
    ids = [uuid.uuid4() for _m in todo]
    _insert(
        PartyMeeting,
        ("public_id", "created_at", "updated_at", "org_id", "kind", "held_on", "place", "topic", "minutes")
        + ("election", "entitled", "present", "valid", "recorded_by_id"),
        [
            (public_id, now, now, meeting.org.org.pk, meeting.kind, meeting.held_on, meeting.place, meeting.topic)
            + (meeting.minutes, False, entitled, present, valid, _user_id(meeting.org.actor))
            for public_id, meeting, (entitled, present, valid, _results) in zip(ids, todo, outcomes, strict=True)
        ],
    )
    orgs = {meeting.org.org.pk for meeting in todo}
    pks = dict(PartyMeeting.objects.filter(org_id__in=orgs).values_list("public_id", "pk"))
    attendance, decisions = [], []
    for public_id, meeting, (entitled, present, valid, results) in zip(ids, todo, outcomes, strict=True):
        pk = pks[public_id]
        here = set(meeting.present)
        for m in meeting.roll:
            status = MemberStatus.FULL if m.full_on_day(meeting.held_on) else MemberStatus.PROBATIONARY
            reason = "" if m in here else meeting.reasons.get(m, "")[:100]
            attendance.append((pk, m.member.pk, status.value, m in here, reason))
        decisions += [
            Decision(
                meeting_id=pk,
                title=title,
                votes_for=d.votes_for,
                votes_against=d.votes_against,
                abstentions=d.abstentions,
                passed=passed,
            )
            for title, d, passed in results
        ]
        after = {
            "org": meeting.org.org.unit.name,
            "kind": meeting.kind,
            "held_on": str(meeting.held_on),
            "entitled": entitled,
            "present": present,
            "valid": valid,
            "decisions": [{"title": t, "passed": p} for t, _d, p in results],
        }
        entries.append(
            audit.Entry(
                actor=meeting.org.actor,
                action="party.meeting_recorded",
                object_type=PartyMeeting._meta.label_lower,
                object_id=str(public_id),
                object_label=f"PartyMeeting object ({pk})",  # str() of a model without __str__
                after=after,
            )
        )
    _insert(Attendance, ("meeting_id", "member_id", "status", "present", "absence_reason"), attendance)
    Decision.objects.bulk_create(decisions, batch_size=BATCH)


def _user_id(actor: Any) -> int | None:
    user = user_of(actor)
    return user.pk if user is not None else None


def _insert(model: Any, names: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert `rows` of `model` (values of the fields `names`, by attname) with one prepared statement; dates, times
    and ids are prepared for the database as the ORM prepares them."""
    fields = [model._meta.get_field(name) for name in names]
    prepare = [i for i, f in enumerate(fields) if isinstance(f, models.DateField | models.UUIDField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - model names
    if prepare:
        rows = [list(row) for row in rows]
        for row in rows:
            for i in prepare:
                row[i] = fields[i].get_db_prep_save(row[i], connection)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 5):
            cursor.executemany(sql, rows[start : start + BATCH * 5])
