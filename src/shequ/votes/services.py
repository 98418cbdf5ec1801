"""Writes of owners' votes: draft, open (freeze the electorate), cast online or by proxy, change, register a
proxy, enter and confirm paper ballots, close and publish.

Every write checks the permission first, validates with Chinese messages, and runs in one transaction with its
audit record. Casting locks the vote against closing (FOR SHARE on PostgreSQL; SQLite's write transactions are
serial anyway) and the owner's electorate row (FOR UPDATE), so two devices casting at once still leave one
ballot; the database's unique constraint on (vote, owner key) over live ballots is the last guard. Nothing is
ever deleted. Audit records never carry a receipt code or a choice: the published list stays anonymous.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import InvalidTransition, ValidationError
from shequ.core.permissions import require, write_service
from shequ.registry.selectors import owners_as_of
from shequ.territory.models import Dwelling

from . import counting, rules, scans, selectors
from .domain import ItemKind, owner_key
from .models import (
    Ballot,
    BallotChoice,
    Candidate,
    ElectorateDwelling,
    ElectorateMember,
    ElectorateOwner,
    ProxyAuthorisation,
    Publication,
    Vote,
    VoteItem,
)
from .rules import BallotStatus, Channel, Event, Status

MAX_ITEMS = 20
MAX_CANDIDATES = 50


@dataclass
class ItemInput:
    """One item of a new vote. ``seats`` and ``candidates`` for an election; ``affected`` dwellings for a consent."""

    kind: str
    title: str
    text: str = ""
    seats: int | None = None
    candidates: list[str] = field(default_factory=list)
    affected: list[Any] = field(default_factory=list)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _clean_items(items: list[ItemInput], compound: Any, errors: dict[str, list[str]]) -> None:
    if not items:
        errors.setdefault("items", []).append(_("至少需要一个表决事项"))
    if len(items) > MAX_ITEMS:
        errors.setdefault("items", []).append(_("表决事项不超过 %(n)s 项") % {"n": MAX_ITEMS})
    for n, item in enumerate(items, start=1):
        where = {"n": n}
        if item.kind not in {k.value for k in ItemKind}:
            errors.setdefault("items", []).append(_("第 %(n)s 项：请选择事项类别") % where)
            continue
        if not item.title.strip() or len(item.title.strip()) > 200:
            errors.setdefault("items", []).append(_("第 %(n)s 项：请填写事项（不超过200字）") % where)
        if item.kind == ItemKind.ELECTION:
            names = [c.strip() for c in item.candidates if c.strip()]
            if not names or len(names) > MAX_CANDIDATES or any(len(c) > 50 for c in names):
                errors.setdefault("items", []).append(_("第 %(n)s 项：请填写候选人（每行一人）") % where)
            elif len(set(names)) != len(names):
                errors.setdefault("items", []).append(_("第 %(n)s 项：候选人重复") % where)
            if not item.seats or item.seats < 1 or (names and item.seats > len(names)):
                errors.setdefault("items", []).append(_("第 %(n)s 项：应选人数须在 1 到候选人数之间") % where)
        if item.kind == ItemKind.CONSENT:
            if not item.affected:
                errors.setdefault("items", []).append(_("第 %(n)s 项：请填写有利害关系的房屋") % where)
            elif any(d.building.compound_id != compound.pk for d in item.affected):
                errors.setdefault("items", []).append(_("第 %(n)s 项：有利害关系的房屋须在本小区") % where)


@write_service("votes.manage")
def vote_create(
    *,
    actor: Any,
    compound: Any,
    title: str,
    description: str,
    closes_at: datetime,
    items: list[ItemInput],
    verifiable: bool = True,
    now: datetime | None = None,
) -> Vote:
    """Draft a vote of the compound's owners with its items (the electorate is taken when it opens)."""
    require(actor, "votes.manage", compound)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title or len(title) > 100:
        errors.setdefault("title", []).append(_("请填写标题（不超过100字）"))
    if closes_at is None or closes_at <= now:
        errors.setdefault("closes_at", []).append(_("截止时间须晚于现在"))
    _clean_items(items, compound, errors)
    _raise(errors)
    with transaction.atomic():
        vote = Vote.objects.create(
            compound=compound,
            title=title,
            description=(description or "").strip(),
            closes_at=closes_at,
            verifiable=verifiable,
            created_by=user_of(actor),
        )
        for position, data in enumerate(items, start=1):
            item = VoteItem.objects.create(
                vote=vote,
                position=position,
                kind=data.kind,
                title=data.title.strip(),
                text=data.text.strip(),
                seats=data.seats if data.kind == ItemKind.ELECTION else None,
            )
            if data.kind == ItemKind.ELECTION:
                names = [c.strip() for c in data.candidates if c.strip()]
                Candidate.objects.bulk_create(
                    [Candidate(item=item, position=i, name=name) for i, name in enumerate(names, start=1)]
                )
            if data.kind == ItemKind.CONSENT:
                item.affected_dwellings.set(data.affected)
        audit.record(
            actor=actor,
            action="votes.created",
            obj=vote,
            after={"title": title, "compound": compound.name, "items": len(items), "verifiable": verifiable},
        )
    return vote


def _freeze_electorate(vote: Vote, on: Any) -> tuple[Decimal, int]:
    """Write the electorate of the vote's compound as of ``on``; returns (total area, number of owners).

    A dwelling's owner key is ``domain.owner_key`` over its owners of record: the developer's stock is one owner;
    persons by their public id, organisations by their credit code (or name). A dwelling with no owner of record
    still counts (its area and one owner), under a key of its own: nobody can cast it online."""
    dwellings = list(
        Dwelling.objects.filter(building__compound=vote.compound).select_related("building", "unit").order_by("pk")
    )
    by_dwelling: dict[int, list[Any]] = {}
    for row in owners_as_of([d.pk for d in dwellings], on):
        by_dwelling.setdefault(row.dwelling_id, []).append(row)
    keys: dict[int, str] = {}
    residents: dict[str, set[int]] = {}
    for d in dwellings:
        rows = by_dwelling.get(d.pk, [])
        developer = any(r.owner_kind == "developer" for r in rows)
        ids = [
            f"r:{r.resident.public_id}"
            if r.owner_kind == "person"
            else f"org:{r.organisation_uscc or r.organisation_name}"
            for r in rows
        ]
        key = owner_key(ids or [f"unregistered:{d.public_id}"], developer=developer)
        keys[d.pk] = key
        if not developer:
            residents.setdefault(key, set()).update(r.resident_id for r in rows if r.owner_kind == "person")
    grouped: dict[str, list[Any]] = {}
    for d in dwellings:
        grouped.setdefault(keys[d.pk], []).append(d)
    owners = ElectorateOwner.objects.bulk_create(
        [
            ElectorateOwner(
                vote=vote,
                owner_key=key,
                area=sum((d.floor_area for d in ds), Decimal(0)),
                label="、".join(selectors.dwelling_label(d) for d in ds)[:200],
            )
            for key, ds in grouped.items()
        ],
        batch_size=2000,
    )
    by_key = {o.owner_key: o for o in owners}
    ElectorateDwelling.objects.bulk_create(
        [
            ElectorateDwelling(
                vote=vote, owner=by_key[keys[d.pk]], dwelling=d, area=d.floor_area, label=selectors.dwelling_label(d)
            )
            for d in dwellings
        ],
        batch_size=2000,
    )
    ElectorateMember.objects.bulk_create(
        [ElectorateMember(owner=by_key[key], resident_id=rid) for key, rids in residents.items() for rid in rids],
        batch_size=2000,
    )
    return sum((o.area for o in owners), Decimal(0)), len(owners)


@write_service("votes.manage")
def vote_open(*, actor: Any, vote: Vote, now: datetime | None = None) -> Vote:
    """Open a drafted vote: freeze the electorate from the register as of today, then owners may vote.

    Locks the vote. Refused when the deadline has passed or the compound has no dwellings."""
    require(actor, "votes.manage", vote)
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        try:
            status = rules.next_status(vote.status, Event.OPEN)
        except InvalidTransition:
            raise ValidationError(_("只有草稿状态的表决可以开始")) from None
        if vote.closes_at <= now:
            raise ValidationError({"closes_at": [_("截止时间已过，请重新发起表决")]})
        on = timezone.localdate(now)
        total_area, total_owners = _freeze_electorate(vote, on)
        if not total_owners:
            raise ValidationError(_("该小区没有登记房屋，无法开始表决"))
        keys_by_dwelling = dict(
            ElectorateDwelling.objects.filter(vote=vote).values_list("dwelling_id", "owner__owner_key")
        )
        for item in vote.items.filter(kind=ItemKind.CONSENT):
            affected = item.affected_dwellings.values_list("pk", flat=True)
            item.affected_owner_keys = sorted({keys_by_dwelling[pk] for pk in affected})
            item.save(update_fields=["affected_owner_keys", "updated_at"])
        vote.status, vote.opened_at, vote.electorate_on = status, now, on
        vote.total_area, vote.total_owners = total_area, total_owners
        vote.save(update_fields=["status", "opened_at", "electorate_on", "total_area", "total_owners", "updated_at"])
        audit.record(
            actor=actor,
            action="votes.opened",
            obj=vote,
            after={"electorate_on": on.isoformat(), "total_area": str(total_area), "total_owners": total_owners},
        )
    return vote


# --- casting ------------------------------------------------------------------------------------------------


def _lock_vote_for_casting(vote_id: int) -> Vote:
    """Hold the vote against closing while a ballot is written (casts do not wait for each other)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM votes_vote WHERE id = %s FOR SHARE", [vote_id])
    return Vote.objects.get(pk=vote_id)


def _check_open(vote: Vote, now: datetime) -> None:
    if vote.status == Status.DRAFT:
        raise ValidationError(_("表决尚未开始，不能投票"))
    if vote.status == Status.CLOSED or now >= vote.closes_at:
        raise ValidationError(_("表决已结束，不能再投票或修改选票"))


def _answers(vote: Vote, owner: ElectorateOwner, choices: dict[int, Any]) -> dict[int, rules.Answer]:
    try:
        return rules.clean_choices(selectors.item_specs(vote, owner), choices)
    except ValueError as exc:
        raise ValidationError({"choices": [str(exc)]}) from None


def _receipt_code(vote: Vote) -> str:
    if not vote.verifiable:
        return ""
    while True:
        code = rules.new_receipt_code()
        if not Ballot.objects.filter(receipt_code=code).exists():
            return code


def _write_ballot(
    vote: Vote, owner: ElectorateOwner, answers: dict[int, rules.Answer], now: datetime, **fields: Any
) -> Ballot:
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                vote=vote,
                owner=owner,
                owner_key=owner.owner_key,
                cast_at=now,
                receipt_code=_receipt_code(vote),
                **fields,
            )
    except IntegrityError:
        raise ValidationError(_("该业主已投票，每位业主只能有一张有效选票")) from None
    items = {i.position: i for i in vote.items.all()}
    candidates = {(c.item_id, c.name): c for c in Candidate.objects.filter(item__vote=vote)}
    rows = []
    for position, answer in answers.items():
        item = items[position]
        if isinstance(answer, frozenset):
            rows += [BallotChoice(ballot=ballot, item=item, candidate=candidates[(item.pk, n)]) for n in sorted(answer)]
        elif answer is not None:
            rows.append(BallotChoice(ballot=ballot, item=item, choice=answer.value))
    BallotChoice.objects.bulk_create(rows)
    return ballot


def _live_ballot(owner: ElectorateOwner) -> Ballot | None:
    return Ballot.objects.filter(owner=owner, status__in=rules.LIVE_STATUSES).first()


def _online_fields(owner: ElectorateOwner, resident: Any) -> dict[str, Any]:
    proxy = None
    if not owner.members.filter(resident=resident).exists():
        proxy = ProxyAuthorisation.objects.get(owner=owner, proxy=resident)
    channel = Channel.PROXY if proxy is not None else Channel.ONLINE
    return {"channel": channel, "status": BallotStatus.COUNTED, "cast_by": resident, "proxy": proxy}


@write_service("votes.cast")
def ballot_cast(*, actor: Any, owner: ElectorateOwner, choices: dict[int, Any], now: datetime | None = None) -> Ballot:
    """Cast the ballot of ``owner`` on the portal (the owner, or their registered proxy); it counts at once.

    Refused when the owner already has a ballot (change it instead), or the vote is not open. Locks the vote
    against closing and the owner's row against a second device."""
    require(actor, "votes.cast", owner)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock_vote_for_casting(owner.vote_id)
        _check_open(vote, now)
        owner = ElectorateOwner.objects.select_for_update().get(pk=owner.pk)
        if _live_ballot(owner) is not None:
            raise ValidationError(_("您（或共有人、代理人）已为该房屋投票，不能重复投票；如需更改，请修改选票"))
        answers = _answers(vote, owner, choices)
        ballot = _write_ballot(vote, owner, answers, now, **_online_fields(owner, actor.resident))
        audit.record(
            actor=actor,
            action="votes.ballot_cast",
            obj=vote,
            after={"ballot": str(ballot.public_id), "channel": ballot.channel},
        )
    return ballot


@write_service("votes.cast")
def ballot_change(
    *, actor: Any, owner: ElectorateOwner, choices: dict[int, Any], now: datetime | None = None
) -> Ballot:
    """Change the owner's counted online or proxy ballot before close: the old ballot and its receipt become void,
    the new one gets a new receipt code. A paper ballot is changed only by staff (ask the community)."""
    require(actor, "votes.cast", owner)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock_vote_for_casting(owner.vote_id)
        _check_open(vote, now)
        owner = ElectorateOwner.objects.select_for_update().get(pk=owner.pk)
        old = _live_ballot(owner)
        if old is None:
            raise ValidationError(_("还没有投票，无需修改"))
        if old.channel == Channel.PAPER:
            raise ValidationError(_("该房屋已提交纸质选票，如需更改请联系社区"))
        answers = _answers(vote, owner, choices)
        Ballot.objects.filter(pk=old.pk).update(status=BallotStatus.VOID, updated_at=now)
        ballot = _write_ballot(vote, owner, answers, now, **_online_fields(owner, actor.resident))
        Ballot.objects.filter(pk=old.pk).update(replaced_by=ballot)
        audit.record(
            actor=actor,
            action="votes.ballot_changed",
            obj=vote,
            before={"ballot": str(old.public_id)},
            after={"ballot": str(ballot.public_id), "channel": ballot.channel},
        )
    return ballot


# --- proxies and paper ballots ----------------------------------------------------------------------------------


@write_service("votes.register_proxy")
def proxy_register(*, actor: Any, owner: ElectorateOwner, proxy: Any, upload: Any) -> ProxyAuthorisation:
    """Register the owner's written authorisation of resident ``proxy`` (scan attached); one proxy per owner.

    Refused once the owner has voted or the vote is closed."""
    require(actor, "votes.register_proxy", owner)
    scan = scans.clean_scan(upload)
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=owner.vote_id)
        _check_open(vote, timezone.now())
        owner = ElectorateOwner.objects.select_for_update().get(pk=owner.pk)
        if ProxyAuthorisation.objects.filter(owner=owner).exists():
            raise ValidationError({"owner": [_("该业主已登记代理人，每位业主只能委托一位代理人")]})
        if _live_ballot(owner) is not None:
            raise ValidationError({"owner": [_("该业主已投票，不能再登记委托")]})
        stored = scans.store_scan(vote=vote, scan=scan, uploaded_by=user_of(actor))
        authorisation = ProxyAuthorisation.objects.create(
            vote=vote, owner=owner, proxy=proxy, scan=stored, registered_by=user_of(actor)
        )
        audit.record(
            actor=actor,
            action="votes.proxy_registered",
            obj=vote,
            after={"owner": owner.label, "proxy": str(proxy.public_id)},
        )
    return authorisation


@write_service("votes.enter_paper")
def paper_enter(
    *, actor: Any, owner: ElectorateOwner, choices: dict[int, Any], upload: Any, now: datetime | None = None
) -> Ballot:
    """Enter a signed paper ballot (scan attached); it waits for another staff member's confirmation."""
    require(actor, "votes.enter_paper", owner)
    scan = scans.clean_scan(upload)
    now = now or timezone.now()
    with transaction.atomic():
        vote = _lock_vote_for_casting(owner.vote_id)
        _check_open(vote, now)
        owner = ElectorateOwner.objects.select_for_update().get(pk=owner.pk)
        if _live_ballot(owner) is not None:
            raise ValidationError({"owner": [_("该业主已投票（或有待复核的纸质选票），不能重复投票")]})
        answers = _answers(vote, owner, choices)
        stored = scans.store_scan(vote=vote, scan=scan, uploaded_by=user_of(actor))
        proxy = ProxyAuthorisation.objects.filter(owner=owner).first()
        ballot = _write_ballot(
            vote,
            owner,
            answers,
            now,
            channel=Channel.PAPER,
            status=BallotStatus.PENDING,
            entered_by=user_of(actor),
            scan=stored,
            proxy=proxy,
        )
        audit.record(actor=actor, action="votes.paper_entered", obj=vote, after={"ballot": str(ballot.public_id)})
    return ballot


def _pending(ballot: Ballot) -> tuple[Vote, Ballot]:
    vote = Vote.objects.select_for_update().get(pk=ballot.vote_id)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != BallotStatus.PENDING:
        raise ValidationError(_("该纸质选票已复核"))
    if vote.status != Status.OPEN:
        raise ValidationError(_("表决已结束，不能再复核选票"))
    return vote, ballot


@write_service("votes.confirm_paper")
def paper_confirm(*, actor: Any, ballot: Ballot, now: datetime | None = None) -> Ballot:
    """Confirm a paper ballot against its scan (a staff member other than the one who entered it); it counts."""
    require(actor, "votes.confirm_paper", ballot)
    now = now or timezone.now()
    with transaction.atomic():
        vote, ballot = _pending(ballot)
        ballot.status, ballot.confirmed_by, ballot.confirmed_at = BallotStatus.COUNTED, user_of(actor), now
        ballot.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
        audit.record(actor=actor, action="votes.paper_confirmed", obj=vote, after={"ballot": str(ballot.public_id)})
    return ballot


@write_service("votes.confirm_paper")
def paper_reject(*, actor: Any, ballot: Ballot, reason: str) -> Ballot:
    """Refuse a paper ballot that does not match its scan; the owner may then vote again (it is kept, void)."""
    require(actor, "votes.confirm_paper", ballot)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationError({"reason": [_("请填写退回理由（不超过200字）")]})
    with transaction.atomic():
        vote, ballot = _pending(ballot)
        ballot.status, ballot.confirmed_by, ballot.confirmed_at = BallotStatus.REJECTED, user_of(actor), timezone.now()
        ballot.reject_reason = reason
        ballot.save(update_fields=["status", "confirmed_by", "confirmed_at", "reject_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="votes.paper_rejected",
            obj=vote,
            after={"ballot": str(ballot.public_id), "reason": reason},
        )
    return ballot


# --- close and publish -------------------------------------------------------------------------------------------


@write_service("votes.manage")
def vote_close(*, actor: Any, vote: Vote, now: datetime | None = None) -> Vote:
    """Close the vote once its deadline has passed and publish: the results and, if verifiable, the receipt list.

    Refused while a paper ballot waits for confirmation. Locks the vote (waits for casts in progress)."""
    require(actor, "votes.manage", vote)
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        try:
            status = rules.next_status(vote.status, Event.CLOSE)
        except InvalidTransition:
            raise ValidationError(_("只有表决中的表决可以结束")) from None
        if now < vote.closes_at:
            raise ValidationError(_("截止时间未到，不能提前结束表决"))
        pending = Ballot.objects.filter(vote=vote, status=BallotStatus.PENDING).count()
        if pending:
            raise ValidationError(_("还有 %(n)s 张纸质选票待复核，请先复核再结束表决") % {"n": pending})
        vote.status, vote.closed_at = status, now
        vote.save(update_fields=["status", "closed_at", "updated_at"])
        data = counting.publication_data(vote, counting.vote_tally(vote))
        Publication.objects.create(vote=vote, published_at=now, data=data)
        audit.record(
            actor=actor,
            action="votes.closed",
            obj=vote,
            after={"results": data["results"], "receipts": len(data["receipts"])},
        )
        _publish_result_notice(actor=actor, vote=vote, data=data, now=now)
    return vote


def _publish_result_notice(*, actor: Any, vote: Vote, data: dict[str, Any], now: datetime) -> None:
    """The result as a public notice (公示) to the compound's residents for at least a week from the close: each
    item's result explained, and where the receipt list is (objections go through the notice)."""
    from datetime import timedelta

    from shequ.notices import services as notices

    parts = []
    for item in data["items"]:
        position = str(item["position"])
        lines = "\n".join(data["explanations"].get(position, []))
        parts.append(f"{item['position']}. {item['title']}\n{lines}")
    if vote.verifiable:
        parts.append(_("每张选票的回执码及其表决意见已在“业主表决”中公布，业主可核对本人选票并自行重新计票。"))
    today = timezone.localtime(now).date()
    days = max(7, notices.min_days())
    notices.notice_publish(
        actor=actor,
        area=vote.compound.community,
        compound=vote.compound,
        kind="vote_result",
        title=_("业主表决结果：%(title)s") % {"title": vote.title},
        body="\n\n".join(parts),
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),
        source_type="votes.vote",
        source_id=str(vote.public_id),
        now=now,
    )
