"""Rules of owners' joint decisions (业主共同决定): who counts, how much, and when an item passes.

Rules and sources:

- Kinds of item (民法典 2020 第二百七十八条): ordinary items — (1) rules of procedure, (2) the management statute,
  (3) electing or replacing the owners' committee, (4) hiring or dismissing the property company, (5) using the
  maintenance fund, (9) other major matters — pass with MORE THAN HALF of the participating owners' exclusive
  area AND more than half of the participating owners (过半数: exactly one half fails). Special items — (6) raising
  the maintenance fund, (7) altering or rebuilding buildings and their ancillary facilities, (8) changing the use
  of common parts or using them for business — pass with AT LEAST 3/4 of the participating area AND at least
  3/4 of the participating owners (四分之三以上: "以上" includes the number, 民法典 第一千二百五十九条).
- Validity (§278 paragraph 2): a vote counts only if the participating owners hold AT LEAST 2/3 of the total
  exclusive area AND are at least 2/3 of all owners by number (exactly 2/3 is enough). Participation is counted
  per item: an owner who returns a ballot with an item left blank did not take part in that item. Abstentions
  (弃权) take part but do not approve.
- Only cast ballots count: rules of procedure that would count non-voters as agreeing with the majority
  (未投票视为同意) are not applied, and this module has no way to apply them.
- Counting (最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释 2020 第八条、第九条): area is the
  exclusive area from the registry; one dwelling counts as one owner; a developer's unsold dwellings (and those
  sold but not yet delivered) count as one owner; one buyer of several dwellings counts as one owner; dwellings
  with the same set of co-owners count as one owner; co-owners cast one ballot per dwelling. ``owner_key`` gives
  each dwelling the key that decides headcount; the counting functions take holdings already keyed.
- Electing the owners' committee: each owner votes for up to N candidates; a candidate who reaches both ordinary
  majorities of the item's participants qualifies; qualified candidates are ranked by headcount, then by area,
  and the top N are elected. A tie for the last seat is reported and never resolved here (the rules of procedure
  or a new round decide it).
- Turning a dwelling into business premises (民法典 第二百七十九条) needs the consent of every affected owner,
  recorded owner by owner.
- All arithmetic on areas and shares is exact (``Decimal`` areas, ``Fraction`` shares; never ``float``).
- The ``shequ tally`` file (UTF-8 CSV, BOM allowed): one row per dwelling with the columns
  ``dwelling,owner,area,vote``; ``read_tally_csv`` reads it into the same holdings and votes the engine counts.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CHOICE_LABELS",
    "DEVELOPER_OWNER_KEY",
    "KIND_LABELS",
    "MAX_AREA",
    "PARTICIPATION_QUORUM",
    "TALLY_COLUMNS",
    "TALLY_VOTE_WORDS",
    "CandidateResult",
    "Choice",
    "Consent",
    "Election",
    "Holding",
    "ItemKind",
    "Tally",
    "TallyFileError",
    "area_text",
    "decimal_places",
    "decode_tally_bytes",
    "fraction_text",
    "meets_approval",
    "meets_quorum",
    "owner_key",
    "percent_text",
    "read_tally_csv",
    "tally_consent",
    "tally_election",
    "tally_item",
]


class ItemKind(StrEnum):
    """What rule an item is counted by."""

    ORDINARY = "ordinary"  # §278 (1)–(5), (9): > 1/2 of participating area AND > 1/2 of participating owners
    SPECIAL = "special"  # §278 (6)–(8): ≥ 3/4 of participating area AND ≥ 3/4 of participating owners
    ELECTION = "election"  # electing the owners' committee: candidates, each owner votes for up to N
    CONSENT = "consent"  # §279 dwelling → business premises: every affected owner consents


KIND_LABELS = {
    ItemKind.ORDINARY: _("一般事项（双过半）"),
    ItemKind.SPECIAL: _("特别事项（双四分之三）"),
    ItemKind.ELECTION: _("选举业主委员会"),
    ItemKind.CONSENT: _("住宅改为经营性用房（有利害关系的业主一致同意）"),
}


class Choice(StrEnum):
    AGREE = "agree"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"


CHOICE_LABELS = {
    Choice.AGREE: _("同意"),
    Choice.OPPOSE: _("反对"),
    Choice.ABSTAIN: _("弃权"),
}

# Participating owners must hold at least this share of the total area and be at least this share of all owners.
PARTICIPATION_QUORUM = Fraction(2, 3)
ORDINARY_MAJORITY = Fraction(1, 2)  # strictly more than this
SPECIAL_MAJORITY = Fraction(3, 4)  # this or more
DEVELOPER_OWNER_KEY = "developer"
# Bigger than any dwelling; keeps every sum far inside Decimal's 28 digits, so no sum is ever rounded.
MAX_AREA = Decimal("100000000")


def meets_quorum(share: Fraction) -> bool:
    """Whether a participation share reaches 2/3 (exactly 2/3 does)."""
    return share >= PARTICIPATION_QUORUM


def meets_approval(kind: ItemKind, share: Fraction) -> bool:
    """Whether an approval share meets the kind's majority: more than 1/2 for ordinary items and elections,
    at least 3/4 for special items."""
    if kind in (ItemKind.ORDINARY, ItemKind.ELECTION):
        return share > ORDINARY_MAJORITY
    if kind == ItemKind.SPECIAL:
        return share >= SPECIAL_MAJORITY
    raise ValueError(f"no majority rule for {kind!r}")


def fraction_text(share: Fraction) -> str:
    """The fraction in lowest terms, always as "p/q" ("1/1", "0/1")."""
    return f"{share.numerator}/{share.denominator}"


def percent_text(share: Fraction) -> str:
    """The share as a percentage to one decimal, rounded half up exactly ("71.3%")."""
    tenths = math.floor(share * 1000 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}%"


def area_text(area: Decimal) -> str:
    """An area without trailing zeros and never in exponent notation ("7130", "71.35")."""
    return format(area.normalize(), "f") if area else "0"


def decimal_places(value: Decimal) -> int:
    """How many decimals the value needs (trailing zeros do not count: 12.300 needs 1)."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    places = -exponent
    while places > 0 and digits and digits[-1] == 0:
        digits, places = digits[:-1], places - 1
    return max(places, 0)


def _share(part: Decimal | int, whole: Decimal | int) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


# --- holdings and headcount ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """One dwelling in the count: its key, the key of the owner it counts for, its exclusive area in m²."""

    dwelling: str
    owner: str  # rows with the same key are ONE owner (headcount)
    area: Decimal  # > 0, at most 2 decimals

    def __post_init__(self) -> None:
        if not self.dwelling or not self.owner:
            raise ValueError("a holding needs a dwelling key and an owner key")
        if not isinstance(self.area, Decimal) or not self.area.is_finite():
            raise ValueError(f"area of {self.dwelling!r} must be a finite Decimal, not {self.area!r}")
        if not 0 < self.area < MAX_AREA:
            raise ValueError(f"area of {self.dwelling!r} must be positive and below {MAX_AREA}, not {self.area}")
        if decimal_places(self.area) > 2:
            raise ValueError(f"area of {self.dwelling!r} has more than 2 decimals: {self.area}")


def owner_key(co_owners: Iterable[str], *, developer: bool = False) -> str:
    """The headcount key of a dwelling: "developer" for a developer's unsold or undelivered stock (all of it one
    owner); otherwise "owners:" + the sorted, de-duplicated ids of its co-owners joined by "|", so one buyer of
    several dwellings, and dwellings held by the same set of co-owners, count as one owner."""
    if developer:
        return DEVELOPER_OWNER_KEY
    ids = sorted({str(i) for i in co_owners})
    if not ids or any(not i for i in ids):
        raise ValueError("a dwelling not held by the developer needs at least one co-owner id, none empty")
    return "owners:" + "|".join(ids)


@dataclass(frozen=True)
class _Electorate:
    area_by_owner: dict[str, Decimal]
    total_area: Decimal
    total_owners: int


def _electorate(holdings: Sequence[Holding]) -> _Electorate:
    area_by_owner: dict[str, Decimal] = {}
    seen: set[str] = set()
    for holding in holdings:
        if holding.dwelling in seen:
            raise ValueError(f"dwelling {holding.dwelling!r} appears twice")
        seen.add(holding.dwelling)
        area_by_owner[holding.owner] = area_by_owner.get(holding.owner, Decimal(0)) + holding.area
    return _Electorate(area_by_owner, sum(area_by_owner.values(), Decimal(0)), len(area_by_owner))


def _unknown_owners(electorate: _Electorate, keys: Iterable[str]) -> None:
    unknown = sorted(k for k in keys if k not in electorate.area_by_owner)
    if unknown:
        raise ValueError(f"owner keys that hold nothing: {', '.join(unknown)}")


def _participation_sentences(
    participating_area: Decimal, total_area: Decimal, participating_owners: int, total_owners: int
) -> list[str]:
    area_share = _share(participating_area, total_area)
    owner_share = _share(participating_owners, total_owners)
    reached, short = gettext("达到 2/3"), gettext("未达到 2/3")
    return [
        gettext("参与表决的专有部分面积占总面积 %(pct)s（%(part)s㎡/%(total)s㎡），%(verdict)s。")
        % {
            "pct": percent_text(area_share),
            "part": area_text(participating_area),
            "total": area_text(total_area),
            "verdict": reached if meets_quorum(area_share) else short,
        },
        gettext("参与表决的业主占业主总人数 %(pct)s（%(part)s/%(total)s 人），%(verdict)s。")
        % {
            "pct": percent_text(owner_share),
            "part": participating_owners,
            "total": total_owners,
            "verdict": reached if meets_quorum(owner_share) else short,
        },
    ]


def _validity_sentence(valid: bool) -> str:
    if valid:
        return gettext("参与表决的面积和人数均达到三分之二，表决有效（民法典第二百七十八条第二款）。")
    return gettext(
        "参与表决的专有部分面积或人数不足三分之二，表决无效，事项不能通过（民法典第二百七十八条第二款）；"
        "未投票的业主不计为同意。"
    )


def _majority_words(kind: ItemKind, met: bool) -> str:
    if kind == ItemKind.SPECIAL:
        return gettext("达到 3/4") if met else gettext("未达到 3/4")
    return gettext("过半数") if met else gettext("未过半数")


# --- ordinary and special items -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """One item's count. Shares of participation are of the totals; shares of approval are of the participating
    area and owners (0 when nobody took part)."""

    kind: ItemKind
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    agree_area: Decimal
    agree_owners: int
    oppose_area: Decimal
    oppose_owners: int
    abstain_area: Decimal
    abstain_owners: int
    participation_area: Fraction
    participation_owners: Fraction
    approval_area: Fraction
    approval_owners: Fraction
    valid: bool  # participation_area >= 2/3 and participation_owners >= 2/3
    passed: bool  # valid and both approvals meet the kind's threshold; False whenever valid is False

    @property
    def participation_area_met(self) -> bool:
        return meets_quorum(self.participation_area)

    @property
    def participation_owners_met(self) -> bool:
        return meets_quorum(self.participation_owners)

    @property
    def approval_area_met(self) -> bool:
        return meets_approval(self.kind, self.approval_area)

    @property
    def approval_owners_met(self) -> bool:
        return meets_approval(self.kind, self.approval_owners)

    def explanation(self) -> list[str]:
        """Plain Chinese sentences that say how the result follows from the figures."""
        sentences = _participation_sentences(
            self.participating_area, self.total_area, self.participating_owners, self.total_owners
        )
        sentences.append(_validity_sentence(self.valid))
        sentences.append(
            gettext(
                "同意 %(agree)s 人（%(agree_area)s㎡），反对 %(oppose)s 人（%(oppose_area)s㎡），"
                "弃权 %(abstain)s 人（%(abstain_area)s㎡）；弃权计入参与表决，但不计为同意。"
            )
            % {
                "agree": self.agree_owners,
                "agree_area": area_text(self.agree_area),
                "oppose": self.oppose_owners,
                "oppose_area": area_text(self.oppose_area),
                "abstain": self.abstain_owners,
                "abstain_area": area_text(self.abstain_area),
            }
        )
        if self.participating_owners:
            sentences.append(
                gettext("同意的专有部分面积占参与表决面积 %(pct)s（%(part)s㎡/%(total)s㎡），%(verdict)s。")
                % {
                    "pct": percent_text(self.approval_area),
                    "part": area_text(self.agree_area),
                    "total": area_text(self.participating_area),
                    "verdict": _majority_words(self.kind, self.approval_area_met),
                }
            )
            sentences.append(
                gettext("同意的业主占参与表决人数 %(pct)s（%(part)s/%(total)s 人），%(verdict)s。")
                % {
                    "pct": percent_text(self.approval_owners),
                    "part": self.agree_owners,
                    "total": self.participating_owners,
                    "verdict": _majority_words(self.kind, self.approval_owners_met),
                }
            )
        if self.kind == ItemKind.ORDINARY:
            sentences.append(
                gettext("一般事项须经参与表决的专有部分面积过半数且参与表决人数过半数的业主同意；恰好一半不算过半数。")
            )
        else:
            sentences.append(
                gettext(
                    "特别事项须经参与表决的专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意；恰好四分之三即可。"
                )
            )
        sentences.append(gettext("事项通过。") if self.passed else gettext("事项未通过。"))
        return sentences

    def as_json(self) -> dict[str, Any]:
        """The machine-readable result: exact fractions in lowest terms, always "p/q"."""
        return {
            "valid": self.valid,
            "passed": self.passed,
            "participation": {
                "area": fraction_text(self.participation_area),
                "owners": fraction_text(self.participation_owners),
            },
            "approval": {"area": fraction_text(self.approval_area), "owners": fraction_text(self.approval_owners)},
        }


def tally_item(holdings: Sequence[Holding], votes: Mapping[str, Choice | None], kind: ItemKind) -> Tally:
    """Count one ordinary or special item.

    votes: owner key → choice; a missing key or None = did not take part in this item. Abstentions take part but
    do not approve. Raises ValueError for an owner key in votes that holds nothing, a dwelling listed twice, or a
    kind that is not counted this way (elections and consents have their own functions)."""
    kind = ItemKind(kind)
    if kind not in (ItemKind.ORDINARY, ItemKind.SPECIAL):
        raise ValueError(f"{kind!r} is not counted by tally_item")
    electorate = _electorate(holdings)
    _unknown_owners(electorate, votes)
    area = {c: Decimal(0) for c in Choice}
    owners = dict.fromkeys(Choice, 0)
    for owner, raw in votes.items():
        if raw is None:
            continue
        choice = Choice(raw)
        area[choice] += electorate.area_by_owner[owner]
        owners[choice] += 1
    participating_area = sum(area.values(), Decimal(0))
    participating_owners = sum(owners.values())
    participation_area = _share(participating_area, electorate.total_area)
    participation_owners = _share(participating_owners, electorate.total_owners)
    approval_area = _share(area[Choice.AGREE], participating_area)
    approval_owners = _share(owners[Choice.AGREE], participating_owners)
    valid = meets_quorum(participation_area) and meets_quorum(participation_owners)
    passed = valid and meets_approval(kind, approval_area) and meets_approval(kind, approval_owners)
    return Tally(
        kind=kind,
        total_area=electorate.total_area,
        total_owners=electorate.total_owners,
        participating_area=participating_area,
        participating_owners=participating_owners,
        agree_area=area[Choice.AGREE],
        agree_owners=owners[Choice.AGREE],
        oppose_area=area[Choice.OPPOSE],
        oppose_owners=owners[Choice.OPPOSE],
        abstain_area=area[Choice.ABSTAIN],
        abstain_owners=owners[Choice.ABSTAIN],
        participation_area=participation_area,
        participation_owners=participation_owners,
        approval_area=approval_area,
        approval_owners=approval_owners,
        valid=valid,
        passed=passed,
    )


# --- elections of the owners' committee ---------------------------------------------------------------


@dataclass(frozen=True)
class CandidateResult:
    """One candidate's count: the owners who chose them, their area, and both as shares of the participants."""

    candidate: str
    owners: int
    area: Decimal
    approval_owners: Fraction
    approval_area: Fraction
    qualified: bool  # both ordinary majorities (> 1/2) of the item's participants
    elected: bool


@dataclass(frozen=True)
class Election:
    """An election's count: candidates ranked by headcount then area, the elected, and any unresolved tie."""

    seats: int
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    participation_area: Fraction
    participation_owners: Fraction
    valid: bool
    candidates: list[CandidateResult]  # ranked: headcount, then area, then the order on the ballot
    elected: list[str]  # nobody when the vote is invalid
    tie: list[str]  # qualified candidates tied for the last seat(s); none of them is marked elected

    def explanation(self) -> list[str]:
        """Plain Chinese sentences that say how the result follows from the figures."""
        sentences = _participation_sentences(
            self.participating_area, self.total_area, self.participating_owners, self.total_owners
        )
        sentences.append(_validity_sentence(self.valid))
        sentences.append(
            gettext(
                "候选人须获得参与表决人数过半数且参与表决的专有部分面积过半数的业主同意方可当选，"
                "按得票人数、再按得票面积排序，取前 %(seats)s 名。"
            )
            % {"seats": self.seats}
        )
        for result in self.candidates:
            sentences.append(
                gettext("%(name)s：%(owners)s 人（%(owners_pct)s），%(area)s㎡（%(area_pct)s），%(verdict)s。")
                % {
                    "name": result.candidate,
                    "owners": result.owners,
                    "owners_pct": percent_text(result.approval_owners),
                    "area": area_text(result.area),
                    "area_pct": percent_text(result.approval_area),
                    "verdict": gettext("当选")
                    if result.elected
                    else (gettext("达到双过半但未当选") if result.qualified else gettext("未达到双过半")),
                }
            )
        if self.tie:
            open_seats = self.seats - len(self.elected)
            sentences.append(
                gettext(
                    "%(names)s 得票人数和面积完全相同，争夺最后 %(open)s 个席位，本计票不作决定，须依议事规则另行处理。"
                )
                % {"names": "、".join(self.tie), "open": open_seats}
            )
        elif self.valid and len(self.elected) < self.seats:
            sentences.append(
                gettext("当选 %(elected)s 人，少于应选 %(seats)s 人。")
                % {"elected": len(self.elected), "seats": self.seats}
            )
        return sentences


def tally_election(
    holdings: Sequence[Holding],
    ballots: Mapping[str, frozenset[str] | None],
    candidates: Sequence[str],
    seats: int,
) -> Election:
    """Count an election of the owners' committee.

    ballots: owner key → chosen candidates (at most ``seats``); None, missing or empty = did not take part.
    Raises ValueError for an owner key that holds nothing, a ballot with more than ``seats`` choices or an unknown
    candidate, duplicate candidates, fewer than one seat, or a dwelling listed twice."""
    if seats < 1:
        raise ValueError("an election needs at least one seat")
    if len(set(candidates)) != len(candidates):
        raise ValueError("a candidate is listed twice")
    electorate = _electorate(holdings)
    _unknown_owners(electorate, ballots)
    owners = dict.fromkeys(candidates, 0)
    area = {c: Decimal(0) for c in candidates}
    participating_area = Decimal(0)
    participating_owners = 0
    for owner, chosen in ballots.items():
        if not chosen:
            continue
        chosen = frozenset(chosen)
        if len(chosen) > seats:
            raise ValueError(f"the ballot of {owner!r} chooses {len(chosen)} candidates for {seats} seats")
        unknown = sorted(chosen - set(candidates))
        if unknown:
            raise ValueError(f"the ballot of {owner!r} chooses unknown candidates: {', '.join(unknown)}")
        participating_area += electorate.area_by_owner[owner]
        participating_owners += 1
        for candidate in chosen:
            owners[candidate] += 1
            area[candidate] += electorate.area_by_owner[owner]
    participation_area = _share(participating_area, electorate.total_area)
    participation_owners = _share(participating_owners, electorate.total_owners)
    valid = meets_quorum(participation_area) and meets_quorum(participation_owners)

    position = {c: i for i, c in enumerate(candidates)}
    ranked = sorted(candidates, key=lambda c: (-owners[c], -area[c], position[c]))

    def qualifies(c: str) -> bool:
        return meets_approval(ItemKind.ELECTION, _share(owners[c], participating_owners)) and meets_approval(
            ItemKind.ELECTION, _share(area[c], participating_area)
        )

    qualified = [c for c in ranked if qualifies(c)] if valid else []
    elected, tie = qualified[:seats], []
    if len(qualified) > seats:
        last = (owners[qualified[seats - 1]], area[qualified[seats - 1]])
        if (owners[qualified[seats]], area[qualified[seats]]) == last:
            tie = [c for c in qualified if (owners[c], area[c]) == last]
            elected = [c for c in elected if c not in tie]
    elected_set = set(elected)
    results = [
        CandidateResult(
            candidate=c,
            owners=owners[c],
            area=area[c],
            approval_owners=_share(owners[c], participating_owners),
            approval_area=_share(area[c], participating_area),
            qualified=qualifies(c),
            elected=c in elected_set,
        )
        for c in ranked
    ]
    return Election(
        seats=seats,
        total_area=electorate.total_area,
        total_owners=electorate.total_owners,
        participating_area=participating_area,
        participating_owners=participating_owners,
        participation_area=participation_area,
        participation_owners=participation_owners,
        valid=valid,
        candidates=results,
        elected=elected,
        tie=tie,
    )


# --- §279: dwelling → business premises ---------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """The affected owners' answers: passed only when every one of them consented."""

    affected: list[str]
    consented: list[str]
    refused: list[str]
    missing: list[str]  # no answer yet
    passed: bool

    def explanation(self) -> list[str]:
        sentences = [
            gettext(
                "有利害关系的业主 %(affected)s 人，同意 %(consented)s 人，"
                "不同意 %(refused)s 人，未答复 %(missing)s 人。"
            )
            % {
                "affected": len(self.affected),
                "consented": len(self.consented),
                "refused": len(self.refused),
                "missing": len(self.missing),
            }
        ]
        if self.refused:
            sentences.append(gettext("不同意的业主：%(names)s。") % {"names": "、".join(self.refused)})
        if self.missing:
            sentences.append(gettext("未答复的业主：%(names)s。") % {"names": "、".join(self.missing)})
        sentences.append(
            gettext("住宅改为经营性用房须经有利害关系的业主一致同意（民法典第二百七十九条）：%(verdict)s。")
            % {"verdict": gettext("已一致同意") if self.passed else gettext("未获一致同意")}
        )
        return sentences


def tally_consent(affected: Iterable[str], consents: Mapping[str, bool]) -> Consent:
    """§279: passed iff every affected owner consented. Lists keep the order of ``affected``.

    Raises ValueError when nobody is affected (a consent of nobody proves nothing) or an answer comes from an
    owner who is not affected."""
    owners = list(dict.fromkeys(affected))
    if not owners:
        raise ValueError("a consent needs at least one affected owner")
    strangers = sorted(set(consents) - set(owners))
    if strangers:
        raise ValueError(f"answers from owners who are not affected: {', '.join(strangers)}")
    consented = [o for o in owners if consents.get(o) is True]
    refused = [o for o in owners if o in consents and consents[o] is not True]
    missing = [o for o in owners if o not in consents]
    return Consent(
        affected=owners,
        consented=consented,
        refused=refused,
        missing=missing,
        passed=len(consented) == len(owners),
    )


# --- the `shequ tally` file ---------------------------------------------------------------------------

TALLY_COLUMNS = ("dwelling", "owner", "area", "vote")
TALLY_VOTE_WORDS: dict[str, Choice | None] = {
    "同意": Choice.AGREE,
    "反对": Choice.OPPOSE,
    "弃权": Choice.ABSTAIN,
    "": None,
}


class TallyFileError(ValueError):
    """A row of a tally file that cannot be counted; ``row`` is 1-based with the header as row 1."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(gettext("第 %(row)s 行：%(message)s") % {"row": row, "message": message})
        self.row = row
        self.message = message


def decode_tally_bytes(data: bytes) -> str:
    """The file's text (UTF-8, a BOM at the start dropped); a byte that is not UTF-8 is an error on its row."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        raise TallyFileError(row, gettext("文件不是 UTF-8 编码")) from exc
    return text.removeprefix("\ufeff")


def _tally_area(raw: str, row: int) -> Decimal:
    if not raw:
        raise TallyFileError(row, gettext("面积为空"))
    try:
        area = Decimal(raw)
    except InvalidOperation:
        raise TallyFileError(row, gettext("面积“%(value)s”不是数字") % {"value": raw}) from None
    if not area.is_finite():
        raise TallyFileError(row, gettext("面积“%(value)s”不是数字") % {"value": raw})
    if area <= 0:
        raise TallyFileError(row, gettext("面积必须大于 0，而不是 %(value)s") % {"value": raw})
    if area >= MAX_AREA:
        raise TallyFileError(row, gettext("面积 %(value)s 过大") % {"value": raw})
    if decimal_places(area) > 2:
        raise TallyFileError(row, gettext("面积“%(value)s”超过 2 位小数") % {"value": raw})
    return area


def read_tally_csv(text: str) -> tuple[list[Holding], dict[str, Choice | None]]:
    """Read a tally file: one row per dwelling, columns ``dwelling,owner,area,vote`` in any order (others ignored).

    ``owner`` is the headcount key; ``vote`` is 同意, 反对, 弃权 or empty (did not take part). Blank lines are
    skipped. Raises TallyFileError naming the row for a missing column, an empty key, a bad area, an unknown vote
    word, a dwelling listed twice, or an owner whose rows carry different votes (empty differs from 同意)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise TallyFileError(1, gettext("文件为空，缺少表头")) from None
    missing = [c for c in TALLY_COLUMNS if c not in header]
    if missing:
        raise TallyFileError(
            1,
            gettext("表头缺少列 %(columns)s（须有 dwelling,owner,area,vote）") % {"columns": ",".join(missing)},
        )
    doubled = sorted({c for c in TALLY_COLUMNS if header.count(c) > 1})
    if doubled:
        raise TallyFileError(1, gettext("表头重复列 %(columns)s") % {"columns": ",".join(doubled)})
    index = {c: header.index(c) for c in TALLY_COLUMNS}
    holdings: list[Holding] = []
    votes: dict[str, Choice | None] = {}
    dwelling_rows: dict[str, int] = {}
    owner_rows: dict[str, int] = {}
    for row, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) <= max(index.values()):
            raise TallyFileError(row, gettext("列数不足（表头有 %(expected)s 列）") % {"expected": len(header)})
        dwelling, owner, raw_area, word = (record[index[c]].strip() for c in TALLY_COLUMNS)
        if not dwelling:
            raise TallyFileError(row, gettext("住宅（dwelling）为空"))
        if not owner:
            raise TallyFileError(row, gettext("业主（owner）为空"))
        area = _tally_area(raw_area, row)
        if word not in TALLY_VOTE_WORDS:
            raise TallyFileError(
                row, gettext("表决意见“%(value)s”无法识别（应为 同意、反对、弃权 或留空）") % {"value": word}
            )
        if dwelling in dwelling_rows:
            raise TallyFileError(
                row,
                gettext("住宅 %(dwelling)s 重复（已见于第 %(first)s 行）")
                % {"dwelling": dwelling, "first": dwelling_rows[dwelling]},
            )
        choice = TALLY_VOTE_WORDS[word]
        if owner in owner_rows and votes[owner] != choice:
            raise TallyFileError(
                row,
                gettext("业主 %(owner)s 的表决意见与第 %(first)s 行不一致（同一业主只能有一个意见）")
                % {"owner": owner, "first": owner_rows[owner]},
            )
        dwelling_rows[dwelling] = row
        owner_rows.setdefault(owner, row)
        votes[owner] = choice
        holdings.append(Holding(dwelling=dwelling, owner=owner, area=area))
    if not holdings:
        raise TallyFileError(2, gettext("文件没有住宅行"))
    return holdings, votes
