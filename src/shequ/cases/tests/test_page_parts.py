"""Page parts: a template registered for a slot is listed once, in registration order; a slot nobody registered
for is empty; an unknown slot is refused."""

import pytest

from shequ.cases import page_parts


@pytest.fixture
def slots(monkeypatch):
    monkeypatch.setattr(page_parts, "_SLOTS", {page_parts.CASE_PANELS: [], page_parts.QUEUE_ACTIONS: []})


@pytest.mark.usefixtures("slots")
def test_registered_templates_are_listed_once_in_order():
    """Registering a template twice lists it once; other slots stay empty."""
    page_parts.register(page_parts.CASE_PANELS, "a/_first.html")
    page_parts.register(page_parts.CASE_PANELS, "b/_second.html")
    page_parts.register(page_parts.CASE_PANELS, "a/_first.html")
    assert page_parts.templates(page_parts.CASE_PANELS) == ("a/_first.html", "b/_second.html")
    assert page_parts.templates(page_parts.QUEUE_ACTIONS) == ()


@pytest.mark.usefixtures("slots")
def test_an_unknown_slot_is_refused():
    """A misspelt slot is a KeyError, not a silently empty part."""
    with pytest.raises(KeyError):
        page_parts.register("case_panel", "a/_first.html")
    with pytest.raises(KeyError):
        page_parts.templates("case_panel")
