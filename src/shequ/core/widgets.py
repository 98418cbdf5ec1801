"""Form widgets every app shares."""

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """A browser date picker (`<input type="date">`) given its value as YYYY-MM-DD.

    A date input accepts only that form: with the locale's format (zh-hans renders "2026/03/16") Chromium
    shows the field blank, so an initial or re-displayed date was lost.
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=ISO_DATE)
