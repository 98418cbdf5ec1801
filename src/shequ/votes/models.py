"""Owners' votes: the vote and its items, the electorate frozen when the vote opens, ballots with their choices,
receipts, proxies, scans, and the publication made at close.

Nothing here is ever deleted: every foreign key into a vote is PROTECT, and no service deletes a row (an owner's
challenge, 民法典 第二百八十条, runs from when they knew of the decision). One live ballot per owner is a database
constraint (vote, owner key) over counted and pending ballots.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import KIND_LABELS
from .rules import BALLOT_STATUS_LABELS, CHANNEL_LABELS, STATUS_LABELS, BallotStatus, Status


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(k.value, v) for k, v in labels.items()]


class Vote(BaseModel):
    """A joint decision of the owners of one compound (业主共同决定)."""

    compound = models.ForeignKey(
        "territory.Compound", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=_choices(STATUS_LABELS), default=Status.DRAFT, db_index=True
    )
    closes_at = models.DateTimeField(_("截止时间"))
    opened_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    verifiable = models.BooleanField(_("可核验（发放回执码并公布）"), default=True)
    electorate_on = models.DateField(_("业主名册日期"), null=True, blank=True)
    total_area = models.DecimalField(_("专有部分总面积（㎡）"), max_digits=14, decimal_places=2, null=True, blank=True)
    total_owners = models.PositiveIntegerField(_("业主总人数"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class VoteItem(BaseModel):
    """One matter put to the owners, counted by its kind's rule."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("事项类别"), max_length=10, choices=_choices(KIND_LABELS))
    title = models.CharField(_("事项"), max_length=200)
    text = models.TextField(_("事项说明"), blank=True)
    seats = models.PositiveSmallIntegerField(_("应选人数"), null=True, blank=True)
    # Consent (§279): the affected dwellings, chosen when drafting; their owner keys are fixed when the vote opens.
    affected_dwellings = models.ManyToManyField("territory.Dwelling", blank=True, related_name="+")
    affected_owner_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["vote_id", "position"]
        constraints = [models.UniqueConstraint(fields=["vote", "position"], name="vote_item_position_unique")]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    """A candidate for the owners' committee on an election item."""

    item = models.ForeignKey("votes.VoteItem", on_delete=models.PROTECT, related_name="candidates")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("候选人"), max_length=50)

    class Meta:
        ordering = ["item_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "position"], name="candidate_position_unique"),
            models.UniqueConstraint(fields=["item", "name"], name="candidate_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ElectorateOwner(BaseModel):
    """One owner of the frozen electorate (one headcount, ``domain.owner_key``); its row is the ballot's lock."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="owners")
    owner_key = models.CharField(max_length=400)
    area = models.DecimalField(_("专有部分面积（㎡）"), max_digits=12, decimal_places=2)
    label = models.CharField(_("房屋"), max_length=200)  # its dwellings, for staff (never published)

    class Meta:
        ordering = ["vote_id", "label"]
        constraints = [models.UniqueConstraint(fields=["vote", "owner_key"], name="electorate_owner_unique")]

    def __str__(self) -> str:
        return self.label


class ElectorateDwelling(models.Model):
    """A dwelling of the frozen electorate: its area and the owner it counts for."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey("votes.ElectorateOwner", on_delete=models.PROTECT, related_name="dwellings")
    dwelling = models.ForeignKey("territory.Dwelling", on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(max_digits=9, decimal_places=2)
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["vote_id", "label"]
        constraints = [models.UniqueConstraint(fields=["vote", "dwelling"], name="electorate_dwelling_unique")]

    def __str__(self) -> str:
        return self.label


class ElectorateMember(models.Model):
    """A registered resident who is (co-)owner behind an owner key and so may cast its ballot online."""

    owner = models.ForeignKey("votes.ElectorateOwner", on_delete=models.PROTECT, related_name="members")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "resident"], name="electorate_member_unique")]

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.resident_id}"


class Scan(BaseModel):
    """A scanned paper ballot or written authorisation, sealed on disk with the keyring (``scans.py``)."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="+")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("扫描件")
        verbose_name_plural = _("扫描件")

    def __str__(self) -> str:
        return str(self.public_id)


class ProxyAuthorisation(BaseModel):
    """An owner's written authorisation of one resident to cast their ballot (one proxy per owner)."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="+")
    owner = models.OneToOneField("votes.ElectorateOwner", on_delete=models.PROTECT, related_name="proxy")
    proxy = models.ForeignKey("registry.Resident", verbose_name=_("代理人"), on_delete=models.PROTECT, related_name="+")
    scan = models.ForeignKey("votes.Scan", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("委托投票")
        verbose_name_plural = _("委托投票")

    def __str__(self) -> str:
        return f"{self.owner_id}→{self.proxy_id}"


class Ballot(BaseModel):
    """One owner's ballot. Changing it voids this row (and its receipt) and creates a new one."""

    vote = models.ForeignKey("votes.Vote", on_delete=models.PROTECT, related_name="ballots")
    owner = models.ForeignKey("votes.ElectorateOwner", on_delete=models.PROTECT, related_name="ballots")
    owner_key = models.CharField(max_length=400)
    channel = models.CharField(_("投票方式"), max_length=8, choices=_choices(CHANNEL_LABELS))
    status = models.CharField(_("状态"), max_length=10, choices=_choices(BALLOT_STATUS_LABELS), db_index=True)
    receipt_code = models.CharField(_("回执码"), max_length=16, blank=True)
    cast_at = models.DateTimeField(_("投票时间"))
    cast_by = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    reject_reason = models.CharField(_("退回理由"), max_length=200, blank=True)
    scan = models.ForeignKey("votes.Scan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proxy = models.ForeignKey(
        "votes.ProxyAuthorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["vote_id", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "owner_key"],
                condition=Q(status__in=[BallotStatus.COUNTED, BallotStatus.PENDING]),
                name="ballot_one_live_per_owner",
            ),
            models.UniqueConstraint(
                fields=["receipt_code"], condition=~Q(receipt_code=""), name="ballot_receipt_unique"
            ),
        ]
        indexes = [models.Index(fields=["vote", "status"])]

    def __str__(self) -> str:
        return self.receipt_code or str(self.public_id)


class BallotChoice(models.Model):
    """One answer of a ballot: a choice on an item, or (elections) one chosen candidate per row."""

    ballot = models.ForeignKey("votes.Ballot", on_delete=models.PROTECT, related_name="choices")
    item = models.ForeignKey("votes.VoteItem", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, blank=True)
    candidate = models.ForeignKey("votes.Candidate", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "item"], condition=Q(candidate__isnull=True), name="ballot_choice_one_per_item"
            ),
            models.UniqueConstraint(
                fields=["ballot", "item", "candidate"],
                condition=Q(candidate__isnull=False),
                name="ballot_choice_candidate_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.item_id}"


class Publication(models.Model):
    """What was published at close: the frozen results and, for a verifiable vote, the receipt list."""

    vote = models.OneToOneField("votes.Vote", on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField(_("公布时间"))
    data = models.JSONField()  # rules.recount() input plus "results" and "explanations"

    class Meta:
        verbose_name = _("表决结果公布")
        verbose_name_plural = _("表决结果公布")

    def __str__(self) -> str:
        return str(self.vote_id)
