"""The tally of a vote from the database: the frozen electorate and the counted ballots, counted by the engine
(``domain.tally_item``, ``tally_election``, ``tally_consent``). Reads only; nothing here counts by itself.

Two queries whatever the size: the electorate's dwellings (owner key, area) and the counted ballots' answers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .domain import Choice, Consent, Election, Holding, ItemKind, Tally, tally_consent, tally_election, tally_item
from .models import Ballot, BallotChoice, ElectorateDwelling, ElectorateOwner, Vote, VoteItem
from .rules import BallotStatus


@dataclass
class ItemResult:
    """One item's count: the engine's result and its explanation."""

    item: VoteItem
    kind: ItemKind
    tally: Tally | None = None
    election: Election | None = None
    consent: Consent | None = None
    explanation: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The result as published (what ``rules.recount`` recomputes from the receipt list)."""
        if self.tally is not None:
            return self.tally.as_json()
        if self.election is not None:
            return {"valid": self.election.valid, "elected": self.election.elected, "tie": self.election.tie}
        assert self.consent is not None
        return {"passed": self.consent.passed}


def holdings_of(vote: Vote) -> list[Holding]:
    """The frozen electorate as the engine's holdings (dwelling id, owner key, area)."""
    rows = ElectorateDwelling.objects.filter(vote=vote).values_list("dwelling_id", "owner__owner_key", "area")
    return [Holding(dwelling=str(d), owner=key, area=Decimal(area)) for d, key, area in rows]


def answers_of(vote: Vote) -> dict[int, dict[str, Any]]:
    """Counted answers: item id → owner key → a choice value, or a set of candidate names (elections)."""
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = BallotChoice.objects.filter(ballot__vote=vote, ballot__status=BallotStatus.COUNTED).values_list(
        "ballot__owner_key", "item_id", "choice", "candidate__name"
    )
    for key, item_id, choice, candidate in rows:
        if candidate is not None:
            answers[item_id].setdefault(key, set()).add(candidate)
        else:
            answers[item_id][key] = choice
    return answers


def _labels(vote: Vote, keys: list[str]) -> dict[str, str]:
    return dict(ElectorateOwner.objects.filter(vote=vote, owner_key__in=keys).values_list("owner_key", "label"))


def vote_tally(vote: Vote) -> list[ItemResult]:
    """Count every item of an opened vote (an empty list for a draft: it has no electorate yet)."""
    if vote.electorate_on is None:
        return []
    holdings = holdings_of(vote)
    answers = answers_of(vote)
    results = []
    for item in vote.items.prefetch_related("candidates").order_by("position"):
        kind = ItemKind(item.kind)
        given = answers.get(item.pk, {})
        if kind == ItemKind.ELECTION:
            names = [c.name for c in item.candidates.all()]
            election = tally_election(holdings, {k: frozenset(v) for k, v in given.items()}, names, item.seats or 1)
            results.append(ItemResult(item, kind, election=election, explanation=election.explanation()))
        elif kind == ItemKind.CONSENT:
            # §279 consent is given owner by owner and by name: the explanation names the dwellings.
            labels = _labels(vote, item.affected_owner_keys)
            affected = [labels.get(k, k) for k in item.affected_owner_keys]
            consents = {labels.get(k, k): v == Choice.AGREE for k, v in given.items()}
            consent = tally_consent(affected, consents)
            results.append(ItemResult(item, kind, consent=consent, explanation=consent.explanation()))
        else:
            tally = tally_item(holdings, {k: Choice(v) for k, v in given.items()}, kind)
            results.append(ItemResult(item, kind, tally=tally, explanation=tally.explanation()))
    return results


def publication_data(vote: Vote, results: list[ItemResult]) -> dict[str, Any]:
    """The frozen publication of a closed vote: totals, items, results, explanations and the receipt list."""
    receipts: list[dict[str, Any]] = []
    if vote.verifiable:
        positions = {i.pk: str(i.position) for i in vote.items.all()}
        counted = Ballot.objects.filter(vote=vote, status=BallotStatus.COUNTED)
        by_ballot: dict[int, dict[str, Any]] = {
            b.pk: {"code": b.receipt_code, "area": str(b.owner.area), "choices": dict.fromkeys(positions.values())}
            for b in counted.select_related("owner")
        }
        for ballot_id, item_id, choice, name in BallotChoice.objects.filter(ballot__in=counted).values_list(
            "ballot_id", "item_id", "choice", "candidate__name"
        ):
            answers = by_ballot[ballot_id]["choices"]
            if name is not None:
                answers[positions[item_id]] = sorted([*(answers[positions[item_id]] or []), name])
            else:
                answers[positions[item_id]] = choice
        receipts = sorted(by_ballot.values(), key=lambda r: r["code"])
    return {
        "title": vote.title,
        "total_area": str(vote.total_area),
        "total_owners": vote.total_owners,
        "items": [
            {
                "position": r.item.position,
                "kind": r.kind.value,
                "title": r.item.title,
                "seats": r.item.seats,
                "candidates": [c.name for c in r.item.candidates.order_by("position")],
                "affected_owners": len(r.item.affected_owner_keys),
            }
            for r in results
        ],
        "results": {str(r.item.position): r.as_json() for r in results},
        "explanations": {str(r.item.position): [str(s) for s in r.explanation] for r in results},
        "receipts": receipts,
    }
