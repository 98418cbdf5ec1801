"""Date pickers get their value as YYYY-MM-DD, the only form a browser's date input shows."""

import importlib
import pkgutil
from datetime import date, datetime

from django import forms
from django.utils import translation

import shequ
from shequ.core.widgets import IsoDateInput
from shequ.disputes.forms import SessionForm, VisitForm

SKIP = (".tests", ".migrations", ".testing", ".config.", ".management.")


def _project_forms() -> list[type[forms.BaseForm]]:
    for info in pkgutil.walk_packages(shequ.__path__, "shequ."):
        if not any(part in f"{info.name}." for part in SKIP):
            importlib.import_module(info.name)
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("shequ."):
            found.append(cls)
    return found


def test_every_date_input_of_every_form_renders_iso_dates():
    """Under the Chinese locale (which formats dates as 2026/03/16) each date picker still gets 2026-03-16."""
    checked = []
    with translation.override("zh-hans"):
        for form in _project_forms():
            for name, field in form.base_fields.items():
                widget = field.widget
                if getattr(widget, "input_type", "") == "date":
                    assert widget.format_value(date(2026, 3, 16)) == "2026-03-16", f"{form.__name__}.{name}"
                    checked.append(f"{form.__name__}.{name}")
                elif getattr(widget, "input_type", "") == "datetime-local":
                    value = widget.format_value(datetime(2026, 3, 16, 9, 30))
                    assert value == "2026-03-16T09:30", f"{form.__name__}.{name}"
                    checked.append(f"{form.__name__}.{name}")
    assert {"SessionForm.held_on", "VisitForm.visited_on"} <= set(checked)


def test_dispute_forms_render_the_initial_date_in_iso_form():
    """The mediation and visit dates (blank in Chromium before) carry the ISO value in the HTML."""
    with translation.override("zh-hans"):
        session = SessionForm(prefix="session", initial={"held_on": date(2026, 3, 16)})
        visit = VisitForm(prefix="visit", initial={"visited_on": date(2026, 4, 1)})
        assert 'value="2026-03-16"' in str(session["held_on"])
        assert 'value="2026-04-01"' in str(visit["visited_on"])
        assert 'type="date"' in str(session["held_on"])


def test_a_re_displayed_date_keeps_what_was_typed():
    """A bound form shows the submitted text back unchanged."""
    form = SessionForm({"session-held_on": "2026-03-16"}, prefix="session")
    assert 'value="2026-03-16"' in str(form["held_on"])
    assert IsoDateInput().format_value(None) is None
