"""Dwelling page: occupants, owners of record (with history) and recording a transfer of ownership."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.permissions import can
from shequ.core.widgets import IsoDateInput
from shequ.territory import selectors as territory_selectors

from . import selectors, services

OWNER_ROWS = 3
KIND_CHOICES = [
    ("", "—"),
    ("person", gettext_lazy("个人")),
    ("developer", gettext_lazy("开发建设单位")),
    ("organisation", gettext_lazy("单位")),
]


class TransferForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("转移（登记）日期"), widget=IsoDateInput())

    def __init__(self, *args: Any, occupants: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(r.public_id), r.name) for r in occupants]
        for i in range(1, OWNER_ROWS + 1):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=gettext_lazy("产权人类型"), choices=KIND_CHOICES, required=i == 1
            )
            self.fields[f"occupant_{i}"] = forms.ChoiceField(
                label=gettext_lazy("本户居民"), choices=choices, required=False
            )
            self.fields[f"id_number_{i}"] = forms.CharField(
                label=gettext_lazy("或：产权人证件号码"), required=False, max_length=20
            )
            self.fields[f"org_name_{i}"] = forms.CharField(
                label=gettext_lazy("单位名称"), required=False, max_length=100
            )
            self.fields[f"uscc_{i}"] = forms.CharField(
                label=gettext_lazy("统一社会信用代码"), required=False, max_length=18
            )
            self.fields[f"share_{i}"] = forms.CharField(
                label=gettext_lazy("份额"), required=False, max_length=8, initial="1" if i == 1 else ""
            )

    def owner_rows(self) -> list[list[Any]]:
        return [
            [self[f"{name}_{i}"] for name in ("kind", "occupant", "id_number", "org_name", "uscc", "share")]
            for i in range(1, OWNER_ROWS + 1)
        ]


def _owners_from(form: TransferForm, actor: Any, occupants: dict[str, Any]) -> list[services.OwnerInput]:
    owners, errors = [], []
    for i in range(1, OWNER_ROWS + 1):
        kind = form.cleaned_data.get(f"kind_{i}")
        if not kind:
            continue
        try:
            share = Decimal(form.cleaned_data.get(f"share_{i}") or "0")
        except InvalidOperation:
            errors.append(_("第%(n)d位产权人：份额应为0到1之间的小数，如 0.5") % {"n": i})
            continue
        resident = None
        if kind == "person":
            chosen = form.cleaned_data.get(f"occupant_{i}")
            number = (form.cleaned_data.get(f"id_number_{i}") or "").strip()
            if chosen:
                resident = occupants.get(chosen)
            elif number:
                # Owners may live elsewhere: the register is searched city-wide by keyed hash of the full number.
                resident = services.duplicate_of(number.upper())
            if resident is None:
                errors.append(_("第%(n)d位产权人：请选择本户居民，或填写已登记居民的完整证件号码") % {"n": i})
                continue
        owners.append(
            services.OwnerInput(
                kind=kind,
                share=share,
                resident=resident,
                organisation_name=form.cleaned_data.get(f"org_name_{i}") or "",
                organisation_uscc=(form.cleaned_data.get(f"uscc_{i}") or "").strip().upper(),
            )
        )
    if errors:
        raise ValidationError({"owners": errors})
    return owners


@login_required
def dwelling_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        dwelling = territory_selectors.get_dwelling_for(request.user, public_id)
    except NotFound as exc:
        raise Http404() from exc
    probe = selectors.dwelling_location(dwelling)
    if not can(request.user, "registry.view", probe):
        raise Http404()
    may_edit = bool(can(request.user, "registry.edit", probe))
    occupants = selectors.occupants_of_building(request.user, dwelling.building).get(dwelling.pk, [])
    form = TransferForm(request.POST or None, occupants=occupants)
    if request.method == "POST":
        if not may_edit:
            raise Http404()
        if form.is_valid():
            try:
                owners = _owners_from(form, request.user, {str(r.public_id): r for r in occupants})
                services.ownership_transfer(
                    actor=request.user, dwelling=dwelling, owners=owners, on=form.cleaned_data["on"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except PermissionDenied as exc:
                form.add_error(None, exc.message or _("您无权登记该房屋的产权"))
            else:
                messages.success(request, _("产权登记已保存"))
                return redirect("registry:dwelling", public_id=dwelling.public_id)
    today = timezone.localdate()
    history = list(selectors.ownerships_of_dwelling(dwelling))
    visible = {
        r.pk
        for r in selectors.residents_for(request.user, statuses=None).filter(
            pk__in=[o.resident_id for o in history if o.resident_id]
        )
    }
    return render(
        request,
        "registry/dwelling_detail.html",
        {
            "dwelling": dwelling,
            "building": dwelling.building,
            "compound": dwelling.building.compound,
            "occupants": occupants,
            "current": [o for o in history if o.valid_from <= today and (o.valid_to is None or o.valid_to > today)],
            "history": history,
            "visible_owner_ids": visible,
            "form": form,
            "may_edit": may_edit,
        },
    )
