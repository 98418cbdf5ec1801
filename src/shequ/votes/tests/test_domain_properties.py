"""The §278 count agrees with a second, deliberately simple implementation (hypothesis).

Random ownership distributions — buyers of several dwellings, co-owned dwellings (the same set of co-owners on
several dwellings), a developer's unsold stock, areas in hundredths of m² (many on round figures, so that shares
land exactly on 1/2, 2/3 and 3/4) — with random votes (agree, oppose, abstain, None, missing) are counted by
``tally_item`` and by ``reference`` below, which works in integer hundredths of m², decides thresholds by
cross-multiplication and finds owners by their set of co-owners, without Fraction, Decimal shares or
``owner_key``. Both must give the same counts, validity, result and reduced fractions. The same holds for the
election of the owners' committee, for a tally file written from the same data, and under scaling (shares and
therefore results do not change when every area is multiplied and every owner replicated). No database.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import gcd

from hypothesis import event, given, settings
from hypothesis import strategies as st

from shequ.votes.domain import Choice, Holding, ItemKind, owner_key, read_tally_csv, tally_election, tally_item

FAST = settings(max_examples=200, deadline=None)
PEOPLE = [f"p{i}" for i in range(7)]  # few people, so sets of co-owners and buyers of several dwellings recur
MISSING = "missing"  # the owner's key is left out of the votes (did not take part, like None)
VOTES = [Choice.AGREE, Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN, None, MISSING]
WORDS = {Choice.AGREE: "同意", Choice.OPPOSE: "反对", Choice.ABSTAIN: "弃权", None: "", MISSING: ""}


@dataclass(frozen=True)
class Dwelling:
    number: int
    developer: bool  # unsold or undelivered stock of the developer
    co_owners: frozenset[str]
    cents: int  # exclusive area in hundredths of m²


ROUND = st.sampled_from([2500, 5000, 10000])  # multiples of a quarter: shares land on 1/2, 2/3, 3/4 often
ANY = st.integers(1, 30000)  # 0.01 m² to 300 m²


def _dwelling(number: int, spec: tuple[int, frozenset[str], int]) -> Dwelling:
    developer, co_owners, area = spec
    return Dwelling(number, developer == 0, co_owners, area)


def _ownerships(cents: st.SearchStrategy[int]) -> st.SearchStrategy[list[Dwelling]]:
    """1 to 20 dwellings; about one in six belongs to the developer, the rest to 1–3 of a few people."""
    spec = st.tuples(st.integers(0, 5), st.frozensets(st.sampled_from(PEOPLE), min_size=1, max_size=3), cents)
    return st.lists(spec, min_size=1, max_size=20).map(lambda specs: [_dwelling(i, s) for i, s in enumerate(specs)])


# Each example draws its areas from round figures only, from any figure, or from both.
ownerships = _ownerships(ROUND) | _ownerships(ANY) | _ownerships(ROUND | ANY)


def identity(d: Dwelling) -> object:
    """Who the dwelling counts for, decided without owner_key: the developer, or the exact set of co-owners."""
    return "DEVELOPER" if d.developer else d.co_owners


def engine_key(d: Dwelling) -> str:
    return owner_key(d.co_owners, developer=d.developer)


def holdings_of(dwellings: list[Dwelling]) -> list[Holding]:
    return [Holding(f"d{d.number}", engine_key(d), Decimal(d.cents) / 100) for d in dwellings]


def owner_votes(dwellings: list[Dwelling], draws: list) -> dict[object, object]:
    """Each owner's vote is the draw of their first dwelling (co-owners and buyers cast one vote per owner)."""
    votes: dict[object, object] = {}
    for d, vote in zip(dwellings, draws, strict=True):
        votes.setdefault(identity(d), vote)
    return votes


def engine_votes(dwellings: list[Dwelling], by_identity: dict[object, object]) -> dict[str, Choice | None]:
    keys = {identity(d): engine_key(d) for d in dwellings}
    return {keys[who]: vote for who, vote in by_identity.items() if vote != MISSING}  # type: ignore[misc]


def reduced(p: int, q: int) -> str:
    if q == 0:
        return "0/1"
    g = gcd(p, q)
    return f"{p // g}/{q // g}"


def reference(dwellings: list[Dwelling], votes: dict[object, object], kind: ItemKind) -> dict:
    """The simple count: integer hundredths, cross-multiplication, owners found by their set of co-owners."""
    area: dict[object, int] = {}
    for d in dwellings:
        area[identity(d)] = area.get(identity(d), 0) + d.cents
    total_c, total_n = sum(area.values()), len(area)
    part_c = part_n = agree_c = agree_n = 0
    for who, vote in votes.items():
        if vote in (None, MISSING):
            continue
        part_c, part_n = part_c + area[who], part_n + 1
        if vote == Choice.AGREE:
            agree_c, agree_n = agree_c + area[who], agree_n + 1
    valid = 3 * part_c >= 2 * total_c and 3 * part_n >= 2 * total_n
    if kind == ItemKind.ORDINARY:
        approved = 2 * agree_c > part_c and 2 * agree_n > part_n
    else:
        approved = 4 * agree_c >= 3 * part_c and 4 * agree_n >= 3 * part_n and part_n > 0
    return {
        "counts": (total_c, total_n, part_c, part_n, agree_c, agree_n),
        "json": {
            "valid": valid,
            "passed": valid and approved,
            "participation": {"area": reduced(part_c, total_c), "owners": reduced(part_n, total_n)},
            "approval": {"area": reduced(agree_c, part_c), "owners": reduced(agree_n, part_n)},
        },
    }


def cents_of(area: Decimal) -> int:
    scaled = area * 100
    assert scaled == scaled.to_integral_value()
    return int(scaled)


def engine(dwellings: list[Dwelling], votes: dict[object, object], kind: ItemKind) -> dict:
    t = tally_item(holdings_of(dwellings), engine_votes(dwellings, votes), kind)
    counts = (
        cents_of(t.total_area),
        t.total_owners,
        cents_of(t.participating_area),
        t.participating_owners,
        cents_of(t.agree_area),
        t.agree_owners,
    )
    assert not t.passed or t.valid
    return {"counts": counts, "json": t.as_json()}


@st.composite
def counted_items(draw):
    dwellings = draw(ownerships)
    draws = draw(st.lists(st.sampled_from(VOTES), min_size=len(dwellings), max_size=len(dwellings)))
    return dwellings, owner_votes(dwellings, draws), draw(st.sampled_from([ItemKind.ORDINARY, ItemKind.SPECIAL]))


@FAST
@given(counted_items())
def test_tally_item_agrees_with_the_simple_count(item):
    """Counts, validity, result and every fraction agree with the integer reference."""
    dwellings, votes, kind = item
    expected = reference(dwellings, votes, kind)
    for share in ("participation", "approval"):
        for by in ("area", "owners"):
            if expected["json"][share][by] in ("1/2", "2/3", "3/4"):
                event(f"{share} by {by} exactly {expected['json'][share][by]}")
    assert engine(dwellings, votes, kind) == expected


@st.composite
def _parts(draw, total: int, role: object) -> list[tuple[int, object]]:
    """``total`` hundredths split among 1–4 owners, each with the vote ``role``."""
    cuts = sorted(draw(st.sets(st.integers(1, total - 1), max_size=min(3, total - 1)))) if total > 1 else []
    bounds = [0, *cuts, total]
    return [(hi - lo, role) for lo, hi in zip(bounds, bounds[1:], strict=False)]


@st.composite
def boundary_items(draw):
    """Areas built to sit exactly on a threshold by area, or one hundredth either side: agreeing area a·u against
    opposing and abstaining area b·u (1/2 with a = b = 1, 3/4 with a = 3, b = 1), and non-participating area half
    the participating area (participation exactly 2/3), each split among a random number of owners."""
    kind = draw(st.sampled_from([ItemKind.ORDINARY, ItemKind.SPECIAL]))
    a, b = (1, 1) if kind == ItemKind.ORDINARY else (3, 1)
    unit = 2 * draw(st.integers(1, 2500))
    agree, against, absent = a * unit, b * unit, (a + b) * unit // 2
    nudge_agree, nudge_absent = draw(st.sampled_from([-1, 0, 1])), draw(st.sampled_from([-1, 0, 1]))
    split = (
        draw(_parts(agree + nudge_agree, Choice.AGREE))
        + draw(_parts(against, draw(st.sampled_from([Choice.OPPOSE, Choice.ABSTAIN]))))
        + draw(_parts(absent + nudge_absent, draw(st.sampled_from([None, MISSING]))))
    )
    dwellings = [Dwelling(i, False, frozenset({f"q{i}"}), part) for i, (part, _vote) in enumerate(split)]
    votes = {identity(d): vote for d, (_part, vote) in zip(dwellings, split, strict=True)}
    return dwellings, votes, kind, nudge_agree, nudge_absent


@FAST
@given(boundary_items())
def test_exact_area_thresholds_agree_with_the_simple_count(item):
    """On and one hundredth of a m² either side of 1/2 or 3/4 of the participating area and 2/3 of the total area,
    the engine agrees with the reference; exactly on the line, 2/3 and 3/4 are met and 1/2 is not."""
    dwellings, votes, kind, nudge_agree, nudge_absent = item
    expected = reference(dwellings, votes, kind)
    assert engine(dwellings, votes, kind) == expected
    t = tally_item(holdings_of(dwellings), engine_votes(dwellings, votes), kind)
    if nudge_agree == 0:
        assert t.approval_area == (Fraction(1, 2) if kind == ItemKind.ORDINARY else Fraction(3, 4))
        assert t.approval_area_met is (kind == ItemKind.SPECIAL)
    if nudge_absent == 0 and nudge_agree == 0:
        assert t.participation_area == Fraction(2, 3) and t.participation_area_met


@FAST
@given(counted_items())
def test_a_special_pass_is_also_an_ordinary_pass(item):
    """At least 3/4 of both is more than 1/2 of both: whatever passes as special passes as ordinary."""
    dwellings, votes, _kind = item
    holdings, engine_choice = holdings_of(dwellings), engine_votes(dwellings, votes)
    if tally_item(holdings, engine_choice, ItemKind.SPECIAL).passed:
        assert tally_item(holdings, engine_choice, ItemKind.ORDINARY).passed


@FAST
@given(counted_items(), st.integers(1, 7), st.integers(1, 3))
def test_scaling_areas_and_replicating_owners_changes_nothing(item, factor, copies):
    """Every area × factor and every owner replicated ``copies`` times: the shares, hence validity and result, are
    unchanged — also when they sit exactly on a threshold."""
    dwellings, votes, kind = item
    bigger, bigger_votes = [], {}
    for copy in range(copies):
        for d in dwellings:
            people = {f"developer/{copy}"} if d.developer else {f"{p}/{copy}" for p in d.co_owners}
            twin = Dwelling(copy * 100 + d.number, False, frozenset(people), d.cents * factor)
            bigger.append(twin)
            bigger_votes.setdefault(identity(twin), votes[identity(d)])
    assert engine(bigger, bigger_votes, kind)["json"] == reference(dwellings, votes, kind)["json"]


@FAST
@given(counted_items())
def test_the_tally_file_counts_like_the_engine(item):
    """Writing the same dwellings, owner keys and votes as a tally file and reading it back gives the same count."""
    dwellings, votes, kind = item
    keys = {identity(d): engine_key(d) for d in dwellings}
    lines = ["dwelling,owner,area,vote"] + [
        f"d{d.number},{keys[identity(d)]},{Decimal(d.cents) / 100},{WORDS[votes[identity(d)]]}" for d in dwellings
    ]
    holdings, file_votes = read_tally_csv("\n".join(lines) + "\n")
    from_file = tally_item(holdings, file_votes, kind).as_json()
    assert from_file == reference(dwellings, votes, kind)["json"]


# --- elections ----------------------------------------------------------------------------------------

CANDIDATES = ["A", "B", "C", "D", "E"]


@st.composite
def elections(draw):
    dwellings = draw(ownerships)
    seats = draw(st.integers(1, 3))
    choices = st.none() | st.frozensets(st.sampled_from(CANDIDATES), max_size=seats)
    draws = draw(st.lists(choices, min_size=len(dwellings), max_size=len(dwellings)))
    return dwellings, owner_votes(dwellings, draws), seats


def reference_election(dwellings, ballots, seats):
    """Integer count: qualified = 2·n > participants and 2·area > participating area; ranked by (n, area); a tie
    on the last seat leaves every tied candidate out of the elected."""
    area: dict[object, int] = {}
    for d in dwellings:
        area[identity(d)] = area.get(identity(d), 0) + d.cents
    voters = [who for who, chosen in ballots.items() if chosen]
    part_n, part_c = len(voters), sum(area[w] for w in voters)
    valid = 3 * part_c >= 2 * sum(area.values()) and 3 * part_n >= 2 * len(area)
    score = {
        c: (sum(1 for w in voters if c in ballots[w]), sum(area[w] for w in voters if c in ballots[w]))
        for c in CANDIDATES
    }
    qualified = sorted(
        (c for c in CANDIDATES if valid and 2 * score[c][0] > part_n and 2 * score[c][1] > part_c),
        key=lambda c: score[c],
        reverse=True,
    )
    if len(qualified) <= seats or score[qualified[seats]] != score[qualified[seats - 1]]:
        return valid, set(qualified[:seats]), set(), score
    last = score[qualified[seats - 1]]
    return valid, {c for c in qualified[:seats] if score[c] != last}, {c for c in qualified if score[c] == last}, score


@FAST
@given(elections())
def test_tally_election_agrees_with_the_simple_count(election):
    """Validity, each candidate's headcount and area, the elected and the tie agree with the integer reference;
    never more than ``seats`` are elected, and ranking is by headcount then area."""
    dwellings, ballots, seats = election
    keys = {identity(d): engine_key(d) for d in dwellings}
    e = tally_election(holdings_of(dwellings), {keys[w]: b for w, b in ballots.items()}, CANDIDATES, seats)
    valid, elected, tie, score = reference_election(dwellings, ballots, seats)
    assert (e.valid, set(e.elected), set(e.tie)) == (valid, elected, tie)
    assert {c.candidate: (c.owners, cents_of(c.area)) for c in e.candidates} == score
    assert len(e.elected) <= seats and not set(e.elected) & set(e.tie)
    ranking = [(c.owners, c.area) for c in e.candidates]
    assert ranking == sorted(ranking, reverse=True)
