"""Reads of owners' votes, scoped to the actor: staff see the votes of the compounds in their subtree; a resident
sees the votes in whose frozen electorate they are an owner or a proxy. Missing and forbidden answer the same."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of
from shequ.territory.models import Compound, Dwelling

from .domain import ItemKind
from .models import Ballot, Candidate, ElectorateDwelling, ElectorateOwner, Vote
from .permissions import COMMUNITY_ROLES, OVERSIGHT_ROLES
from .rules import BallotStatus, ItemSpec, Status, normalise_receipt

# --- staff ---------------------------------------------------------------------------------------------------


def votes_for(actor: Any) -> QuerySet[Vote]:
    """Votes of the compounds in the actor's subtree (community staff, street and district officers)."""
    q = scope_of(actor).q("compound__community__path", COMMUNITY_ROLES | OVERSIGHT_ROLES)
    return Vote.objects.filter(q).select_related("compound", "compound__community")


def search(actor: Any, *, text: str = "", status: str = "") -> QuerySet[Vote]:
    qs = votes_for(actor)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(compound__name__icontains=text))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_vote_for(actor: Any, public_id: Any) -> Vote:
    return get_by_public_id(votes_for(actor), public_id)


def compounds_for(actor: Any) -> QuerySet[Compound]:
    """Compounds whose votes the actor may organise (their community's compounds)."""
    return Compound.objects.filter(scope_of(actor).q("community__path", COMMUNITY_ROLES)).order_by("name")


def dwelling_label(d: Any) -> str:
    """How a dwelling is named in a vote: building, unit and number ("1栋1单元1-301")."""
    return f"{d.building.name}{d.unit.name}{d.number}"


def dwellings_by_label(compound: Any, labels: list[str]) -> tuple[list[Dwelling], list[str]]:
    """The compound's dwellings named by ``labels``, and the labels that name none."""
    found = {
        dwelling_label(d): d
        for d in Dwelling.objects.filter(building__compound=compound).select_related("building", "unit")
    }
    return [found[x] for x in labels if x in found], [x for x in labels if x not in found]


def owner_by_dwelling(vote: Vote, label: str) -> ElectorateOwner:
    """The electorate owner of the dwelling labelled ``label`` ("1栋1单元1-301"); NotFound otherwise."""
    row = ElectorateDwelling.objects.filter(vote=vote, label=(label or "").strip()).select_related("owner").first()
    if row is None:
        raise NotFound()
    return row.owner


def dwelling_labels(vote: Vote, limit: int = 3000) -> list[str]:
    return list(ElectorateDwelling.objects.filter(vote=vote).values_list("label", flat=True)[:limit])


def confirmable_paper(actor: Any) -> QuerySet[Ballot]:
    """Paper ballots waiting for a second staff member, in the actor's communities, not entered by the actor."""
    q = scope_of(actor).q("vote__compound__community__path", COMMUNITY_ROLES)
    return (
        Ballot.objects.filter(q, status=BallotStatus.PENDING, vote__status=Status.OPEN)
        .exclude(entered_by=actor)
        .select_related("vote", "owner", "entered_by", "scan")
        .order_by("cast_at", "id")
    )


def pending_paper(vote: Vote) -> QuerySet[Ballot]:
    return (
        Ballot.objects.filter(vote=vote, status=BallotStatus.PENDING)
        .select_related("owner", "entered_by", "scan")
        .order_by("cast_at", "id")
    )


def get_ballot_of(vote: Vote, public_id: Any) -> Ballot:
    return get_by_public_id(Ballot.objects.filter(vote=vote).select_related("vote", "owner", "scan"), public_id)


def ballot_counts(vote: Vote) -> dict[str, int]:
    """Ballots of the vote by status and, for counted ones, by channel."""
    counts = {s.value: 0 for s in BallotStatus}
    for status in Ballot.objects.filter(vote=vote).values_list("status", flat=True):
        counts[status] += 1
    return counts


# --- ballots and their items -----------------------------------------------------------------------------------


def item_specs(vote: Vote, owner: ElectorateOwner | None = None) -> list[ItemSpec]:
    """What a ballot of ``owner`` may answer on each item of the vote."""
    items = vote.items.prefetch_related(Prefetch("candidates", queryset=Candidate.objects.order_by("position")))
    return [
        ItemSpec(
            position=i.position,
            kind=ItemKind(i.kind),
            title=i.title,
            seats=i.seats or 0,
            candidates=tuple(c.name for c in i.candidates.all()),
            affected=owner is not None and owner.owner_key in i.affected_owner_keys,
        )
        for i in items.order_by("position")
    ]


def ballot_answers(ballot: Ballot) -> dict[int, Any]:
    """A ballot's answers by item position: a choice value, or a sorted list of candidate names."""
    out: dict[int, Any] = {}
    for position, choice, name in ballot.choices.values_list("item__position", "choice", "candidate__name"):
        if name is not None:
            out.setdefault(position, []).append(name)
        else:
            out[position] = choice
    return {k: sorted(v) if isinstance(v, list) else v for k, v in out.items()}


def live_ballot(owner: ElectorateOwner) -> Ballot | None:
    return Ballot.objects.filter(owner=owner, status__in=[BallotStatus.COUNTED, BallotStatus.PENDING]).first()


# --- residents -------------------------------------------------------------------------------------------------


def owners_of_resident(resident: Any, vote: Vote) -> list[ElectorateOwner]:
    """The owners of the vote whose ballot the resident may cast: their own, and those they hold a proxy of."""
    return list(
        ElectorateOwner.objects.filter(vote=vote)
        .filter(Q(members__resident=resident) | Q(proxy__proxy=resident))
        .distinct()
        .order_by("label")
    )


def votes_of_resident(resident: Any) -> QuerySet[Vote]:
    """Opened and closed votes in whose electorate the resident is an owner or a proxy, newest first."""
    owners = ElectorateOwner.objects.filter(Q(members__resident=resident) | Q(proxy__proxy=resident))
    return (
        Vote.objects.filter(pk__in=owners.values("vote_id"))
        .exclude(status=Status.DRAFT)
        .select_related("compound")
        .order_by("-opened_at", "-id")
    )


def get_vote_of_resident(resident: Any, public_id: Any) -> Vote:
    return get_by_public_id(votes_of_resident(resident), public_id)


def get_owner_of_resident(resident: Any, vote: Vote, public_id: Any) -> ElectorateOwner:
    """One of the owners the resident may vote for; NotFound for any other (the cast service checks again)."""
    owners = ElectorateOwner.objects.filter(vote=vote).filter(Q(members__resident=resident) | Q(proxy__proxy=resident))
    return get_by_public_id(owners.distinct(), public_id)


# --- receipts --------------------------------------------------------------------------------------------------


def receipt_check(vote: Vote, typed: str) -> tuple[str, dict[str, Any] | None]:
    """What the published list says of a receipt code: ("listed", its row), ("void", None) for a changed ballot's
    old code, ("unknown", None) otherwise. Only for a closed, verifiable vote."""
    code = normalise_receipt(typed)
    publication = getattr(vote, "publication", None)
    if not code or publication is None:
        return "unknown", None
    for row in publication.data["receipts"]:
        if row["code"] == code:
            return "listed", row
    if Ballot.objects.filter(vote=vote, receipt_code=code, status=BallotStatus.VOID).exists():
        return "void", None
    return "unknown", None
