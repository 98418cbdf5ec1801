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
    # When a unit outside the territory tree (a department, the property company...) leads the work, it is the
    # holder_unit; `holder` then stays the area that dispatched it, which supervises and answers for it.
    holder_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("承办单位（部门/组织）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    # Asked on every intake channel: may the unit handling the case contact the reporter? Without it, staff who
    # see the case only through a case-level grant never learn who reported it (see cases.permissions).
    reporter_contact_consent = models.BooleanField(_("同意由承办单位联系"), default=False)
    reporter_contact_consent_at = models.DateTimeField(_("同意联系时间"), null=True, blank=True)
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
    suspended_at = models.DateTimeField(_("中止时间"), null=True, blank=True)
    # Malicious-report flag: proposed by staff with a reason, confirmed or dismissed by a reviewer; never automatic.
    malicious_status = models.CharField(_("恶意诉求标记"), max_length=12, blank=True)
    malicious_reason = models.TextField(_("恶意诉求理由"), blank=True)
    malicious_proposed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    malicious_reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_ref = models.CharField(_("外部工单编号"), max_length=40, blank=True)
    # The category suggested at intake (see cases.suggest): kept even when a person chose another category, so
    # the suggestions' accuracy can be measured against the category finally set.
    suggested_category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("建议分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggestion_confidence = models.FloatField(_("建议置信度"), null=True, blank=True)
    suggestion_source = models.CharField(_("建议来源"), max_length=8, blank=True)  # "model" | "rules" | ""
    needs_triage = models.BooleanField(_("待分拣"), default=False, db_index=True)

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
    # Staff review: a photo becomes public only after review; "kept private" is a review too.
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

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


class CaseAssignment(BaseModel):
    """A case-level grant: the lead unit or a helper unit (双派单) of a dispatch, territorial or not.

    Units outside the territory tree see exactly the cases they hold an active assignment for.
    """

    ROLE_LEAD = "lead"
    ROLE_HELPER = "helper"
    ROLE_CHOICES = [(ROLE_LEAD, _("主办")), (ROLE_HELPER, _("协办"))]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("分工"), max_length=8, choices=ROLE_CHOICES)
    area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    unit = models.ForeignKey("organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("派单分工")
        verbose_name_plural = _("派单分工")
        ordering = ["assigned_at", "id"]
        indexes = [models.Index(fields=["unit", "active"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(area__isnull=False, unit__isnull=True) | models.Q(area__isnull=True, unit__isnull=False)
                ),
                name="case_assignment_area_xor_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.role}"


class CaseRequest(BaseModel):
    """A request for an extension (延期) or a suspension (中止) that the level above approves or refuses."""

    KIND_EXTEND = "extend"
    KIND_SUSPEND = "suspend"
    KIND_CHOICES = [(KIND_EXTEND, _("延期")), (KIND_SUSPEND, _("中止"))]
    PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
    STATUS_CHOICES = [(PENDING, _("待审批")), (APPROVED, _("已批准")), (REFUSED, _("未批准"))]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("申请类型"), max_length=8, choices=KIND_CHOICES)
    days = models.PositiveSmallIntegerField(_("延期工作日数"), null=True, blank=True)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("审批状态"), max_length=8, choices=STATUS_CHOICES, default=PENDING)
    approver_area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    approver_path = models.CharField(max_length=255, db_index=True, editable=False)
    requested_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期/中止申请")
        verbose_name_plural = _("延期/中止申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="case_request_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}:{self.status}"


class RoutingDecision(models.Model):
    """A dispatcher's decision against the routing suggestion: the suggested and the actual lead, accepted or not.

    A target is an area of the territory tree or a unit outside it, so each side has an area and a unit column
    (one of them set). Recorded by `services.case_dispatch` and `case_transfer` when a suggestion existed.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="routing_decisions")
    event = models.CharField(max_length=16)  # dispatch | transfer
    category = models.ForeignKey("cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    suggested_level = models.CharField(max_length=16)
    suggested_area = models.ForeignKey(
        "territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suggested_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actual_area = models.ForeignKey("territory.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actual_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted = models.BooleanField()
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("派单建议采纳记录")
        verbose_name_plural = _("派单建议采纳记录")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}:{'accepted' if self.accepted else 'overridden'}"


def default_review_types() -> list[str]:
    return ["complaint"]


class CommunityCaseSettings(models.Model):
    """How one community handles cases; a community without a row uses the defaults.

    `review_answers_for`: the case types whose answer by a grid or micro-grid worker waits for the community's
    review (答复待审核) before the reporter sees it; by default complaints.
    """

    community = models.OneToOneField(
        "territory.Area", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="+"
    )
    review_answers_for = models.JSONField(_("答复须经社区审核的诉求类型"), default=default_review_types, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("社区诉求设置")
        verbose_name_plural = _("社区诉求设置")

    def __str__(self) -> str:
        return str(self.community_id)


class CommunityTopic(BaseModel):
    """A topic a resident picks when reporting (停车, 噪音 …), in plain words, mapped to a staff category.

    Residents see the featured topics first and search the others by name and synonyms (Chinese and English);
    the case gets the topic's category (see `cases.topics.category_for_topic`). Admins edit topics and synonyms.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("对应分类"), on_delete=models.PROTECT, related_name="+"
    )
    featured = models.BooleanField(_("常用"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("居民反映话题")
        verbose_name_plural = _("居民反映话题")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class TopicSynonym(models.Model):
    """Another word for a community topic (占用消防 for 消防通道, "fire lane"), matched case-insensitively."""

    topic = models.ForeignKey(
        "cases.CommunityTopic", verbose_name=_("话题"), on_delete=models.CASCADE, related_name="synonyms"
    )
    text = models.CharField(_("同义词"), max_length=40)

    class Meta:
        verbose_name = _("话题同义词")
        verbose_name_plural = _("话题同义词")
        ordering = ["topic", "text"]
        constraints = [models.UniqueConstraint(fields=["topic", "text"], name="topic_synonym_unique")]

    def __str__(self) -> str:
        return self.text
