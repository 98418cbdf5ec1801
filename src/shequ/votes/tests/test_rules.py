"""The pure rules of running a vote: the transition table, receipt codes, the ballot's choices (no database)."""

import pytest

from shequ.core.errors import InvalidTransition
from shequ.votes.domain import Choice, ItemKind
from shequ.votes.rules import (
    RECEIPT_ALPHABET,
    TRANSITIONS,
    Event,
    ItemSpec,
    Status,
    answers_to_json,
    clean_choices,
    new_receipt_code,
    next_status,
    normalise_receipt,
    receipt_display,
)


@pytest.mark.parametrize(("status", "event"), [(s, e) for s in Status for e in Event])
def test_every_row_of_the_transition_table(status, event):
    """Draft opens, open closes; every other pair is refused (nothing goes back, a closed vote stays closed)."""
    if (status, event) in TRANSITIONS:
        assert next_status(status, event) == TRANSITIONS[(status, event)]
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, event)


def test_transition_table_is_exactly_open_then_close():
    assert TRANSITIONS == {(Status.DRAFT, Event.OPEN): Status.OPEN, (Status.OPEN, Event.CLOSE): Status.CLOSED}


def test_receipt_codes_are_random_crockford_base32():
    codes = {new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and set(c) <= set(RECEIPT_ALPHABET) for c in codes)
    assert not set("ILOU") & set(RECEIPT_ALPHABET)


def test_a_typed_receipt_is_normalised_as_crockford_reads_it():
    """Spaces and dashes go, lower case is raised, O reads as 0 and I/L as 1."""
    assert normalise_receipt(" 7k3qx-m2p9o ") == "7K3QXM2P90"
    assert normalise_receipt("il000 11111") == "1100011111"
    assert receipt_display("7K3QXM2P9D") == "7K3QX-M2P9D"


ITEMS = [
    ItemSpec(1, ItemKind.ORDINARY, "续聘物业"),
    ItemSpec(2, ItemKind.ELECTION, "选举业委会", seats=2, candidates=("王芳", "刘强", "陈静")),
    ItemSpec(3, ItemKind.CONSENT, "改为经营性用房", affected=False),
]


def test_clean_choices_accepts_blanks_and_up_to_n_candidates():
    answers = clean_choices(ITEMS, {1: "abstain", 2: ["刘强", "王芳"], 3: None})
    assert answers == {1: Choice.ABSTAIN, 2: frozenset({"刘强", "王芳"}), 3: None}
    assert answers_to_json(answers) == {"1": "abstain", "2": ["刘强", "王芳"], "3": None}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({2: ["王芳", "王芳"]}, "“选举业委会”中同一候选人只能选一次"),
        ({3: "agree"}, "您不是“改为经营性用房”的利害关系业主，无需表决此项"),
        ({}, "选票没有对任何事项表决，请至少表决一项"),
    ],
)
def test_clean_choices_refuses_in_chinese(raw, message):
    with pytest.raises(ValueError, match=message):
        clean_choices(ITEMS, raw)


def test_consent_takes_no_abstention():
    items = [ItemSpec(1, ItemKind.CONSENT, "改为经营性用房", affected=True)]
    with pytest.raises(ValueError, match="只能选择同意或不同意"):
        clean_choices(items, {1: "abstain"})
