"""Resident registry: residents, households, residences and ownership, with effective dates.

Personal information (ID numbers, mobiles, birth dates, sensitive care tags, notes) is stored only encrypted
(`*_encrypted`, see core.crypto) with a keyed hash for exact lookup (`*_hash`) and a masked form for display
(`*_masked`; for a birth date, the decade `birth_decade`). Current state lives on Resident for fast lists;
Residence and Ownership rows carry the history.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import (
    DISCLOSURE_REASON_LABELS,
    EXPORT_STATUS_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    LEGAL_BASIS_LABELS,
    RELATION_LABELS,
    RESIDENCE_TYPE_LABELS,
    STATUS_LABELS,
    DisclosureKind,
    ExportStatus,
)

GENDER_CHOICES = [(k.value, v) for k, v in GENDER_LABELS.items()]
ID_TYPE_CHOICES = [(k.value, v) for k, v in ID_TYPE_LABELS.items()]
RESIDENCE_CHOICES = [(k.value, v) for k, v in RESIDENCE_TYPE_LABELS.items()]
BASIS_CHOICES = [(k.value, v) for k, v in LEGAL_BASIS_LABELS.items()]
STATUS_CHOICES = [(k.value, v) for k, v in STATUS_LABELS.items()]
RELATION_CHOICES = [(k.value, v) for k, v in RELATION_LABELS.items()]


class Household(BaseModel):
    """A household (户), numbered within its community."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("户号"), max_length=40)
    dwelling = models.ForeignKey(
        "territory.Dwelling", verbose_name=_("住址"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head = models.ForeignKey(
        "registry.Resident", verbose_name=_("户主"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["community_id", "number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="household_number_unique")]

    def __str__(self) -> str:
        return self.number


class Resident(BaseModel):
    """A person on the register of a community."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    pinyin_index = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=GENDER_CHOICES, default="U")
    birth_date_encrypted = models.TextField(blank=True, editable=False)
    # The decade only (1960 for 1960-1969), null when unknown or withheld (domain.clear_birth_decade).
    birth_decade = models.PositiveSmallIntegerField(_("出生年代"), null=True, blank=True, editable=False)
    id_type = models.CharField(_("证件类型"), max_length=24, choices=ID_TYPE_CHOICES, default="resident_id")
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=40, blank=True, editable=False)
    mobile_encrypted = models.TextField(blank=True, editable=False)
    mobile_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_masked = models.CharField(_("手机号码"), max_length=20, blank=True, editable=False)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation = models.CharField(_("与户主关系"), max_length=16, choices=RELATION_CHOICES, blank=True)
    dwelling = models.ForeignKey(
        "territory.Dwelling", verbose_name=_("住址"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residence_type = models.CharField(_("居住类型"), max_length=16, choices=RESIDENCE_CHOICES, default="permanent")
    plain_tags = models.CharField(_("关怀标签"), max_length=200, blank=True)  # non-sensitive tag codes, comma-joined
    sensitive_tags_encrypted = models.TextField(blank=True, editable=False)
    has_sensitive_tags = models.BooleanField(default=False, editable=False)
    notes_encrypted = models.TextField(blank=True, editable=False)
    legal_basis = models.CharField(_("采集依据"), max_length=16, choices=BASIS_CHOICES, default="statutory")
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField(_("撤回同意时间"), null=True, blank=True)
    erase_due_at = models.DateTimeField(_("计划删除时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default="active", db_index=True)
    moved_in_on = models.DateField(_("迁入日期"), null=True, blank=True)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["name", "id"]
        constraints = [
            # One person, one register entry city-wide: the "registered elsewhere" rule rests on this.
            models.UniqueConstraint(
                fields=["id_type", "id_number_hash"], condition=~Q(id_number_hash=""), name="resident_document_unique"
            )
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """Keyed hash of one care tag of a resident, so lists can filter by tag without decrypting."""

    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="tag_hashes")
    tag_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "tag_hash"], name="resident_tag_unique")]

    def __str__(self) -> str:
        return self.tag_hash[:8]


class Residence(BaseModel):
    """A stay of a resident: where, in which household, from `valid_from` until `valid_to` (exclusive)."""

    resident = models.ForeignKey("registry.Resident", on_delete=models.CASCADE, related_name="residences")
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    dwelling = models.ForeignKey(
        "territory.Dwelling", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    relation = models.CharField(max_length=16, choices=RELATION_CHOICES, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        ordering = ["resident_id", "valid_from"]
        indexes = [models.Index(fields=["community", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.valid_from}–{self.valid_to or ''}"


class Ownership(BaseModel):
    """Ownership of a dwelling by a person or an organisation (a developer holding unsold units), dated."""

    dwelling = models.ForeignKey("territory.Dwelling", on_delete=models.PROTECT, related_name="+")
    owner_kind = models.CharField(
        _("产权人类型"),
        max_length=16,
        choices=[("person", _("个人")), ("developer", _("开发建设单位")), ("organisation", _("单位"))],
        default="person",
    )
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships"
    )
    organisation_name = models.CharField(_("单位名称"), max_length=100, blank=True)
    organisation_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    share = models.DecimalField(_("份额"), max_digits=5, decimal_places=4, default=1)
    registered_area = models.DecimalField(_("登记面积（㎡）"), max_digits=9, decimal_places=2)
    valid_from = models.DateField(_("登记日期"))
    valid_to = models.DateField(_("转移日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("房屋产权")
        verbose_name_plural = _("房屋产权")
        ordering = ["dwelling_id", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="ownership_share_range"),
            models.CheckConstraint(
                condition=(Q(owner_kind="person") & Q(resident__isnull=False))
                | (~Q(owner_kind="person") & ~Q(organisation_name="")),
                name="ownership_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["dwelling", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return self.organisation_name or str(self.resident_id)


class ResidentEvent(BaseModel):
    """A dated change in the register (move in/out, death, household change, ownership transfer)."""

    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=32)
    effective_date = models.DateField(_("生效日期"))
    details = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("登记变动")
        verbose_name_plural = _("登记变动")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.effective_date}"


class ImportBatch(BaseModel):
    """An uploaded spreadsheet of residents: validated in the background, applied only when confirmed."""

    STATUS_CHOICES = [
        ("uploaded", _("已上传")),
        ("validating", _("校验中")),
        ("validated", _("待确认")),
        ("applying", _("导入中")),
        ("applied", _("已导入")),
        ("failed", _("失败")),
        ("cancelled", _("已取消")),
    ]
    MODE_CHOICES = [("all_or_nothing", _("全部有效才导入")), ("valid_only", _("只导入有效行"))]

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=8)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default="uploaded", db_index=True)
    mode = models.CharField(_("导入方式"), max_length=16, choices=MODE_CHOICES, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    invalid_rows = models.PositiveIntegerField(default=0)
    update_rows = models.PositiveIntegerField(default=0)
    elsewhere_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Crash recovery (imports.py, import_recovery.py): the worker refreshes heartbeat_at while validating or
    # applying; `attempt` is the fencing token of the worker that may write, raised by every claim and every
    # recovery, so a superseded worker stops without writing.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0, editable=False)
    recoveries = models.PositiveSmallIntegerField(_("自动恢复次数"), default=0)
    recovered_at = models.DateTimeField(_("最近自动恢复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ImportRow(models.Model):
    """One staged row: its validated values (encrypted), its problems (masked) and what applying will do."""

    OUTCOME_CHOICES = [
        ("create", _("新增")),
        ("update", _("更新")),
        ("invalid", _("有误")),
        ("elsewhere", _("已在其他社区登记")),
        ("duplicate_in_file", _("文件内重复")),
    ]
    batch = models.ForeignKey("registry.ImportBatch", on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, db_index=True)
    errors = models.JSONField(default=list, blank=True)
    payload_encrypted = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True)
    target = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["batch_id", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="import_row_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class DisclosureCount(models.Model):
    """How many disclosures (values revealed, birthday lists shown, full exports requested) a user made on a day.

    One row per (user, day, kind), raised with an F() increment under a row lock, so concurrent requests cannot
    both pass the daily limit (registry.disclosures).
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in DisclosureKind])
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day", "kind"], name="disclosure_count_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.day}:{self.kind}={self.count}"


class FullExportRequest(BaseModel):
    """A request to export residents with ID numbers, mobiles and birth dates in clear (issue 11).

    Holds the list filters and the requester's reveal scope at request time, never a personal value: the file is
    generated at its one download after another person's approval, and is not stored.
    """

    requester = models.ForeignKey("accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    scope_paths = models.JSONField(default=list, editable=False)
    reason_code = models.CharField(
        _("导出理由"), max_length=20, choices=[(k.value, v) for k, v in DISCLOSURE_REASON_LABELS.items()]
    )
    reason_detail = models.CharField(_("理由说明"), max_length=200)
    row_count = models.PositiveIntegerField(_("申请时条数"), default=0)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=[(k.value, v) for k, v in EXPORT_STATUS_LABELS.items()],
        default=ExportStatus.REQUESTED,
        db_index=True,
    )
    approver = models.ForeignKey(
        "accounts.User", verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    download_due_at = models.DateTimeField(_("下载截止时间"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("下载时间"), null=True, blank=True)
    downloaded_rows = models.PositiveIntegerField(_("下载条数"), null=True, blank=True)

    class Meta:
        verbose_name = _("完整信息导出申请")
        verbose_name_plural = _("完整信息导出申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.public_id)


class ValueAlias(BaseModel):
    """Another spelling of an enumerated import column's value (残疾 for 残疾人, 男性 for 男), edited by admins.

    `value` is one of columns.canonical_values(column); the import reads a cell equal to `alias` (ignoring
    spaces, width and case) as that value.
    """

    COLUMN_CHOICES = [
        ("gender", _("性别")),
        ("id_type", _("证件类型")),
        ("relation", _("与户主关系")),
        ("residence_type", _("居住类型")),
        ("legal_basis", _("采集依据")),
        ("care_tags", _("关怀标签")),
    ]
    column = models.CharField(_("列"), max_length=20, choices=COLUMN_CHOICES)
    alias = models.CharField(_("其他写法"), max_length=50)
    value = models.CharField(_("对应的值"), max_length=50)

    class Meta:
        verbose_name = _("导入值的其他写法")
        verbose_name_plural = _("导入值的其他写法")
        ordering = ["column", "alias"]
        constraints = [models.UniqueConstraint(fields=["column", "alias"], name="value_alias_unique")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.value}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .columns import canonical_values

        self.alias = (self.alias or "").strip()
        self.value = (self.value or "").strip()
        if self.column and self.value not in canonical_values(self.column):
            raise ValidationError(
                {
                    "value": _("应填写该列的标准值之一：%(values)s")
                    % {"values": "、".join(canonical_values(self.column))}
                }
            )
