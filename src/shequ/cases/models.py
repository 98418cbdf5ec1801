"""Cases (诉求/事件/矛盾纠纷): one kind of record for every channel, with its full transition history."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel


class Category(BaseModel):
    """A node of the three-level category tree; `code` is stable (Open311 service_code)."""

    code = models.CharField(_("编码"), max_length=20, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(_("层级"))
    name = models.CharField(_("名称"), max_length=60)
    default_type = models.CharField(_("默认类型"), max_length=16)
    handling_level = models.CharField(_("承办层级"), max_length=16)
    resolve_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Case(BaseModel):
    """A resident's or grid worker's report, and everything that happened to it."""

    tracking_number = models.CharField(_("受理编号"), max_length=20, unique=True)
    case_type = models.CharField(_("类型"), max_length=16)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("分类"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=16)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=16, default="submitted", db_index=True)
    # Where: the place decides the responsibility ladder (micro-grid → grid → community → street → district).
    community = models.ForeignKey(
        "territory.Area", verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="+"
    )
    micro_grid = models.ForeignKey(
        "territory.Area",
        verbose_name=_("所属微网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    compound = models.ForeignKey(
        "territory.Compound", verbose_name=_("小区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "territory.Building", verbose_name=_("楼栋"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location_path = models.CharField(max_length=255, db_index=True, editable=False)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地点描述"), max_length=200, blank=True)
    # Who: the first receiver stays accountable for the reply; the holder is handling it now.
    first_receiver = models.ForeignKey(
        "territory.Area", verbose_name=_("首接单位"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        "territory.Area", verbose_name=_("当前承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    holder_path = models.CharField(max_length=255, db_index=True, editable=False)
    reporter = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_name = models.CharField(_("报告人姓名"), max_length=50, blank=True)
    reporter_mobile_encrypted = models.TextField(blank=True, editable=False)
    reporter_mobile_masked = models.CharField(_("报告人电话"), max_length=20, blank=True, editable=False)
    anonymous = models.BooleanField(_("匿名"), default=False)
    # When: stage deadlines on the official working-day calendar; `escalate_after` drives the sweep.
    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    accept_by = models.DateTimeField(_("受理时限"))
    dispatch_by = models.DateTimeField(_("派单时限"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结时限"), null=True, blank=True)
    escalate_after = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    supervised = models.BooleanField(_("督办"), default=False)
    escalation_count = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    reply = models.TextField(_("答复意见"), blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=16, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_ref = models.CharField(_("外部工单编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "escalate_after"])]
        constraints = [
            # A 12345 order (or any external order) is imported once: re-importing a file never duplicates.
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="case_external_ref_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"


class CaseTransition(models.Model):
    """One recorded step: who did what, when, from which status and holder to which, with a note."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="transitions")
    event = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    from_holder = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_holder = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event} {self.at}"


class CasePhoto(BaseModel):
    """A photo of a case (reported, before or after work), re-encoded without EXIF; public only after review."""

    KIND_REPORT = "report"
    KIND_BEFORE = "before"
    KIND_AFTER = "after"
    KIND_CHOICES = [(KIND_REPORT, _("反映照片")), (KIND_BEFORE, _("处置前")), (KIND_AFTER, _("处置后"))]

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="case-photos/%Y/%m/")
    kind = models.CharField(_("类别"), max_length=10, choices=KIND_CHOICES, default=KIND_REPORT)
    public = models.BooleanField(_("已审核公开"), default=False)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.image.name


class CaseSupport(models.Model):
    """A resident's "me too" (附议) on a public case of their compound; one per resident and case."""

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("居民"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("附议时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("居民附议")
        verbose_name_plural = _("居民附议")
        constraints = [models.UniqueConstraint(fields=["case", "resident"], name="case_support_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.resident_id}"
