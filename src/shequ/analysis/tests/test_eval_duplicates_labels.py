"""The committed duplicate labels (bench/data/duplicate_labels.csv, used by bench/eval_duplicates.py) are well
formed: only the columns a,b,source,label, integer 留言编号 with a < b, each pair once, labels 0/1, sources block or
random, so no message text can hide in the file; and every id exists in ../shared/data when that file is there."""

import csv
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[4]
LABELS = CHECKOUT / "bench" / "data" / "duplicate_labels.csv"
MESSAGES = CHECKOUT.parent / "shared" / "data" / "messages" / "hot_issue_messages.csv"


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_header_is_exactly_the_four_id_columns(rows: list[list[str]]) -> None:
    """The first line is the header a,b,source,label and nothing else (no text column)."""
    assert rows[0] == ["a", "b", "source", "label"]


def test_every_row_is_two_ordered_integer_ids_a_known_source_and_a_binary_label(rows: list[list[str]]) -> None:
    """Each row has four fields: digits-only ids with a < b, source block/random, label 0/1."""
    bad = [
        row
        for row in rows[1:]
        if len(row) != 4
        or not (row[0].isascii() and row[0].isdigit() and row[1].isascii() and row[1].isdigit())
        or int(row[0]) >= int(row[1])
        or row[2] not in {"block", "random"}
        or row[3] not in {"0", "1"}
    ]
    assert bad == []


def test_each_pair_is_labelled_once_and_both_sources_are_present(rows: list[list[str]]) -> None:
    """No pair appears twice; there are block pairs and random pairs."""
    pairs = [(row[0], row[1]) for row in rows[1:]]
    assert len(pairs) == len(set(pairs))
    assert {row[2] for row in rows[1:]} == {"block", "random"}


def test_every_id_exists_in_the_hot_issue_messages(rows: list[list[str]]) -> None:
    """Every labelled 留言编号 is a message of ../shared/data/messages/hot_issue_messages.csv."""
    if not MESSAGES.exists():
        pytest.skip(f"{MESSAGES} not available")
    with MESSAGES.open(encoding="utf-8-sig", newline="") as fh:
        known = {row["留言编号"].strip() for row in csv.DictReader(fh)}
    missing = {value for row in rows[1:] for value in row[:2]} - known
    assert missing == set()
