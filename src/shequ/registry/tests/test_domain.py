"""Pure rules of the registry about birth dates (the decade kept in clear, age bands, birthday years) and full-export
requests (the transition table, the volume alert); no database."""

from datetime import date

import pytest

from shequ.core.errors import InvalidTransition
from shequ.registry.domain import (
    DECADE_SAFE_DAYS,
    EXPORT_TRANSITIONS,
    AgeBand,
    BirthRange,
    ExportEvent,
    ExportStatus,
    age_on,
    alert_due,
    birth_range,
    birthday_year,
    clear_birth_decade,
    decade_label,
    next_export_status,
    next_import_status,
    split_decades,
    years_before,
)

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("birth", "earliest_fact", "expected", "why"),
    [
        (date(1963, 5, 1), date(2026, 12, 4), 1960, "registered long after the start of the 2020s"),
        (date(1963, 5, 1), date(2020, 3, 5), 1960, "moved in early in the 2020s, but born before 2010"),
        (date(2020, 2, 1), date(2020, 3, 5), None, "a newborn registered 64 days into the 2020s"),
        (date(2012, 2, 1), date(2020, 3, 5), None, "born in the decade before: withheld too, so 'None' says little"),
        (date(2009, 12, 31), date(2020, 3, 5), 2000, "born before the decade before"),
        (date(2020, 2, 1), date(2023, 7, 24), 2020, f"the fact is {DECADE_SAFE_DAYS} days into the decade"),
        (date(2020, 2, 1), date(2023, 7, 23), None, "one day earlier"),
        (date(1985, 6, 1), None, 1980, "no dated fact"),
        (None, date(2020, 3, 5), None, "no birth date"),
    ],
)
def test_clear_birth_decade(birth, earliest_fact, expected, why):
    """The decade is withheld for births in D or D-10 when a dated fact falls early in decade D."""
    assert clear_birth_decade(birth, earliest_fact) == expected, why


def test_a_withheld_decade_leaves_at_least_ten_years():
    """Whatever the birth, what the clear data then allows (D-10 up to the fact) spans ten years or more."""
    fact = date(2021, 6, 30)
    for birth in (date(2010, 1, 1), date(2015, 7, 7), date(2021, 6, 30)):
        assert clear_birth_decade(birth, fact) is None
    assert (fact - date(2010, 1, 1)).days >= 3652


def test_decade_label():
    """1960 reads "1960年代"; unknown reads as nothing."""
    assert (decade_label(1960), decade_label(None)) == ("1960年代", "")


def test_years_before_keeps_29_february_in_common_years_as_28():
    assert (years_before(date(2024, 2, 29), 60), years_before(date(2026, 12, 4), 18)) == (
        date(1964, 2, 29),
        date(2008, 12, 4),
    )
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)


@pytest.mark.parametrize(
    ("band", "inside", "outside"),
    [
        (AgeBand.SIXTY_PLUS, date(1966, 12, 4), date(1966, 12, 5)),
        (AgeBand.EIGHTY_PLUS, date(1946, 12, 4), date(1946, 12, 5)),
        (AgeBand.UNDER_EIGHTEEN, date(2008, 12, 5), date(2008, 12, 4)),
    ],
)
def test_birth_range_matches_age_on(band, inside, outside):
    """The birth range of a band agrees with age_on at its boundary (turning 60 today is in 60+)."""
    births = birth_range(band, TODAY)
    assert (inside in births, outside in births) == (True, False)
    limits = {AgeBand.SIXTY_PLUS: 60, AgeBand.EIGHTY_PLUS: 80, AgeBand.UNDER_EIGHTEEN: 18}
    assert (age_on(inside, TODAY) >= limits[band]) == (band != AgeBand.UNDER_EIGHTEEN)


def test_split_decades_selects_whole_decades_and_checks_only_the_cut_one():
    """60+ on 2026-12-04: 1900s-1950s wholly in, the 1960s cut through, later decades out."""
    whole, partial = split_decades(birth_range(AgeBand.SIXTY_PLUS, TODAY), TODAY)
    assert (whole, partial) == ([1900, 1910, 1920, 1930, 1940, 1950], [1960])
    whole, partial = split_decades(birth_range(AgeBand.UNDER_EIGHTEEN, TODAY), TODAY)
    assert (whole, partial) == ([2010, 2020], [2000])
    assert split_decades(BirthRange(after=date(1999, 12, 31), upto=date(2009, 12, 31)), TODAY) == ([2000], [])


@pytest.mark.parametrize(("month", "year"), [(12, 2026), (1, 2027), (11, 2027)])
def test_birthday_year_is_the_next_occurrence_of_the_month(month, year):
    assert birthday_year(month, TODAY) == year


# --- full-export requests (issue 11) ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "event"), list(EXPORT_TRANSITIONS))
def test_every_export_transition_row(status, event):
    """Each row of the table moves the request to its target status."""
    assert next_export_status(status, event) == EXPORT_TRANSITIONS[status, event]


@pytest.mark.parametrize("status", list(ExportStatus))
@pytest.mark.parametrize("event", list(ExportEvent))
def test_export_transitions_outside_the_table_are_refused(status, event):
    """A pair not in the table (a second download, approving a rejected request...) raises InvalidTransition."""
    if (status, event) in EXPORT_TRANSITIONS:
        return
    with pytest.raises(InvalidTransition):
        next_export_status(status, event)


def test_downloaded_rejected_and_expired_are_final():
    """No event leaves a downloaded, rejected or expired request."""
    finals = {ExportStatus.DOWNLOADED, ExportStatus.REJECTED, ExportStatus.EXPIRED}
    assert not [key for key in EXPORT_TRANSITIONS if key[0] in finals]
    with pytest.raises(InvalidTransition):
        next_export_status("bogus", "approve")


@pytest.mark.parametrize(
    ("count", "limit", "share", "due"),
    [
        (39, 50, 0.8, False),
        (40, 50, 0.8, True),
        (2, 2, 1.0, True),
        (1, 2, 1.0, False),
        (100, 50, 0, False),
        (1, 0, 0.8, False),
    ],
)
def test_alert_due(count, limit, share, due):
    """The volume alert is due at `share` of the daily limit; a share or a limit of 0 never alerts."""
    assert alert_due(count, limit, share) is due


def test_status_table_is_closed():
    """Only the listed transitions exist: an applied batch can be neither confirmed nor cancelled."""
    assert next_import_status("validated", "confirm") == "applying"
    assert next_import_status("failed", "confirm") == "applying"
    for status in ("applied", "cancelled"):
        for event in ("confirm", "cancel", "start_validation", "fail"):
            with pytest.raises(InvalidTransition):
                next_import_status(status, event)
