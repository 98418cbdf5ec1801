"""Forms of the deliberation pages. They only shape input; the services check every rule again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import IsoDateInput
from shequ.registry import selectors as registry_selectors

from .domain import BASIS_LABELS, CHOICE_LABELS, MAJORITY_BASE_LABELS, ROLE_LABELS, SOURCE_LABELS, STATUS_LABELS, Source

REGISTER_LIMIT = 500  # residents offered in a select
BODY_KIND_CHOICES = [
    ("residents_council", _("居民议事会")),
    ("courtyard_council", _("院落议事会")),
    ("supervisory_board", _("监事会")),
    ("owners_assembly", _("业主大会")),
    ("owners_committee", _("业主委员会")),
]


def _choices(labels: dict, blank: Any = None) -> list[tuple[str, Any]]:
    rows = [(k.value, v) for k, v in labels.items()]
    return ([("", blank)] if blank is not None else []) + rows


def resident_choices(actor: Any, community: Any) -> list[tuple[str, str]]:
    rows = registry_selectors.residents_for(actor).filter(community=community).order_by("name")[:REGISTER_LIMIT]
    return [("", str(_("请选择")))] + [(str(r.public_id), f"{r.name}（{r.id_number_masked or '—'}）") for r in rows]


class ProposalFilterForm(forms.Form):
    text = forms.CharField(label=_("关键词"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_choices(STATUS_LABELS, _("全部")))


class BodyForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    kind = forms.ChoiceField(label=_("类型"), choices=BODY_KIND_CHOICES)
    name = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]


class RulesForm(forms.Form):
    quorum_numerator = forms.IntegerField(label=_("法定人数：分子"), min_value=0, max_value=100)
    quorum_denominator = forms.IntegerField(label=_("法定人数：分母"), min_value=1, max_value=100)
    quorum_strict = forms.BooleanField(label=_("须超过该比例（“过半数”；不勾选为“以上”，含本数）"), required=False)
    majority_numerator = forms.IntegerField(label=_("表决通过：分子"), min_value=0, max_value=100)
    majority_denominator = forms.IntegerField(label=_("表决通过：分母"), min_value=1, max_value=100)
    majority_strict = forms.BooleanField(label=_("赞成须超过该比例（不勾选为“以上”，含本数）"), required=False)
    majority_base = forms.ChoiceField(label=_("表决基数"), choices=_choices(MAJORITY_BASE_LABELS))
    support_threshold = forms.IntegerField(label=_("议题附议门槛（人）"), min_value=1, max_value=100000)


class MemberForm(forms.Form):
    resident = forms.ChoiceField(label=_("居民（从居民信息中选择）"), required=False)
    name = forms.CharField(label=_("姓名（非本社区登记居民时填写）"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("职务"), choices=_choices(ROLE_LABELS))
    term_start = forms.DateField(label=_("任期开始"), widget=IsoDateInput)
    term_end = forms.DateField(label=_("任期届满"), required=False, widget=IsoDateInput)

    def __init__(self, *args: Any, actor: Any, community: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = resident_choices(actor, community)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_at = forms.DateTimeField(
        label=_("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    online = forms.BooleanField(label=_("线上会议"), required=False)


class AgendaForm(forms.Form):
    proposal = forms.ChoiceField(label=_("议题"), required=False)
    title = forms.CharField(label=_("其他议程（不关联议题时填写）"), required=False, max_length=100)

    def __init__(self, *args: Any, proposals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [("", _("请选择"))] + [(str(p.public_id), p.title) for p in proposals]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class ResolutionForm(forms.Form):
    """Title, text and one vote field per present member (`vote_<membership public id>`)."""

    agenda_item = forms.ChoiceField(label=_("议程"), required=False)
    title = forms.CharField(label=_("决议事项（不关联议程时填写）"), required=False, max_length=100)
    text = forms.CharField(label=_("决议内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, items: list[Any], present: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", _("不关联议程"))] + [(str(i.public_id), i.title) for i in items]
        self.vote_fields = []
        for member in present:
            name = f"vote_{member.public_id}"
            self.fields[name] = forms.ChoiceField(
                label=member.name, choices=_choices(CHOICE_LABELS), initial="yes", required=False
            )
            self.vote_fields.append(name)

    def votes(self) -> dict[str, str]:
        return {n.removeprefix("vote_"): self.cleaned_data[n] or "abstain" for n in self.vote_fields}


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=100)
    description = forms.CharField(label=_("议题内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)


class StaffProposalForm(ProposalForm):
    community = forms.ChoiceField(label=_("社区"))
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[(s.value, SOURCE_LABELS[s]) for s in (Source.PARTY, Source.MEMBER, Source.STAFF)],
    )

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]


class CommentForm(forms.Form):
    text = forms.CharField(label=_("我的意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000)


class ScheduleForm(forms.Form):
    meeting = forms.ChoiceField(label=_("会议"))

    def __init__(self, *args: Any, meetings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [(str(m.public_id), f"{m.held_at:%Y-%m-%d} {m.title}") for m in meetings]


class ProgressForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=IsoDateInput)
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class GroupForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    name = forms.CharField(label=_("小组名称"), max_length=50)
    buildings = forms.MultipleChoiceField(label=_("楼栋"), required=False)
    leader_name = forms.CharField(label=_("组长"), required=False, max_length=50)

    def __init__(self, *args: Any, communities: list[Any], buildings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]
        self.fields["buildings"].choices = [(str(b.public_id), f"{b.compound.name} {b.name}") for b in buildings]


class RequestForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    basis = forms.ChoiceField(label=_("提议主体"), choices=_choices(BASIS_LABELS))
    subject = forms.CharField(label=_("提议事项"), max_length=100)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]


class ResidentsMeetingForm(forms.Form):
    held_on = forms.DateField(label=_("会议日期"), widget=IsoDateInput)
    subject = forms.CharField(label=_("会议事项"), max_length=100)
    basis = forms.ChoiceField(label=_("参会方式"), choices=_choices(BASIS_LABELS))
    present = forms.IntegerField(label=_("实际出席"), min_value=0)
    yes = forms.IntegerField(label=_("赞成"), min_value=0)
