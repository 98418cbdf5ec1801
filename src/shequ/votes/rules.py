"""Rules of running a vote (the counting itself is ``domain.py``): the vote's states, ballot channels and states,
receipt codes, the ballot's choices, and the recount of a published receipt list.

Rules and sources:

- A vote is drafted, opened (the electorate is frozen from the register on that day), and closed; nothing goes
  back (民法典 第二百七十八条: the decision is what the owners cast while the vote was open). After close the
  ballots, their scans and the result are kept for good: an owner may ask a court to set a decision aside within
  a year of knowing of it (民法典 第二百八十条), so the evidence outlives any retention period.
- One ballot per owner (最高人民法院 建筑物区分所有权解释 2020 第九条: one dwelling, one buyer of several
  dwellings, the same set of co-owners and the developer's unsold stock each count as ONE owner): a live ballot
  is counted or waiting for confirmation; a changed ballot becomes void and its receipt with it.
- Channels: online (the owner, on the portal), proxy (a resident holding the owner's written authorisation, its
  scan kept), paper (entered by staff from the signed paper ballot, its scan kept; it counts only once a second
  staff member confirms it — four eyes on every ballot nobody cast on screen).
- Receipt codes are random (``secrets``), 10 characters of Crockford base32 (50 bits): unguessable, readable
  aloud, no I/L/O/U. The published list carries each code with its ballot's choices and the area it weighs —
  never a name or a dwelling — so an owner finds their own ballot and anyone can recount the list.
- Choices: ordinary and special items take 同意/反对/弃权 or nothing (did not take part in the item); an
  election takes at most ``seats`` candidates (none: did not take part); a §279 consent item is answered
  同意/不同意 only by the affected owners.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition

from .domain import Choice, Holding, ItemKind, tally_consent, tally_election, tally_item


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Event(StrEnum):
    OPEN = "open"
    CLOSE = "close"


STATUS_LABELS = {Status.DRAFT: _("草稿"), Status.OPEN: _("表决中"), Status.CLOSED: _("已结束")}

TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.DRAFT, Event.OPEN): Status.OPEN,
    (Status.OPEN, Event.CLOSE): Status.CLOSED,
}


def next_status(status: str, event: str) -> Status:
    """The status after ``event``; InvalidTransition when the table has no such row."""
    try:
        return TRANSITIONS[(Status(status), Event(event))]
    except (KeyError, ValueError):
        raise InvalidTransition(f"{status} --{event}-->") from None


class Channel(StrEnum):
    ONLINE = "online"
    PROXY = "proxy"
    PAPER = "paper"


CHANNEL_LABELS = {Channel.ONLINE: _("业主网上投票"), Channel.PROXY: _("委托代理人投票"), Channel.PAPER: _("纸质选票")}


class BallotStatus(StrEnum):
    COUNTED = "counted"
    PENDING = "pending"  # a paper ballot waiting for the second staff member
    VOID = "void"  # replaced by a changed ballot
    REJECTED = "rejected"  # a paper ballot the second staff member refused


BALLOT_STATUS_LABELS = {
    BallotStatus.COUNTED: _("已计入"),
    BallotStatus.PENDING: _("待复核"),
    BallotStatus.VOID: _("已作废（已修改）"),
    BallotStatus.REJECTED: _("复核未通过"),
}
LIVE_STATUSES = (BallotStatus.COUNTED, BallotStatus.PENDING)

CONSENT_LABELS = {Choice.AGREE: _("同意"), Choice.OPPOSE: _("不同意")}

# --- receipt codes ---------------------------------------------------------------------------------------

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
RECEIPT_LENGTH = 10


def new_receipt_code() -> str:
    """A fresh random receipt code (10 Crockford base32 characters, 50 bits)."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))


def normalise_receipt(text: str) -> str:
    """A typed code as stored: spaces and dashes dropped, upper case, O→0 and I/L→1 as Crockford reads them."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\u3000")
    return cleaned.translate(str.maketrans("OIL", "011"))


def receipt_display(code: str) -> str:
    """The code in two groups of five for reading aloud ("7K3QX-M2P9D")."""
    return f"{code[:5]}-{code[5:]}" if len(code) == RECEIPT_LENGTH else code


# --- the ballot's choices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    """What a ballot may answer on one item: its position, kind, seats and candidates (elections), and for a
    consent item whether this owner is affected."""

    position: int
    kind: ItemKind
    title: str = ""
    seats: int = 0
    candidates: tuple[str, ...] = ()
    affected: bool = True


Answer = Choice | frozenset[str] | None


def clean_choices(items: Sequence[ItemSpec], raw: Mapping[int, Any]) -> dict[int, Answer]:
    """The ballot's answers by item position, checked; raises ValueError with a Chinese message.

    ``raw`` maps a position to a choice value ("agree"/"oppose"/"abstain"), to a list of candidate names for an
    election, or to None/""/[] for an item left blank. Unknown positions are refused; a consent item answered by
    an owner who is not affected, or with 弃权, is refused; an election with more than ``seats`` names or a name
    not on the ballot is refused. A ballot that answers nothing at all is refused (it would count for nothing)."""
    by_position = {i.position: i for i in items}
    unknown = sorted(set(raw) - set(by_position))
    if unknown:
        raise ValueError(gettext("选票中有不存在的表决事项"))
    answers: dict[int, Answer] = {}
    for item in items:
        value = raw.get(item.position)
        if item.kind == ItemKind.ELECTION:
            names = [v for v in (value or []) if v]
            if len(set(names)) != len(names):
                raise ValueError(gettext("“%(title)s”中同一候选人只能选一次") % {"title": item.title})
            if len(names) > item.seats:
                raise ValueError(
                    gettext("“%(title)s”最多选 %(seats)s 人，您选了 %(n)s 人")
                    % {"title": item.title, "seats": item.seats, "n": len(names)}
                )
            if set(names) - set(item.candidates):
                raise ValueError(gettext("“%(title)s”中有不在候选人名单上的人") % {"title": item.title})
            answers[item.position] = frozenset(names) if names else None
            continue
        if value in (None, ""):
            answers[item.position] = None
            continue
        try:
            choice = Choice(value)
        except ValueError:
            raise ValueError(gettext("“%(title)s”的表决意见无效") % {"title": item.title}) from None
        if item.kind == ItemKind.CONSENT:
            if not item.affected:
                raise ValueError(gettext("您不是“%(title)s”的利害关系业主，无需表决此项") % {"title": item.title})
            if choice == Choice.ABSTAIN:
                raise ValueError(gettext("“%(title)s”只能选择同意或不同意") % {"title": item.title})
        answers[item.position] = choice
    if all(a is None for a in answers.values()):
        raise ValueError(gettext("选票没有对任何事项表决，请至少表决一项"))
    return answers


def answers_to_json(answers: Mapping[int, Answer]) -> dict[str, Any]:
    """Answers as JSON: position → choice value, sorted candidate names, or None."""
    out: dict[str, Any] = {}
    for position, answer in sorted(answers.items()):
        if isinstance(answer, frozenset):
            out[str(position)] = sorted(answer)
        else:
            out[str(position)] = answer.value if answer is not None else None
    return out


# --- recounting a published list -------------------------------------------------------------------------


def _placeholders(count: int, area: Decimal) -> list[Holding]:
    """``count`` owners holding ``area`` together (each 0.01 ㎡ but the last): they stand for the owners who did
    not vote, whose area and number are all the engine needs of them."""
    if count <= 0:
        return []
    step = Decimal("0.01")
    rest = area - step * (count - 1)
    if rest <= 0:
        raise ValueError("published totals are inconsistent: the non-voters' area is too small")
    rows = [Holding(dwelling=f"~{i}", owner=f"~{i}", area=step) for i in range(count - 1)]
    rows.append(Holding(dwelling=f"~{count - 1}", owner=f"~{count - 1}", area=rest))
    return rows


def recount(published: Mapping[str, Any]) -> dict[str, Any]:
    """Recount a published receipt list with the engine; returns position → the item's result as published
    (``as_json()`` of a tally, or the election's elected and tie, or the consent's passed).

    ``published`` is the publication's JSON: ``total_area``, ``total_owners``, ``items`` (position, kind, seats,
    candidates, affected_owners) and ``receipts`` (code, area, choices by position). Each receipt is one owner
    weighing its area; the owners who did not vote enter as placeholders carrying the rest of the area."""
    receipts = published["receipts"]
    voters = [Holding(dwelling=r["code"], owner=r["code"], area=Decimal(r["area"])) for r in receipts]
    voted_area = sum((h.area for h in voters), Decimal(0))
    total_area, total_owners = Decimal(published["total_area"]), int(published["total_owners"])
    holdings = voters + _placeholders(total_owners - len(voters), total_area - voted_area)
    results: dict[str, Any] = {}
    for item in published["items"]:
        key = str(item["position"])
        kind = ItemKind(item["kind"])
        answers = {r["code"]: r["choices"].get(key) for r in receipts}
        if kind == ItemKind.ELECTION:
            election = tally_election(
                holdings,
                {k: frozenset(v) if v else None for k, v in answers.items()},
                item["candidates"],
                int(item["seats"]),
            )
            results[key] = {"valid": election.valid, "elected": election.elected, "tie": election.tie}
        elif kind == ItemKind.CONSENT:
            consents = {k: v == Choice.AGREE.value for k, v in answers.items() if v is not None}
            silent = [f"~silent{i}" for i in range(int(item["affected_owners"]) - len(consents))]
            consent = tally_consent([*consents, *silent], consents)
            results[key] = {"passed": consent.passed}
        else:
            tally = tally_item(holdings, {k: Choice(v) if v else None for k, v in answers.items()}, kind)
            results[key] = tally.as_json()
    return results
