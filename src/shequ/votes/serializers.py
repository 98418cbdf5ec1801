"""API representations of owners' votes: the vote and its items, the live tally (exact shares as "p/q" strings,
with the engine's Chinese explanation), and the publication made at close; and the bodies the API accepts.

Plain serializers (not ModelSerializer) so that no model field reaches the API unless listed here. The frozen
electorate's owners and dwellings are never listed (the pages do not publish them either).
"""

import json
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shequ.core.api import StrictCharField

from .counting import ItemResult
from .domain import KIND_LABELS, ItemKind, fraction_text
from .rules import STATUS_LABELS, BallotStatus, Status

CHOICES_HELP = gettext_lazy(
    "各事项的表决意见：键为事项序号，值为 agree/oppose/abstain，选举事项为候选人姓名列表，未表决为 null"
)


class VoteShareSerializer(serializers.Serializer):
    area = serializers.CharField(help_text=gettext_lazy("按专有部分面积，最简分数 p/q"))
    owners = serializers.CharField(help_text=gettext_lazy("按业主人数，最简分数 p/q"))


class CandidateResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    owners = serializers.IntegerField()
    area = serializers.CharField(help_text=gettext_lazy("选其的业主专有部分面积（㎡）"))
    approval_owners = serializers.CharField(help_text="p/q")
    approval_area = serializers.CharField(help_text="p/q")
    qualified = serializers.BooleanField()
    elected = serializers.BooleanField()


class VoteTallySerializer(serializers.Serializer):
    """One item's live count. `participation` and `approval` are exact fractions in lowest terms ("2/3");
    `approval` is null for elections and consents, `participation` null for consents."""

    position = serializers.IntegerField()
    kind = serializers.CharField()
    valid = serializers.BooleanField(
        allow_null=True, help_text=gettext_lazy("参与表决是否达到三分之二（同意事项为 null）")
    )
    passed = serializers.BooleanField()
    verdict = serializers.CharField()
    participation = VoteShareSerializer(allow_null=True)
    approval = VoteShareSerializer(allow_null=True)
    candidates = CandidateResultSerializer(many=True)
    elected = serializers.ListField(child=serializers.CharField())
    tie = serializers.ListField(child=serializers.CharField())
    explanation = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("计票结果说明"))


def _share(area: Any, owners: Any) -> dict[str, str]:
    return {"area": fraction_text(area), "owners": fraction_text(owners)}


def tally_data(result: ItemResult) -> dict[str, Any]:
    """One item's count for the API (the engine counts; this only shapes it)."""
    row: dict[str, Any] = {
        "position": result.item.position,
        "kind": result.kind.value,
        "valid": None,
        "passed": False,
        "verdict": "",
        "participation": None,
        "approval": None,
        "candidates": [],
        "elected": [],
        "tie": [],
        "explanation": [str(s) for s in result.explanation],
    }
    if result.tally is not None:
        t = result.tally
        row.update(
            valid=t.valid,
            passed=t.passed,
            participation=_share(t.participation_area, t.participation_owners),
            approval=_share(t.approval_area, t.approval_owners),
            verdict=_("通过") if t.passed else (_("未通过") if t.valid else _("参与不足，表决无效")),
        )
    elif result.election is not None:
        e = result.election
        row.update(
            valid=e.valid,
            passed=bool(e.elected),
            participation=_share(e.participation_area, e.participation_owners),
            candidates=[
                {
                    "name": c.candidate,
                    "owners": c.owners,
                    "area": str(c.area),
                    "approval_owners": fraction_text(c.approval_owners),
                    "approval_area": fraction_text(c.approval_area),
                    "qualified": c.qualified,
                    "elected": c.elected,
                }
                for c in e.candidates
            ],
            elected=list(e.elected),
            tie=list(e.tie),
            verdict=_("当选：%(names)s") % {"names": "、".join(e.elected)} if e.elected else _("无人当选"),
        )
    elif result.consent is not None:
        c = result.consent
        row.update(passed=c.passed, verdict=_("已一致同意") if c.passed else _("未获一致同意"))
    return row


class VoteItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField(help_text="ordinary / special / election / consent")
    kind_label = serializers.SerializerMethodField()
    title = serializers.CharField()
    text = serializers.CharField()
    seats = serializers.IntegerField(allow_null=True)
    candidates = serializers.SerializerMethodField()

    def get_kind_label(self, obj: Any) -> str:
        return str(KIND_LABELS.get(obj.kind, obj.kind))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_candidates(self, obj: Any) -> list[str]:
        return [c.name for c in sorted(obj.candidates.all(), key=lambda c: c.position)]


class VoteCompoundSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class VoteSerializer(serializers.Serializer):
    """A vote as the list shows it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    title = serializers.CharField(read_only=True)
    compound = VoteCompoundSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text=" / ".join(s.value for s in Status))
    status_label = serializers.SerializerMethodField()
    closes_at = serializers.DateTimeField(read_only=True)
    opened_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    verifiable = serializers.BooleanField(read_only=True, help_text=gettext_lazy("发放回执码并在结束后公布"))

    def get_status_label(self, obj: Any) -> str:
        return str(STATUS_LABELS.get(obj.status, obj.status))


class BallotCountsSerializer(serializers.Serializer):
    counted = serializers.IntegerField()
    pending = serializers.IntegerField(help_text=gettext_lazy("待复核的纸质选票"))
    void = serializers.IntegerField()
    rejected = serializers.IntegerField()


class VoteDetailSerializer(VoteSerializer):
    """A vote with its items, the frozen electorate's totals, the ballots by status and the live tally."""

    description = serializers.CharField(read_only=True)
    electorate_on = serializers.DateField(read_only=True, allow_null=True)
    total_area = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    total_owners = serializers.IntegerField(read_only=True, allow_null=True)
    items = serializers.SerializerMethodField()
    ballots = serializers.SerializerMethodField()
    tally = serializers.SerializerMethodField(help_text=gettext_lazy("实时计票（草稿为空）"))
    published = serializers.SerializerMethodField(help_text=gettext_lazy("是否已公布结果（结束后）"))

    @extend_schema_field(VoteItemSerializer(many=True))
    def get_items(self, obj: Any) -> Any:
        return VoteItemSerializer(self.context["items"], many=True).data

    @extend_schema_field(BallotCountsSerializer)
    def get_ballots(self, obj: Any) -> dict[str, int]:
        return {s.value: self.context["counts"].get(s.value, 0) for s in BallotStatus}

    @extend_schema_field(VoteTallySerializer(many=True))
    def get_tally(self, obj: Any) -> list[dict[str, Any]]:
        return [tally_data(r) for r in self.context["tally"]]

    def get_published(self, obj: Any) -> bool:
        return self.context["published"]


class ReceiptSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("回执码"))
    area = serializers.CharField(help_text=gettext_lazy("专有部分面积（㎡）"))
    choices = serializers.DictField(help_text=CHOICES_HELP)


class PublishedItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    seats = serializers.IntegerField(allow_null=True)
    candidates = serializers.ListField(child=serializers.CharField())
    affected_owners = serializers.IntegerField()


class PublicationSerializer(serializers.Serializer):
    """What was published at close, as frozen then: totals, items, results ("p/q" shares), explanations and the
    receipt list (empty for a vote that is not verifiable), for anyone to recount."""

    published_at = serializers.DateTimeField()
    title = serializers.CharField()
    total_area = serializers.CharField()
    total_owners = serializers.IntegerField()
    items = PublishedItemSerializer(many=True)
    results = serializers.DictField(help_text=gettext_lazy("各事项的结果，键为事项序号"))
    explanations = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text=gettext_lazy("各事项的结果说明")
    )
    receipts = ReceiptSerializer(many=True)


class VoteFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text=gettext_lazy("标题或小区"))
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=[s.value for s in Status])


def _check_choices(value: Any) -> dict[int, Any]:
    if not isinstance(value, dict):
        raise serializers.ValidationError(_("须为以事项序号为键的对象"))
    out: dict[int, Any] = {}
    for key, answer in value.items():
        if not (isinstance(key, str) and key.isdigit() and len(key) < 4):
            raise serializers.ValidationError(_("选票中有不存在的表决事项"))
        ok = answer is None or isinstance(answer, str)
        ok = ok or (isinstance(answer, list) and all(isinstance(n, str) for n in answer))
        if not ok:
            raise serializers.ValidationError(_("表决意见须为文字、候选人姓名列表或 null"))
        out[int(key)] = answer
    return out


class PaperBallotSerializer(serializers.Serializer):
    """A signed paper ballot: the owner's dwelling as the vote names it, the answers, and the scan."""

    dwelling = serializers.CharField(max_length=100, help_text=gettext_lazy("房屋，如 1栋1单元1-301"))
    choices = serializers.CharField(
        max_length=10000, help_text=format_lazy("{}{}", gettext_lazy("JSON 对象文本。"), CHOICES_HELP)
    )
    scan = serializers.FileField(help_text=gettext_lazy("纸质选票扫描件（JPEG、PNG 或 PDF，不超过 10 MB）"))

    def validate_choices(self, value: str) -> dict[int, Any]:
        try:
            parsed = json.loads(value)
        except ValueError:
            raise serializers.ValidationError(_("须为 JSON 对象")) from None
        return _check_choices(parsed)


class BallotRefSerializer(serializers.Serializer):
    ballot = serializers.UUIDField(help_text=gettext_lazy("纸质选票 id"))


class PaperRejectSerializer(BallotRefSerializer):
    reason = StrictCharField(max_length=200, help_text=gettext_lazy("退回理由（不超过200字）"))


class BallotSerializer(serializers.Serializer):
    """A ballot as staff see it (the owner's dwelling; its answers on the pages)."""

    id = serializers.UUIDField(source="public_id")
    vote = serializers.UUIDField(source="vote.public_id")
    dwelling = serializers.CharField(source="owner.label")
    channel = serializers.CharField(help_text="online / proxy / paper")
    status = serializers.CharField(help_text=" / ".join(s.value for s in BallotStatus))
    cast_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField(help_text=gettext_lazy("退回理由（已退回的纸质选票）"))


class ItemCreateSerializer(serializers.Serializer):
    """One item of a new vote, as the page takes it: candidates and seats for an election, the affected dwellings
    (by label) for a consent."""

    kind = serializers.ChoiceField(
        choices=[k.value for k in ItemKind], help_text="ordinary / special / election / consent"
    )
    title = StrictCharField(max_length=200, help_text=gettext_lazy("事项（不超过200字）"))
    text = StrictCharField(required=False, allow_blank=True, max_length=4000, help_text=gettext_lazy("事项说明"))
    seats = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=50, help_text=gettext_lazy("应选人数（选举）")
    )
    candidates = serializers.ListField(
        child=StrictCharField(max_length=50),
        required=False,
        max_length=50,
        help_text=gettext_lazy("候选人姓名（选举）"),
    )
    affected = serializers.ListField(
        child=StrictCharField(max_length=100),
        required=False,
        max_length=3000,
        help_text=gettext_lazy("有利害关系的房屋（同意事项），如 1栋1单元1-301"),
    )


class VoteCreateSerializer(serializers.Serializer):
    """A new vote, saved as a draft (open it with …/open/): a compound of your community and up to 20 items."""

    compound = serializers.UUIDField(help_text=gettext_lazy("小区 id"))
    title = StrictCharField(max_length=100)
    description = StrictCharField(required=False, allow_blank=True, max_length=4000, default="")
    closes_at = serializers.DateTimeField(help_text=gettext_lazy("截止时间（须晚于现在）"))
    verifiable = serializers.BooleanField(
        required=False, default=True, help_text=gettext_lazy("发放回执码并在结束后公布")
    )
    items = ItemCreateSerializer(many=True, help_text=gettext_lazy("表决事项，按顺序编号"))


class ProxyCreateSerializer(serializers.Serializer):
    """An owner's written authorisation of a resident, as the page takes it: the owner's dwelling, the proxy's
    registered mobile, and the scan."""

    dwelling = serializers.CharField(max_length=100, help_text=gettext_lazy("委托人房屋，如 1栋1单元1-301"))
    mobile = serializers.CharField(max_length=20, help_text=gettext_lazy("代理人手机号码（须已在居民信息中登记）"))
    scan = serializers.FileField(help_text=gettext_lazy("书面委托书扫描件（JPEG、PNG 或 PDF，不超过 10 MB）"))


class ProxyResidentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class ProxySerializer(serializers.Serializer):
    """A registered proxy: the owner's dwellings and the resident who may cast their ballot."""

    id = serializers.UUIDField(source="public_id")
    vote = serializers.UUIDField(source="vote.public_id")
    dwelling = serializers.CharField(source="owner.label")
    proxy = ProxyResidentSerializer(help_text=gettext_lazy("代理人"))
    registered_at = serializers.DateTimeField(source="created_at")
