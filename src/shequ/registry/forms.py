"""Forms of the registry pages, and the parsing of list filters shared by the pages, the API and the export.

Personal values are never put into a form's initial data: the edit form leaves the ID number, mobile, birth
date and notes blank ("blank keeps the stored value") and shows only their masked forms (for the birth date,
its decade) as help text.
"""

import re
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import ValidationError
from shequ.core.scoping import scope_of
from shequ.territory import selectors as territory_selectors
from shequ.territory.domain import Level

from . import selectors, services
from .domain import (
    AGE_BAND_LABELS,
    CARE_TAG_BY_CODE,
    CARE_TAGS,
    DISCLOSURE_REASON_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    LEGAL_BASIS_LABELS,
    REASON_DETAIL_MAX,
    REASON_DETAIL_MIN,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    STATUS_LABELS,
    IdType,
    ResidentStatus,
    decade_label,
)
from .errors import RegistryError
from .permissions import EDIT_ROLES

LIST_STATUSES = (ResidentStatus.ACTIVE, ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED)
STATUS_FILTER_CHOICES = [(s.value, STATUS_LABELS[s]) for s in LIST_STATUSES] + [("all", _("全部"))]
TAG_CHOICES = [(t.code, t.label) for t in CARE_TAGS]
RESIDENCE_TYPE_CHOICES = [(k.value, v) for k, v in RESIDENCE_TYPE_LABELS.items()]
RELATION_CHOICES = [(k.value, v) for k, v in RELATION_LABELS.items()]
LONG_NUMBER_RE = re.compile(r"\d{6,}")
AGE_BAND_CHOICES = [(k.value, v) for k, v in AGE_BAND_LABELS.items()]
FILTER_KEYS = ("text", "household", "building", "area", "tag", "residence_type", "status", "age")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


# --- list filters -------------------------------------------------------------------------------------------


class ResidentFilterForm(forms.Form):
    """The list filters (GET): the same names on the page, in the API and in the export."""

    text = forms.CharField(label=_("姓名或拼音"), required=False, max_length=50)
    household = forms.CharField(label=_("户号"), required=False, max_length=40)
    building = forms.UUIDField(label=_("楼栋"), required=False)
    area = forms.UUIDField(label=_("辖区"), required=False)
    tag = forms.ChoiceField(label=_("关怀标签"), required=False, choices=_blank(_("全部标签")) + TAG_CHOICES)
    residence_type = forms.ChoiceField(
        label=_("居住类型"), required=False, choices=_blank(_("全部类型")) + RESIDENCE_TYPE_CHOICES
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_FILTER_CHOICES)
    age = forms.ChoiceField(label=_("年龄"), required=False, choices=_blank(_("全部年龄")) + AGE_BAND_CHOICES)

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text") or ""
        if LONG_NUMBER_RE.search(text):  # a number typed here would travel in the URL: refuse to use it
            raise ValidationError(
                _("按证件号码或手机号码查找，请使用下方的“精确查找”"), code=RegistryError.SEARCH_USE_EXACT
            )
        return text

    def filters(self) -> selectors.ResidentFilters:
        """The valid filters (an invalid value is dropped, never passed on to the database)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        building, area = data.get("building"), data.get("area")
        return selectors.ResidentFilters(
            text=(data.get("text") or "").strip(),
            household=(data.get("household") or "").strip(),
            building=str(building) if building else "",
            area=str(area) if area else "",
            tag=data.get("tag") or "",
            residence_type=data.get("residence_type") or "",
            status=data.get("status") or ResidentStatus.ACTIVE.value,
            age=data.get("age") or "",
        )

    def applied(self) -> dict[str, str]:
        """The filters in use, as plain strings (kept in links, hidden inputs and the export audit record)."""
        f = self.filters()
        out = {k: getattr(f, k) for k in FILTER_KEYS if getattr(f, k)}
        if out.get("status") == ResidentStatus.ACTIVE.value:
            del out["status"]
        return out


def parse_filters(params: Any) -> ResidentFilterForm:
    form = ResidentFilterForm({k: params.get(k, "") for k in FILTER_KEYS})
    form.is_valid()
    return form


def area_choices(actor: Any) -> list[tuple[str, str]]:
    """Communities, grids and micro-grids in the actor's scope, for the area filter."""
    levels = (Level.COMMUNITY, Level.GRID, Level.MICRO_GRID)
    qs = territory_selectors.areas_for(actor).filter(level__in=levels).order_by("path")
    return [(str(a.public_id), f"{'　' * max(0, levels.index(Level(a.level)))}{a.name}") for a in qs[:2000]]


def building_choices(qs: QuerySet, limit: int = 300) -> list[tuple[str, str]] | None:
    """Buildings as select options, or None when there are too many for a select."""
    rows = list(qs.select_related("compound").order_by("compound__code", "number")[: limit + 1])
    if len(rows) > limit:
        return None
    return [(str(b.public_id), f"{b.compound.name} {b.name}") for b in rows]


class ExactSearchForm(forms.Form):
    """Exact search by ID number or mobile, sent by POST so that the number never lands in a URL."""

    number = forms.CharField(
        label=_("证件号码或手机号码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("请输入证件号码或手机号码")},
    )


# --- scope helpers for the register form --------------------------------------------------------------------


def communities_for_edit(actor: Any) -> list:
    """Communities where the actor may register residents: those of their edit assignments.

    A grid or micro-grid worker registers into the community above their grid; a community worker into their
    community.
    """
    paths = scope_of(actor).paths(roles=EDIT_ROLES)
    if not paths:
        return []
    found: dict[int, Any] = {}
    for node in territory_selectors.areas_for(actor).filter(path__in=paths):
        if node.level == Level.COMMUNITY:
            found[node.pk] = node
        elif node.level in (Level.GRID, Level.MICRO_GRID):
            for a in territory_selectors.ancestors_of(node):
                if a.level == Level.COMMUNITY:
                    found[a.pk] = a
        else:
            for a in territory_selectors.areas_for(actor).filter(path__startswith=node.path, level=Level.COMMUNITY):
                found[a.pk] = a
    return sorted(found.values(), key=lambda a: a.path)


def buildings_for_edit(actor: Any) -> QuerySet:
    return territory_selectors.buildings_for(actor).filter(
        territory_selectors.building_scope_q(actor, roles=EDIT_ROLES)
    )


def dwellings_of(actor: Any, building: Any) -> QuerySet:
    return (
        territory_selectors.dwellings_for(actor)
        .filter(building=building)
        .select_related("unit")
        .order_by("unit__number", "floor", "number")
    )


def dwelling_choices(actor: Any, building: Any) -> list[tuple[str, str]]:
    return [(str(d.public_id), f"{d.unit.name} {d.number}") for d in dwellings_of(actor, building)]


def find_household(actor: Any, community: Any, number: str) -> Any:
    return selectors.households_for(actor).filter(community=community, number=(number or "").strip()).first()


# --- register / edit --------------------------------------------------------------------------------------


class ResidentForm(forms.Form):
    """Register a resident, or correct one (`resident` given).

    On edit, a blank ID number, mobile, birth date or notes keeps the stored value. Notes, and the care tags of
    a resident with sensitive tags, are edited only by roles that may reveal identity information; for others
    the sensitive tags and notes are kept unchanged.
    """

    community = forms.ChoiceField(label=_("社区"))
    building = forms.ChoiceField(label=_("楼栋"), required=False)
    dwelling = forms.ChoiceField(label=_("房屋"), required=False)
    household_number = forms.CharField(label=_("户号"), max_length=40, required=False)
    new_household = forms.BooleanField(label=_("新建户（本社区还没有该户号时勾选）"), required=False)
    relation = forms.ChoiceField(label=_("与户主关系"), required=False, choices=_blank("—") + RELATION_CHOICES)
    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名")})
    gender = forms.ChoiceField(label=_("性别"), choices=[(k.value, v) for k, v in GENDER_LABELS.items()], initial="U")
    id_type = forms.ChoiceField(
        label=_("证件类型"), choices=[(k.value, v) for k, v in ID_TYPE_LABELS.items()], initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("证件类型为“无证件”时不填"),
    )
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("填写居民身份证号码时可不填，将从号码中读取"),
    )
    mobile = forms.CharField(
        label=_("手机号码"), max_length=20, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    clear_mobile = forms.BooleanField(label=_("删除已登记的手机号码"), required=False)
    residence_type = forms.ChoiceField(label=_("居住类型"), choices=RESIDENCE_TYPE_CHOICES, initial="permanent")
    care_tags = forms.MultipleChoiceField(
        label=_("关怀标签"), required=False, choices=TAG_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.ChoiceField(
        label=_("采集依据"), choices=[(k.value, v) for k, v in LEGAL_BASIS_LABELS.items()], initial="statutory"
    )
    moved_in_on = forms.DateField(
        label=_("迁入日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("不填则为今天"),
    )

    def __init__(self, data: Any = None, *, actor: Any, resident: Any = None, can_reveal_identity: bool = False):
        super().__init__(data)
        self.actor, self.resident = actor, resident
        self.communities = {str(c.public_id): c for c in communities_for_edit(actor)}
        self.fields["community"].choices = [(k, c.name) for k, c in self.communities.items()]
        buildings = buildings_for_edit(actor).select_related("compound", "compound__community")
        self.buildings = {str(b.public_id): b for b in buildings.order_by("compound__code", "number")}
        self.fields["building"].choices = _blank(_("（不选择楼栋）")) + [
            (k, f"{b.compound.name} {b.name}") for k, b in self.buildings.items()
        ]
        self.fields["building"].widget.attrs.update(
            {"hx-get": reverse("registry:dwelling_options"), "hx-target": "#id_dwelling", "hx-trigger": "change"}
        )
        self.sensitive_locked = bool(resident and resident.has_sensitive_tags and not can_reveal_identity)
        if self.sensitive_locked:
            self.fields["care_tags"].choices = [(t.code, t.label) for t in CARE_TAGS if not t.sensitive]
            self.fields["care_tags"].help_text = _(
                "该居民有敏感关怀标签，您无权查看，此处只显示一般标签；保存时敏感标签保持不变。"
            )
        if resident is None:
            del self.fields["clear_mobile"]
            if len(self.communities) == 1:
                self.fields["community"].initial = next(iter(self.communities))
        else:
            del self.fields["moved_in_on"]
            self._describe_stored(resident, can_reveal_identity)
        chosen = self.data.get("building") if self.is_bound else self.initial.get("building")
        building = self.buildings.get(chosen or "")
        self.fields["dwelling"].choices = _blank(_("（不选择房屋）")) + (
            dwelling_choices(actor, building) if building else []
        )

    def _describe_stored(self, r: Any, can_reveal_identity: bool) -> None:
        self.initial.update(
            community=str(r.community.public_id),
            building=str(r.dwelling.building.public_id) if r.dwelling_id else "",
            dwelling=str(r.dwelling.public_id) if r.dwelling_id else "",
            household_number=r.household.number if r.household_id else "",
            relation=r.relation,
            name=r.name,
            gender=r.gender,
            id_type=r.id_type,
            residence_type=r.residence_type,
            care_tags=[c for c in r.plain_tags.split(",") if c],
            legal_basis=r.legal_basis,
        )
        keep = _("留空则保持不变")
        if r.id_number_masked:
            self.fields["id_number"].help_text = _("已登记：%(masked)s；%(keep)s") % {
                "masked": r.id_number_masked,
                "keep": keep,
            }
        if r.mobile_masked:
            self.fields["mobile"].help_text = _("已登记：%(masked)s；%(keep)s") % {
                "masked": r.mobile_masked,
                "keep": keep,
            }
        else:
            del self.fields["clear_mobile"]
        if r.birth_date_encrypted and r.id_number_encrypted and not can_reveal_identity:
            # The service checks a typed birth date against the stored ID number: its answer would tell a
            # role that may not reveal whether a guess is right. The birth date then follows the ID number.
            del self.fields["birth_date"]
        elif r.birth_decade is not None:
            self.fields["birth_date"].help_text = _("已登记（%(decade)s）；%(keep)s") % {
                "decade": decade_label(r.birth_decade),
                "keep": keep,
            }
        elif r.birth_date_encrypted:
            self.fields["birth_date"].help_text = _("已登记；%(keep)s") % {"keep": keep}
        else:
            self.fields["birth_date"].help_text = keep
        if can_reveal_identity:
            self.fields["notes"].help_text = _(
                "现有备注不在此显示（可在详情页查看）；填写后将替换现有备注，%(keep)s"
            ) % {"keep": keep}
        else:
            del self.fields["notes"]

    def show_sensitive_tags(self, codes: list[str]) -> None:
        """Pre-tick the resident's sensitive tags (the caller has audited this display)."""
        self.initial["care_tags"] = list(self.initial.get("care_tags", [])) + [
            c for c in codes if CARE_TAG_BY_CODE[c].sensitive
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        community = self.communities.get(data.get("community") or "")
        data["community_obj"] = community
        building = self.buildings.get(data.get("building") or "")
        data["dwelling_obj"] = None
        if data.get("dwelling"):
            if building is None:
                self.add_error("building", _("请先选择楼栋"))
            else:
                data["dwelling_obj"] = dwellings_of(self.actor, building).filter(public_id=data["dwelling"]).first()
        elif building is not None:
            self.add_error("dwelling", _("请选择该楼栋中的房屋"))
        if data.get("new_household") and not (data.get("household_number") or "").strip():
            self.add_error("household_number", _("新建户须填写户号"))
        if data.get("id_type") == IdType.NONE and (data.get("id_number") or "").strip():
            self.add_error("id_number", _("证件类型为“无证件”时不能填写证件号码"))
        return data

    def household(self) -> Any:
        """The existing household named by the number (None when blank); raises a form error when unknown."""
        number = (self.cleaned_data.get("household_number") or "").strip()
        if not number or self.cleaned_data.get("new_household"):
            return None
        found = find_household(self.actor, self.cleaned_data["community_obj"], number)
        if found is None:
            raise ValidationError({"household_number": _("本社区没有该户号；如需新建，请勾选“新建户”")})
        return found

    def to_input(self, household: Any) -> services.ResidentInput:
        """The service input: submitted values, with blank personal fields on edit taken from the stored record."""
        d = self.cleaned_data
        stored = services.resident_current_input(self.resident) if self.resident is not None else None
        tags = list(dict.fromkeys(d.get("care_tags") or []))
        id_number = (d.get("id_number") or "").strip()
        mobile = (d.get("mobile") or "").strip()
        birth: date | None = d.get("birth_date")
        notes = d.get("notes", "")
        if stored is not None:
            if self.sensitive_locked:
                tags += [c for c in stored.care_tags if CARE_TAG_BY_CODE[c].sensitive and c not in tags]
            if not id_number and d["id_type"] == stored.id_type:
                id_number = stored.id_number
            if not mobile and not d.get("clear_mobile"):
                mobile = stored.mobile
            if birth is None:
                birth = stored.birth_date
            if "notes" not in self.fields or not notes:
                notes = stored.notes
        if d["id_type"] == IdType.NONE:
            id_number = ""
        return services.ResidentInput(
            name=d["name"],
            community=d["community_obj"],
            gender=d["gender"],
            birth_date=birth,
            id_type=d["id_type"],
            id_number=id_number,
            mobile=mobile,
            household=household,
            relation=d.get("relation") or "",
            dwelling=d["dwelling_obj"],
            residence_type=d["residence_type"],
            care_tags=tags,
            notes=notes or "",
            legal_basis=d["legal_basis"],
            moved_in_on=d.get("moved_in_on"),
        )


# --- dated changes and reveal -----------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


class MoveOutForm(forms.Form):
    on = forms.DateField(label=_("迁出日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("去向或说明（可不填）"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = _today()


class DeathForm(forms.Form):
    on = forms.DateField(label=_("死亡日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = _today()


class HouseholdChangeForm(forms.Form):
    household_number = forms.CharField(
        label=_("新户号"),
        max_length=40,
        help_text=_("本社区已登记的户号"),
        error_messages={"required": _("请填写户号")},
    )
    relation = forms.ChoiceField(label=_("与户主关系"), choices=RELATION_CHOICES)
    on = forms.DateField(label=_("变更日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = _today()


class ConsentWithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核实：居民本人（或其监护人）已撤回同意"),
        error_messages={"required": _("请先核实并勾选")},
    )


REVEAL_LABELS = {
    "mobile": _("手机号码"),
    "id_number": _("证件号码"),
    "birth_date": _("出生日期"),
    "sensitive_tags": _("敏感关怀标签"),
    "notes": _("备注"),
}


REASON_CHOICES = [("", _("请选择理由"))] + [(k.value, v) for k, v in DISCLOSURE_REASON_LABELS.items()]


class _ReasonFields(forms.Form):
    """A reason from the list plus a free-text detail: every full reveal and every full export (issue 11)."""

    reason_code = forms.ChoiceField(
        label=_("理由"), choices=REASON_CHOICES, error_messages={"required": _("请选择理由")}
    )
    reason = forms.CharField(
        label=_("理由说明"),
        max_length=REASON_DETAIL_MAX,
        min_length=REASON_DETAIL_MIN,
        error_messages={"required": _("请填写理由说明"), "min_length": _("请填写理由说明")},
    )


class RevealForm(_ReasonFields):
    field = forms.ChoiceField(label=_("查看项目"), choices=list(REVEAL_LABELS.items()))
    field_order = ["field", "reason_code", "reason"]

    def __init__(self, *args: Any, fields: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fields is not None:
            self.fields["field"].choices = [(k, v) for k, v in REVEAL_LABELS.items() if k in fields]


class ExportRequestForm(_ReasonFields):
    """A full-export request: the reason; the filters travel as hidden fields."""


class ExportDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


def is_uuid(value: str) -> bool:
    try:
        UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True
