"""Forms of owners' votes: the new vote with its items, the ballot (staff paper entry and the owner's portal
ballot share it), the proxy, the rejection of a paper ballot. The services validate again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .domain import CHOICE_LABELS, KIND_LABELS, Choice, ItemKind
from .rules import CONSENT_LABELS, ItemSpec

ITEM_ROWS = 5


class LocalDateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker given its value as YYYY-MM-DDTHH:MM (the only form it shows)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class VoteForm(forms.Form):
    compound: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("小区"), queryset=None, empty_label=_("请选择小区")
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = forms.DateTimeField(
        label=_("截止时间"), widget=LocalDateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    verifiable = forms.BooleanField(
        label=_("可核验：为每张选票发放回执码，结束后公布回执码清单（记名表决可取消）"), required=False, initial=True
    )

    def __init__(self, *args: Any, compounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("事项类别"),
        required=False,
        choices=[("", _("（不使用）")), *[(k.value, v) for k, v in KIND_LABELS.items()]],
    )
    title = forms.CharField(label=_("事项"), max_length=200, required=False)
    text = forms.CharField(label=_("事项说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    seats = forms.IntegerField(label=_("应选人数（选举）"), required=False, min_value=1, max_value=50)
    candidates = forms.CharField(
        label=_("候选人（选举，每行一人）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    affected = forms.CharField(
        label=_("有利害关系的房屋（改为经营性用房，每行一个，如 1栋1单元1-301）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get(name) or "").splitlines() if line.strip()]


def item_forms(data: Any = None) -> list[ItemForm]:
    return [ItemForm(data, prefix=f"item{n}") for n in range(1, ITEM_ROWS + 1)]


def _field_name(position: int) -> str:
    return f"item_{position}"


class BallotForm(forms.Form):
    """One field per item: 同意/反对/弃权 (or nothing), up to N candidates, 同意/不同意 for an affected owner."""

    def __init__(self, *args: Any, specs: list[ItemSpec], titles: dict[int, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            label = f"{spec.position}. {spec.title}"
            if spec.kind == ItemKind.ELECTION:
                self.fields[_field_name(spec.position)] = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(c, c) for c in spec.candidates],
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("最多选 %(n)s 人；不选表示不参与此项") % {"n": spec.seats},
                )
            elif spec.kind == ItemKind.CONSENT:
                if not spec.affected:
                    continue
                self.fields[_field_name(spec.position)] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[(k.value, v) for k, v in CONSENT_LABELS.items()],
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[_field_name(spec.position)] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[(c.value, CHOICE_LABELS[c]) for c in Choice],
                    widget=forms.RadioSelect,
                    help_text=_("不选表示不参与此项"),
                )

    def choices(self) -> dict[int, Any]:
        """The answers as the services take them: position → value, candidate list, or None."""
        out: dict[int, Any] = {}
        for spec in self.specs:
            name = _field_name(spec.position)
            if name in self.cleaned_data:
                out[spec.position] = self.cleaned_data[name] or None
        return out


def initial_of(answers: dict[int, Any]) -> dict[str, Any]:
    return {_field_name(position): value for position, value in answers.items()}


class PaperForm(forms.Form):
    dwelling = forms.CharField(
        label=_("房屋（如 1栋1单元1-301）"), max_length=100, widget=forms.TextInput(attrs={"list": "dwellings"})
    )
    scan = forms.FileField(label=_("纸质选票扫描件（JPEG、PNG 或 PDF）"), required=False)


class ProxyForm(forms.Form):
    dwelling = forms.CharField(
        label=_("委托人房屋（如 1栋1单元1-301）"), max_length=100, widget=forms.TextInput(attrs={"list": "dwellings"})
    )
    mobile = forms.CharField(label=_("代理人手机号码（须已在居民信息中登记）"), max_length=20)
    scan = forms.FileField(label=_("书面委托书扫描件（JPEG、PNG 或 PDF）"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=200)


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("回执码"), max_length=20)
