"""Forms of the Party pages. They only shape input; the services check every rule again.

Choices hold public ids; the views turn a chosen id back into an object through the scoped selectors (or the
lists of places the view offered), so a forged id answers "not found" or a form error, never another scope's row.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import IsoDateInput

from .domain import MEETING_KIND_LABELS, MEMBER_STATUS_LABELS, ORG_LEVEL_LABELS, POST_LABELS, OrgLevel, Post

DECISION_ROWS = 5  # matters a general meeting records at once; more are recorded as a second meeting record
MEMBER_STATUS_FILTERS = [
    ("", _("在册党员")),
    ("full", MEMBER_STATUS_LABELS["full"]),
    ("probationary", MEMBER_STATUS_LABELS["probationary"]),
    ("left", _("已转出")),
]


def _choices(labels: dict, blank: Any = None) -> list[tuple[str, Any]]:
    rows = [(k.value, v) for k, v in labels.items()]
    return ([("", blank)] if blank is not None else []) + rows


def org_label(org: Any) -> str:
    """An organisation in a select: "锦苑小区党支部（党支部）"."""
    return f"{org.unit.name}（{ORG_LEVEL_LABELS[OrgLevel(org.level)]}）"


def place_label(unit: Any) -> str:
    """Where a unit sits: its area, then compound and building when it has them."""
    parts = [unit.area.name]
    if unit.compound_id:
        parts.append(unit.compound.name)
    if unit.building_id:
        parts.append(unit.building.name)
    return " · ".join(parts)


class OrgForm(forms.Form):
    level = forms.ChoiceField(label=_("层级"), choices=_choices(ORG_LEVEL_LABELS, _("请选择")))
    name = forms.CharField(label=_("名称"), max_length=100)
    parent = forms.ChoiceField(label=_("上级党组织"), required=False)
    area = forms.ChoiceField(label=_("所在辖区"))
    compound = forms.ChoiceField(label=_("所在小区（设在小区的党组织填写）"), required=False)
    building = forms.ChoiceField(label=_("所在楼栋（设在楼栋的党组织填写）"), required=False)
    joint = forms.BooleanField(label=_("联合党支部（正式党员不足 3 人的单位联合成立）"), required=False)
    joint_units = forms.CharField(
        label=_("联合单位"), required=False, max_length=300, help_text=_("联合党支部所联合的单位，用顿号分隔")
    )
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=IsoDateInput)

    def __init__(
        self,
        *args: Any,
        parents: list[Any],
        top_allowed: bool,
        areas: list[Any],
        compounds: list[Any],
        building_groups: list[tuple[str, list[Any]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.choices = ([("", _("无（上级党组织不在本系统中）"))] if top_allowed else [("", _("请选择"))]) + [
            (str(o.public_id), org_label(o)) for o in parents
        ]
        parent.required = not top_allowed
        self.fields["area"].choices = [("", _("请选择"))] + [(str(a.public_id), a.name) for a in areas]
        self.fields["compound"].choices = [("", _("不设在小区"))] + [(str(c.public_id), c.name) for c in compounds]
        self.fields["building"].choices = [("", _("不设在楼栋"))] + [
            (compound_name, [(str(b.public_id), b.name) for b in rows]) for compound_name, rows in building_groups
        ]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), required=False, max_length=20)
    status = forms.ChoiceField(label=_("党员类别"), choices=_choices(MEMBER_STATUS_LABELS, _("请选择")))
    joined_on = forms.DateField(label=_("入党日期"), widget=IsoDateInput)
    full_on = forms.DateField(label=_("转正日期（正式党员填写）"), required=False, widget=IsoDateInput)
    transferred_from = forms.CharField(
        label=_("转入前所在党组织（从系统外转入时填写）"), required=False, max_length=100
    )
    on = forms.DateField(
        label=_("编入本党组织的日期（默认：从外部转入的为今天，其他为入党日期）"), required=False, widget=IsoDateInput
    )


class MemberFilterForm(forms.Form):
    text = forms.CharField(label=_("完整姓名"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("类别"), required=False, choices=MEMBER_STATUS_FILTERS)


class MakeFullForm(forms.Form):
    full_on = forms.DateField(label=_("转正日期"), widget=IsoDateInput)


class TransferForm(forms.Form):
    to_org = forms.ChoiceField(label=_("转入本系统内的党组织"), required=False)
    outside_org = forms.CharField(label=_("或转出到系统外的党组织（填写名称）"), required=False, max_length=100)
    on = forms.DateField(label=_("转接日期"), widget=IsoDateInput)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].choices = [("", _("不选（转出到系统外）"))] + [
            (str(o.public_id), org_label(o)) for o in targets
        ]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("查看原因"), max_length=100, help_text=_("每次查看都记录审计，原因写明用途，例如“通知参加换届选举”")
    )


class PostForm(forms.Form):
    member = forms.ChoiceField(label=_("党员"))
    post = forms.ChoiceField(label=_("职务"))
    term_starts_on = forms.DateField(label=_("任期开始"), widget=IsoDateInput)
    term_ends_on = forms.DateField(label=_("任期届满"), widget=IsoDateInput)

    def __init__(self, *args: Any, members: list[Any], level: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("请选择"))] + [
            (str(m.public_id), f"{m.name_masked}（{MEMBER_STATUS_LABELS.get(m.status, '')}）") for m in members
        ]
        posts = [Post.GROUP_LEADER] if level == OrgLevel.GROUP else [p for p in Post if p is not Post.GROUP_LEADER]
        self.fields["post"].choices = [("", _("请选择"))] + [(p.value, POST_LABELS[p]) for p in posts]


class PostEndForm(forms.Form):
    on = forms.DateField(label=_("离任日期"), widget=IsoDateInput)


class MeetingFilterForm(forms.Form):
    org = forms.ChoiceField(label=_("党组织"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=_choices(MEETING_KIND_LABELS, _("全部")))

    def __init__(self, *args: Any, orgs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("全部"))] + [(str(o.public_id), org_label(o)) for o in orgs]


class MeetingForm(forms.Form):
    """A 三会一课 record. Besides the fixed fields: per member on the roll `present_<id>` (ticked = present) and
    `reason_<id>` (why absent); per decision row i (0–4) `d<i>_title`, `d<i>_for`, `d<i>_against`,
    `d<i>_abstain`. A row without a title and without votes is left out."""

    kind = forms.ChoiceField(label=_("类型"))
    held_on = forms.DateField(label=_("日期"), widget=IsoDateInput)
    topic = forms.CharField(label=_("主题"), max_length=200)
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    minutes = forms.CharField(
        label=_("记录"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    election = forms.BooleanField(label=_("本次党员大会进行选举（须超过五分之四的正式党员到会）"), required=False)

    def __init__(self, *args: Any, kinds: list[Any], roll: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择"))] + [(k.value, MEETING_KIND_LABELS[k]) for k in kinds]
        self.roll = roll
        for m in roll:
            self.fields[f"present_{m.public_id}"] = forms.BooleanField(label=m.name_masked, required=False)
            self.fields[f"reason_{m.public_id}"] = forms.CharField(
                label=_("缺席原因"),
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("缺席原因")}),
            )
        for i in range(DECISION_ROWS):
            self.fields[f"d{i}_title"] = forms.CharField(label=_("表决事项"), required=False, max_length=200)
            for part, label in (("for", _("赞成")), ("against", _("反对")), ("abstain", _("弃权"))):
                self.fields[f"d{i}_{part}"] = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=10000
                )

    def attendance_rows(self) -> list[dict[str, Any]]:
        """One row per member on the roll: the member and their two bound fields."""
        return [
            {"m": m, "present": self[f"present_{m.public_id}"], "reason": self[f"reason_{m.public_id}"]}
            for m in self.roll
        ]

    def decision_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": i + 1,
                "title": self[f"d{i}_title"],
                "votes": [self[f"d{i}_{part}"] for part in ("for", "against", "abstain")],
            }
            for i in range(DECISION_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(DECISION_ROWS):
            title = (data.get(f"d{i}_title") or "").strip()
            votes = [data.get(f"d{i}_{part}") for part in ("for", "against", "abstain")]
            if not title and any(v is not None for v in votes):
                self.add_error(f"d{i}_title", _("须填写表决事项"))
            elif title and votes[0] is None:
                self.add_error(f"d{i}_for", _("须填写赞成票数"))
        return data

    def present(self) -> list[Any]:
        return [m for m in self.roll if self.cleaned_data.get(f"present_{m.public_id}")]

    def absence_reasons(self) -> dict[str, str]:
        return {
            str(m.public_id): self.cleaned_data.get(f"reason_{m.public_id}", "")
            for m in self.roll
            if not self.cleaned_data.get(f"present_{m.public_id}") and self.cleaned_data.get(f"reason_{m.public_id}")
        }

    def decisions(self) -> list[tuple[int, str, int, int, int]]:
        """Filled rows as (row index, title, for, against, abstain)."""
        out = []
        for i in range(DECISION_ROWS):
            title = (self.cleaned_data.get(f"d{i}_title") or "").strip()
            if title:
                out.append(
                    (
                        i,
                        title,
                        self.cleaned_data.get(f"d{i}_for") or 0,
                        self.cleaned_data.get(f"d{i}_against") or 0,
                        self.cleaned_data.get(f"d{i}_abstain") or 0,
                    )
                )
        return out
