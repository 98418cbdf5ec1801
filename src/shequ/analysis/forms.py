"""Forms of the warning list (assign, note, close) and of a district's threshold."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class NoteForm(forms.Form):
    text = forms.CharField(label=_("备注"), max_length=2000, widget=forms.TextInput)


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.TextInput)


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("指派给"), queryset=None, to_field_name="public_id", empty_label=None)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.TextInput)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class ThresholdForm(forms.Form):
    district = forms.ModelChoiceField(label=_("区"), queryset=None, to_field_name="public_id", empty_label=None)
    threshold = forms.IntegerField(label=_("预警阈值（分）"), min_value=1, max_value=200)

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
