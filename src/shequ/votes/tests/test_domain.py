"""The counting rules of owners' votes on hand-built examples: headcount keys, validity at exactly 2/3, ordinary
items at exactly 1/2, special items at exactly 3/4 (by area and by headcount separately), abstentions, elections
with ties, §279 consent and the tally file reader. No database."""

from decimal import Decimal
from fractions import Fraction

import pytest

from shequ.votes.domain import (
    Choice,
    Holding,
    ItemKind,
    TallyFileError,
    decimal_places,
    decode_tally_bytes,
    fraction_text,
    owner_key,
    percent_text,
    read_tally_csv,
    tally_consent,
    tally_election,
    tally_item,
)

A, NO, X = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN


def holdings(**areas: str) -> list[Holding]:
    """One dwelling per owner: holdings(a="50", b="30") → dwellings da, db owned by a, b."""
    return [Holding(dwelling=f"d{owner}", owner=owner, area=Decimal(area)) for owner, area in areas.items()]


# --- owner_key ----------------------------------------------------------------------------------------


def test_owner_key_sorts_and_deduplicates_co_owners():
    """The key is the sorted, de-duplicated set of co-owners, so the order they are listed in does not matter."""
    assert owner_key(["p2", "p1", "p2"]) == "owners:p1|p2"
    assert owner_key(["p1", "p2"]) == owner_key(["p2", "p1"])
    assert owner_key(["p7"]) == "owners:p7"


def test_owner_key_developer_stock_is_one_owner_whoever_is_listed():
    """Every unsold or undelivered dwelling of the developer gets the same key."""
    assert owner_key([], developer=True) == "developer"
    assert owner_key(["buyer-not-yet-delivered"], developer=True) == "developer"


def test_owner_key_distinguishes_different_sets_of_co_owners():
    """A couple and one of them alone are two owners; the same buyer of two dwellings is one."""
    assert owner_key(["p1", "p2"]) != owner_key(["p1"])
    assert owner_key(["p1"]) == owner_key(["p1"])


def test_owner_key_refuses_a_dwelling_without_owners():
    """A dwelling that is not the developer's must name at least one owner, none empty."""
    with pytest.raises(ValueError):
        owner_key([])
    with pytest.raises(ValueError):
        owner_key(["p1", ""])


def test_several_dwellings_of_one_key_count_once_with_their_summed_area():
    """A buyer of three dwellings (and the developer's stock) each count as one owner with the summed area."""
    rows = [
        Holding("101", owner_key(["p1"]), Decimal("80.5")),
        Holding("102", owner_key(["p1"]), Decimal("60.25")),
        Holding("103", owner_key(["p1"]), Decimal("59.25")),
        Holding("201", owner_key([], developer=True), Decimal("100")),
        Holding("202", owner_key([], developer=True), Decimal("100")),
        Holding("301", owner_key(["p2", "p3"]), Decimal("100")),
        Holding("302", owner_key(["p3", "p2"]), Decimal("100")),
    ]
    t = tally_item(rows, {owner_key(["p1"]): A, "developer": NO}, ItemKind.ORDINARY)
    assert (t.total_owners, t.total_area) == (3, Decimal("600.00"))
    assert (t.participating_owners, t.participating_area) == (2, Decimal("400.00"))
    assert (t.agree_owners, t.agree_area, t.oppose_owners, t.oppose_area) == (1, Decimal("200.00"), 1, Decimal(200))


# --- Holding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["0", "-1", "0.001", "12.345", "NaN", "Infinity", "100000000"])
def test_holding_refuses_bad_areas(area):
    """An area must be positive, finite, plausible and have at most 2 decimals."""
    with pytest.raises(ValueError):
        Holding("d1", "o1", Decimal(area))


def test_holding_accepts_trailing_zeros_and_refuses_floats():
    """12.300 has 1 decimal in value; a float is never accepted as an area."""
    assert Holding("d1", "o1", Decimal("12.300")).area == Decimal("12.3")
    with pytest.raises(ValueError):
        Holding("d1", "o1", 12.5)  # type: ignore[arg-type]


def test_decimal_places_ignores_trailing_zeros():
    """decimal_places counts the decimals a value needs."""
    assert [decimal_places(Decimal(v)) for v in ("12", "12.30", "12.345", "1E+2", "0.010")] == [0, 1, 3, 0, 2]


# --- validity: exactly 2/3 ----------------------------------------------------------------------------


def test_participation_exactly_two_thirds_of_area_is_valid():
    """80 of 120 m² (exactly 2/3) with 3 of 4 owners: valid."""
    t = tally_item(holdings(a="30", b="30", c="20", d="40"), {"a": A, "b": A, "c": A}, ItemKind.ORDINARY)
    assert t.participation_area == Fraction(2, 3)
    assert t.participation_owners == Fraction(3, 4)
    assert (t.valid, t.passed) == (True, True)


def test_participation_just_below_two_thirds_of_area_is_invalid_and_fails():
    """80 of 120.01 m² is below 2/3: invalid, so not passed although everyone who voted agreed."""
    t = tally_item(holdings(a="30", b="30", c="20", d="40.01"), {"a": A, "b": A, "c": A}, ItemKind.ORDINARY)
    assert t.participation_area == Fraction(8000, 12001)
    assert t.approval_area == Fraction(1) and t.approval_owners == Fraction(1)
    assert (t.valid, t.passed) == (False, False)


def test_participation_exactly_two_thirds_of_owners_is_valid():
    """2 of 3 owners (exactly 2/3) holding 80% of the area: valid."""
    t = tally_item(holdings(a="50", b="30", c="20"), {"a": A, "b": A}, ItemKind.ORDINARY)
    assert (t.participation_owners, t.participation_area) == (Fraction(2, 3), Fraction(4, 5))
    assert (t.valid, t.passed) == (True, True)


def test_participation_below_two_thirds_of_owners_is_invalid():
    """5 of 8 owners holding 90% of the area: invalid by headcount alone."""
    areas = {"a": "30", "b": "20", "c": "20", "d": "10", "e": "10", "f": "4", "g": "3", "h": "3"}
    t = tally_item(holdings(**areas), dict.fromkeys("abcde", A), ItemKind.ORDINARY)
    assert (t.participation_owners, t.participation_area) == (Fraction(5, 8), Fraction(9, 10))
    assert (t.valid, t.passed) == (False, False)


def test_missing_and_none_votes_do_not_take_part_and_never_count_as_agreeing():
    """An owner left out of the votes and an owner whose vote is None did not take part (未投票视为同意 is not
    applied): 1 of 3 owners took part, so the vote is invalid."""
    t = tally_item(holdings(a="10", b="10", c="10"), {"a": A, "b": None}, ItemKind.ORDINARY)
    assert (t.participating_owners, t.agree_owners) == (1, 1)
    assert (t.valid, t.passed) == (False, False)


# --- ordinary items: exactly 1/2 ----------------------------------------------------------------------


def test_ordinary_exactly_half_of_area_fails():
    """Agreeing area 60 of 120 (exactly 1/2) with 2 of 3 owners agreeing: not more than half, fails."""
    t = tally_item(holdings(a="50", b="10", c="60"), {"a": A, "b": A, "c": NO}, ItemKind.ORDINARY)
    assert (t.approval_area, t.approval_owners) == (Fraction(1, 2), Fraction(2, 3))
    assert (t.valid, t.passed) == (True, False)


def test_ordinary_just_above_half_of_area_passes():
    """Agreeing area 60 of 119.99 is more than half: passes."""
    t = tally_item(holdings(a="50", b="10", c="59.99"), {"a": A, "b": A, "c": NO}, ItemKind.ORDINARY)
    assert t.approval_area == Fraction(6000, 11999)
    assert (t.valid, t.passed) == (True, True)


def test_ordinary_exactly_half_of_owners_fails():
    """1 of 2 participating owners (exactly 1/2) holding 60% of the area: fails."""
    t = tally_item(holdings(a="60", b="40"), {"a": A, "b": NO}, ItemKind.ORDINARY)
    assert (t.approval_owners, t.approval_area) == (Fraction(1, 2), Fraction(3, 5))
    assert (t.valid, t.passed) == (True, False)


def test_ordinary_more_than_half_of_owners_passes():
    """2 of 3 participating owners holding 60% of the area: passes."""
    t = tally_item(holdings(a="30", b="30", c="40"), {"a": A, "b": A, "c": NO}, ItemKind.ORDINARY)
    assert (t.approval_owners, t.approval_area) == (Fraction(2, 3), Fraction(3, 5))
    assert (t.valid, t.passed) == (True, True)


def test_abstentions_take_part_but_do_not_approve():
    """2 agree, 1 opposes, 1 abstains, equal areas: approval 2/4 (exactly half), so the ordinary item fails;
    without the abstainer it would pass."""
    rows = holdings(a="25", b="25", c="25", d="25")
    t = tally_item(rows, {"a": A, "b": A, "c": NO, "d": X}, ItemKind.ORDINARY)
    assert (t.participating_owners, t.abstain_owners, t.abstain_area) == (4, 1, Decimal(25))
    assert (t.approval_owners, t.approval_area) == (Fraction(1, 2), Fraction(1, 2))
    assert t.passed is False
    assert tally_item(rows, {"a": A, "b": A, "c": NO}, ItemKind.ORDINARY).passed is True


# --- special items: exactly 3/4 -----------------------------------------------------------------------


def test_special_exactly_three_quarters_of_area_and_owners_passes():
    """Agreeing area 75 of 100 and 3 of 4 owners, both exactly 3/4: passes (以上 includes the number)."""
    t = tally_item(holdings(a="30", b="20", c="25", d="25"), {"a": A, "b": A, "c": A, "d": NO}, ItemKind.SPECIAL)
    assert (t.approval_area, t.approval_owners) == (Fraction(3, 4), Fraction(3, 4))
    assert (t.valid, t.passed) == (True, True)


def test_special_just_below_three_quarters_of_area_fails():
    """Agreeing area 75 of 100.01 (below 3/4) with 3 of 4 owners: fails by area alone."""
    t = tally_item(holdings(a="30", b="20", c="25", d="25.01"), {"a": A, "b": A, "c": A, "d": NO}, ItemKind.SPECIAL)
    assert t.approval_area < Fraction(3, 4)
    assert t.approval_owners == Fraction(3, 4)
    assert (t.valid, t.passed) == (True, False)


def test_special_exactly_three_quarters_of_owners_with_more_area_passes():
    """3 of 4 owners (exactly 3/4) holding 90% of the area: passes."""
    t = tally_item(holdings(a="30", b="30", c="30", d="10"), {"a": A, "b": A, "c": A, "d": NO}, ItemKind.SPECIAL)
    assert (t.approval_owners, t.approval_area) == (Fraction(3, 4), Fraction(9, 10))
    assert t.passed is True


def test_special_two_thirds_of_owners_fails_even_with_most_area():
    """2 of 3 owners holding 90% of the area: below 3/4 by headcount, fails — but would pass as ordinary."""
    rows = holdings(a="45", b="45", c="10")
    votes = {"a": A, "b": A, "c": NO}
    assert tally_item(rows, votes, ItemKind.SPECIAL).passed is False
    assert tally_item(rows, votes, ItemKind.ORDINARY).passed is True


# --- tally_item errors, JSON and explanation ----------------------------------------------------------


def test_tally_item_refuses_votes_of_owners_who_hold_nothing():
    """A vote from an owner key with no holding is an error, not silently ignored."""
    with pytest.raises(ValueError, match="zz"):
        tally_item(holdings(a="10"), {"zz": A}, ItemKind.ORDINARY)


def test_tally_item_refuses_a_dwelling_listed_twice_and_other_kinds():
    """The same dwelling twice, or an election/consent kind, is an error."""
    twice = [Holding("d1", "a", Decimal(1)), Holding("d1", "b", Decimal(1))]
    with pytest.raises(ValueError):
        tally_item(twice, {}, ItemKind.ORDINARY)
    for kind in (ItemKind.ELECTION, ItemKind.CONSENT):
        with pytest.raises(ValueError):
            tally_item(holdings(a="1"), {}, kind)


def test_nobody_took_part_gives_zero_shares_and_an_invalid_vote():
    """With no votes the participation and approval shares are 0 ("0/1") and the vote is invalid."""
    t = tally_item(holdings(a="10", b="20"), {}, ItemKind.SPECIAL)
    assert t.as_json() == {
        "valid": False,
        "passed": False,
        "participation": {"area": "0/1", "owners": "0/1"},
        "approval": {"area": "0/1", "owners": "0/1"},
    }


def test_as_json_has_fractions_in_lowest_terms():
    """Fractions are reduced and 1 is written "1/1"."""
    t = tally_item(holdings(a="71.30", b="28.70"), {"a": A, "b": A}, ItemKind.ORDINARY)
    assert t.as_json() == {
        "valid": True,
        "passed": True,
        "participation": {"area": "1/1", "owners": "1/1"},
        "approval": {"area": "1/1", "owners": "1/1"},
    }
    t = tally_item(holdings(a="71.30", b="28.70", c="1"), {"a": A, "b": NO}, ItemKind.ORDINARY)
    assert t.as_json()["participation"] == {"area": "100/101", "owners": "2/3"}
    assert t.as_json()["approval"] == {"area": "713/1000", "owners": "1/2"}


def test_explanation_states_each_figure_and_the_result():
    """The explanation gives the participation by area and headcount, validity, the counts, both approvals with
    their verdict, the rule and the result, in Chinese."""
    t = tally_item(holdings(a="71.30", b="28.70", c="1"), {"a": A, "b": NO}, ItemKind.ORDINARY)
    assert t.explanation() == [
        "参与表决的专有部分面积占总面积 99.0%（100㎡/101㎡），达到 2/3。",
        "参与表决的业主占业主总人数 66.7%（2/3 人），达到 2/3。",
        "参与表决的面积和人数均达到三分之二，表决有效（民法典第二百七十八条第二款）。",
        "同意 1 人（71.3㎡），反对 1 人（28.7㎡），弃权 0 人（0㎡）；弃权计入参与表决，但不计为同意。",
        "同意的专有部分面积占参与表决面积 71.3%（71.3㎡/100㎡），过半数。",
        "同意的业主占参与表决人数 50.0%（1/2 人），未过半数。",
        "一般事项须经参与表决的专有部分面积过半数且参与表决人数过半数的业主同意；恰好一半不算过半数。",
        "事项未通过。",
    ]


def test_percent_and_fraction_text():
    """Percentages round half up to one decimal; fractions are always p/q."""
    assert [percent_text(Fraction(n, d)) for n, d in [(2, 3), (1, 3), (1, 2000), (1, 1), (0, 1)]] == [
        "66.7%",
        "33.3%",
        "0.1%",
        "100.0%",
        "0.0%",
    ]
    assert [fraction_text(Fraction(n)) for n in (0, 1)] == ["0/1", "1/1"]


# --- elections ----------------------------------------------------------------------------------------


def ten_owners(big: str = "19") -> list[Holding]:
    """Ten owners o0..o9 of 10 m² each, except o0 with ``big`` m²."""
    return [Holding(f"d{i}", f"o{i}", Decimal(big if i == 0 else "10")) for i in range(10)]


def ballots_xyz() -> dict[str, frozenset[str] | None]:
    """X is chosen by o1..o7, Y by o0, o1..o3, o8, o9, Z by o4..o9, W by o0 alone."""
    pairs = ["YW", "XY", "XY", "XY", "XZ", "XZ", "XZ", "XZ", "YZ", "YZ"]
    return {f"o{i}": frozenset(pair) for i, pair in enumerate(pairs)}


def test_election_ranks_qualified_candidates_by_headcount_then_area_and_takes_the_top_seats():
    """X (7 owners) comes first; Y and Z both have 6 owners, so area decides and Y (69 m², with o0's 19 m²) takes
    the second seat over Z (60 m²); W (1 owner) has no majority."""
    e = tally_election(ten_owners(), ballots_xyz(), ["W", "X", "Y", "Z"], 2)
    assert (e.valid, e.elected, e.tie) == (True, ["X", "Y"], [])
    assert (e.participating_owners, e.participating_area, e.participation_area) == (10, Decimal(109), Fraction(1))
    assert [(c.candidate, c.owners, c.area, c.qualified, c.elected) for c in e.candidates] == [
        ("X", 7, Decimal(70), True, True),
        ("Y", 6, Decimal(69), True, True),
        ("Z", 6, Decimal(60), True, False),
        ("W", 1, Decimal(19), False, False),
    ]
    assert (e.candidates[1].approval_owners, e.candidates[1].approval_area) == (Fraction(3, 5), Fraction(69, 109))


def test_election_tie_for_the_last_seat_is_reported_not_resolved():
    """With equal areas Y and Z tie (6 owners, 60 m²) for the second seat: X is elected, Y and Z are reported as
    tied and neither is marked elected."""
    e = tally_election(ten_owners(big="10"), ballots_xyz(), ["W", "X", "Y", "Z"], 2)
    assert (e.elected, e.tie) == (["X"], ["Y", "Z"])
    assert [c.candidate for c in e.candidates if c.elected] == ["X"]
    assert (
        e.explanation()[-1] == "Y、Z 得票人数和面积完全相同，争夺最后 1 个席位，本计票不作决定，须依议事规则另行处理。"
    )


def test_election_tie_that_does_not_decide_a_seat_is_not_reported():
    """With 3 seats the tied Y and Z are both elected: the tie decides nothing."""
    e = tally_election(ten_owners(big="10"), ballots_xyz(), ["W", "X", "Y", "Z"], 3)
    assert (e.elected, e.tie) == (["X", "Y", "Z"], [])


def test_election_qualification_needs_both_majorities_of_the_participants():
    """P has 3 of 4 participating owners but 30 of 90 m²; Q has 60 of 90 m² but 1 of 4 owners; only R (3 owners,
    80 m²) qualifies, so 1 of 2 seats is filled. e's empty ballot means e did not take part."""
    rows = holdings(a="60", b="10", c="10", d="10", e="10")
    ballots = {
        "a": frozenset({"Q", "R"}),
        "b": frozenset({"P", "R"}),
        "c": frozenset({"P", "R"}),
        "d": frozenset({"P"}),
        "e": frozenset(),
    }
    e = tally_election(rows, ballots, ["P", "Q", "R"], 2)
    assert (e.participating_owners, e.participating_area) == (4, Decimal(90))
    assert {c.candidate: c.qualified for c in e.candidates} == {"P": False, "Q": False, "R": True}
    assert (e.elected, e.tie) == (["R"], [])
    assert e.explanation()[-1] == "当选 1 人，少于应选 2 人。"


def test_election_candidate_with_exactly_half_is_not_qualified():
    """A candidate chosen by exactly half of the participating owners and area does not qualify."""
    e = tally_election(holdings(a="10", b="10"), {"a": frozenset({"P"}), "b": frozenset({"Q"})}, ["P", "Q"], 1)
    assert [(c.approval_owners, c.approval_area, c.qualified) for c in e.candidates] == [
        (Fraction(1, 2), Fraction(1, 2), False),
        (Fraction(1, 2), Fraction(1, 2), False),
    ]
    assert (e.valid, e.elected, e.tie) == (True, [], [])


def test_election_invalid_without_two_thirds_participation_elects_nobody():
    """6 of 10 owners took part: invalid, so even a unanimous candidate is not elected."""
    ballots = {f"o{i}": frozenset({"X"}) for i in range(6)}
    e = tally_election(ten_owners(big="10"), ballots, ["X"], 1)
    assert e.participation_owners == Fraction(3, 5)
    assert (e.valid, e.elected, e.tie) == (False, [], [])
    assert e.candidates[0].qualified is True and e.candidates[0].elected is False


@pytest.mark.parametrize(
    ("ballots", "candidates", "seats"),
    [
        ({"a": frozenset({"P", "Q"})}, ["P", "Q"], 1),  # more choices than seats
        ({"a": frozenset({"Z"})}, ["P", "Q"], 1),  # unknown candidate
        ({"zz": frozenset({"P"})}, ["P", "Q"], 1),  # owner holding nothing
        ({"a": frozenset({"P"})}, ["P", "P"], 1),  # candidate listed twice
        ({"a": frozenset({"P"})}, ["P"], 0),  # no seat
    ],
)
def test_election_refuses_bad_ballots(ballots, candidates, seats):
    """More choices than seats, unknown candidates or owners, duplicate candidates and zero seats are errors."""
    with pytest.raises(ValueError):
        tally_election(holdings(a="10", b="10"), ballots, candidates, seats)


# --- §279 consent -------------------------------------------------------------------------------------


def test_consent_passes_only_when_every_affected_owner_consented():
    """All three consent: passed; lists keep the order of the affected owners (duplicates dropped)."""
    c = tally_consent(["a", "b", "c", "a"], {"c": True, "a": True, "b": True})
    assert (c.passed, c.affected, c.consented, c.refused, c.missing) == (True, ["a", "b", "c"], ["a", "b", "c"], [], [])


def test_consent_lists_refusals_and_missing_answers():
    """One refusal and one missing answer: not passed, each listed, and the explanation says so."""
    c = tally_consent(["a", "b", "c"], {"a": True, "b": False})
    assert (c.passed, c.consented, c.refused, c.missing) == (False, ["a"], ["b"], ["c"])
    assert c.explanation() == [
        "有利害关系的业主 3 人，同意 1 人，不同意 1 人，未答复 1 人。",
        "不同意的业主：b。",
        "未答复的业主：c。",
        "住宅改为经营性用房须经有利害关系的业主一致同意（民法典第二百七十九条）：未获一致同意。",
    ]


def test_consent_refuses_no_affected_owners_and_strangers():
    """A consent of nobody proves nothing; an answer from an owner who is not affected is an error."""
    with pytest.raises(ValueError):
        tally_consent([], {})
    with pytest.raises(ValueError):
        tally_consent(["a"], {"a": True, "x": True})


# --- the tally file reader ----------------------------------------------------------------------------


def test_read_tally_csv_reads_keys_areas_and_votes():
    """Columns in any order, extra columns ignored, blank lines skipped, whitespace trimmed, BOM dropped."""
    text = (
        "\ufeffvote,area,owner,note,dwelling\n同意, 71.30 ,p1,x,101\n\n,10,p2,,102\n弃权,5.5,p3,,103\n同意,1,p1,,104\n"
    )
    rows, votes = read_tally_csv(text)
    assert rows == [
        Holding("101", "p1", Decimal("71.30")),
        Holding("102", "p2", Decimal("10")),
        Holding("103", "p3", Decimal("5.5")),
        Holding("104", "p1", Decimal("1")),
    ]
    assert votes == {"p1": A, "p2": None, "p3": X}


def test_decode_tally_bytes_names_the_row_of_a_bad_byte():
    """A byte that is not UTF-8 on the third line is reported on row 3; a BOM is dropped."""
    with pytest.raises(TallyFileError) as caught:
        decode_tally_bytes("dwelling,owner,area,vote\n1,a,1,同意\n2,b,1,".encode() + "反对".encode("gbk"))
    assert (caught.value.row, caught.value.message, str(caught.value)) == (
        3,
        "文件不是 UTF-8 编码",
        "第 3 行：文件不是 UTF-8 编码",
    )
    assert decode_tally_bytes("\ufeffdwelling".encode()) == "dwelling"
