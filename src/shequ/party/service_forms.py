"""Forms of the workbench pages of 在职党员双报到 and 党员中心户. They only shape input; the services check every rule
again. Choices hold public ids, turned back into objects through the scoped selectors by the views."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.widgets import IsoDateInput

from .domain import NEED_KIND_LABELS, NEED_STATUS_LABELS, REGISTRATION_STATUS_LABELS

REGISTRATION_STATUS_FILTERS = [(k.value, v) for k, v in REGISTRATION_STATUS_LABELS.items()]
NEED_STATUS_FILTERS = [("", _("全部")), *((k.value, v) for k, v in NEED_STATUS_LABELS.items())]
NEED_KIND_CHOICES = [(k.value, v) for k, v in NEED_KIND_LABELS.items()]


class RegistrationFilterForm(forms.Form):
    text = forms.CharField(label=_("完整姓名或工作单位"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=REGISTRATION_STATUS_FILTERS)


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=NEED_STATUS_FILTERS)


class NeedForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    title = forms.CharField(label=_("需求"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=NEED_KIND_CHOICES)
    wanted = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=200)
    open_from = forms.DateField(label=_("开始认领"), widget=IsoDateInput)
    open_until = forms.DateField(label=_("认领截止"), required=False, widget=IsoDateInput)
    place = forms.CharField(label=_("地点"), required=False, max_length=100)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, communities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(c.public_id), c.name) for c in communities]
        if len(communities) == 1:
            self.fields["community"].initial = str(communities[0].public_id)


class EntryForm(forms.Form):
    """A service recorded by staff for a member (confirmed as it is recorded)."""

    claim = forms.ChoiceField(label=_("认领的需求"), required=False)
    served_on = forms.DateField(label=_("服务日期"), widget=IsoDateInput)
    hours = forms.CharField(
        label=_("服务时长（小时）"),
        max_length=8,
        help_text=_("实际服务时间，不含往返交通；不超过 24 小时，最多两位小数"),
    )
    content = forms.CharField(label=_("服务内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, claims: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].choices = [("", _("（不对应认领的需求）"))] + [
            (str(c.public_id), c.need.title) for c in claims
        ]


class ClaimForMemberForm(forms.Form):
    member = forms.ChoiceField(label=_("代在职党员认领"))

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.public_id), f"{m.name_masked}（{m.employer}）") for m in members]


class EndForm(forms.Form):
    on = forms.DateField(label=_("结束日期"), widget=IsoDateInput)


# --- hubs --------------------------------------------------------------------------------------------------------


class HubForm(forms.Form):
    area = forms.ChoiceField(label=_("微网格"))
    host = forms.ChoiceField(label=_("中心户户主（党员）"))
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("例如“周华党员中心户”"))
    since = forms.DateField(label=_("设立日期"), widget=IsoDateInput)

    def __init__(self, *args: Any, areas: list[Any], members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.public_id), a.name) for a in areas]
        self.fields["host"].choices = [(str(m.public_id), f"{m.name_masked}（{m.org.unit.name}）") for m in members]


class HubLinkForm(forms.Form):
    member = forms.ChoiceField(label=_("联系党员"))

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.public_id), f"{m.name_masked}（{m.org.unit.name}）") for m in members]


class HubHouseholdForm(forms.Form):
    link = forms.ChoiceField(label=_("联系党员"))
    household = forms.ChoiceField(label=_("群众户（户号）"))

    def __init__(self, *args: Any, links: list[Any], households: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [(str(lk.public_id), lk.member.name_masked) for lk in links]
        self.fields["household"].choices = [(str(h.public_id), h.number) for h in households]
