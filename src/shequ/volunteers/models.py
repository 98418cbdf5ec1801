"""Volunteers (志愿者) of a community, the activities any unit organises, sign-ups, confirmed service records, the
record's other items (training, commendations, complaints), corrections and the proofs issued.

A volunteer's name, mobile and ID number, and a guardian's name and mobile, are personal information: stored only
encrypted (see `encryption.py`) with a masked form for lists; the birth date is encrypted too (it is needed only to
know whether the volunteer is a minor on the day of a sign-up). A service record exists only once the organiser
confirmed its hours: every record counts and appears on proofs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

from .domain import (
    ACTIVITY_STATUS_LABELS,
    CORRECTION_STATUS_LABELS,
    ENTRY_KIND_LABELS,
    GENDER_LABELS,
    SIGNUP_STATUS_LABELS,
    ActivityStatus,
    CorrectionStatus,
    SignupStatus,
)

USER = "accounts.User"


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in labels.items()]


class Volunteer(BaseModel):
    """A volunteer registered in a community (linked to the resident's register entry when they have one)."""

    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    resident = models.OneToOneField(
        "registry.Resident",
        verbose_name=_("居民登记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    name_encrypted = models.TextField(editable=False)
    name_hash = models.CharField(max_length=64, db_index=True, editable=False)
    name_masked = models.CharField(_("姓名"), max_length=60, editable=False)
    mobile_encrypted = models.TextField(blank=True, editable=False)
    mobile_masked = models.CharField(_("手机号码"), max_length=20, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("证件号码"), max_length=40, blank=True, editable=False)
    birth_date_encrypted = models.TextField(blank=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=_choices(GENDER_LABELS), default="U")
    skills = models.CharField(_("服务技能"), max_length=200, blank=True)
    categories = models.CharField(_("服务类别"), max_length=200, blank=True)
    registered_on = models.DateField(_("注册日期"))
    active = models.BooleanField(_("在册"), default=True, db_index=True)
    registered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["community_id", "name_masked", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="volunteer_document_unique_in_community",
            )
        ]

    def __str__(self) -> str:
        return self.name_masked


class GuardianConsent(BaseModel):
    """A guardian's consent to a minor's volunteering (志愿服务条例第十五条), recorded by community staff."""

    volunteer = models.OneToOneField("volunteers.Volunteer", on_delete=models.CASCADE, related_name="consent")
    guardian_name_encrypted = models.TextField(editable=False)
    guardian_name_masked = models.CharField(_("监护人"), max_length=60, editable=False)
    relation = models.CharField(_("与志愿者关系"), max_length=20)
    guardian_mobile_encrypted = models.TextField(blank=True, editable=False)
    guardian_mobile_masked = models.CharField(_("监护人手机号码"), max_length=20, blank=True, editable=False)
    consented_on = models.DateField(_("同意日期"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("监护人同意")
        verbose_name_plural = _("监护人同意")


class Activity(BaseModel):
    """A volunteer activity organised by a unit (the residents' committee, a social organisation, a Party branch …)
    in a community."""

    organiser = models.ForeignKey(
        "organisations.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey("territory.Area", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动名称"), max_length=100)
    content = models.TextField(_("服务内容"), max_length=2000)
    place = models.CharField(_("服务地点"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    slots = models.PositiveIntegerField(_("招募人数"))
    status = models.CharField(
        _("状态"), max_length=16, choices=_choices(ACTIVITY_STATUS_LABELS), default=ActivityStatus.OPEN.value
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class Signup(BaseModel):
    """A volunteer's sign-up for an activity (one per volunteer and activity; withdrawing keeps the row)."""

    activity = models.ForeignKey("volunteers.Activity", on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(
        _("状态"), max_length=16, choices=_choices(SIGNUP_STATUS_LABELS), default=SignupStatus.SIGNED_UP.value
    )
    signed_up_at = models.DateTimeField(_("报名时间"))

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity_id", "signed_up_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="volunteer_signup_unique")]


class ServiceRecord(BaseModel):
    """One service, its hours confirmed by the organiser (志愿服务记录与证明出具办法: activity, organiser, date, place,
    content and the time served without travel)."""

    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="records")
    activity = models.ForeignKey(
        "volunteers.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    signup = models.OneToOneField(
        "volunteers.Signup", null=True, blank=True, on_delete=models.PROTECT, related_name="record"
    )
    organiser = models.ForeignKey(
        "organisations.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("活动名称"), max_length=100)
    served_on = models.DateField(_("服务日期"))
    place = models.CharField(_("服务地点"), max_length=100)
    content = models.CharField(_("服务内容"), max_length=500)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2)
    travel_hours = models.DecimalField(_("往返交通（小时，不计入）"), max_digits=5, decimal_places=2, default=0)
    confirmed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["volunteer", "served_on"])]


class Entry(BaseModel):
    """An item of the record besides services: a training, a commendation or a complaint, entered by staff."""

    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类别"), max_length=16, choices=_choices(ENTRY_KIND_LABELS))
    on = models.DateField(_("日期"))
    title = models.CharField(_("事项"), max_length=200)
    issuer = models.CharField(_("组织或作出单位"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("培训、表彰和投诉记录")
        verbose_name_plural = _("培训、表彰和投诉记录")
        ordering = ["-on", "-id"]


class Correction(BaseModel):
    """A volunteer's request to correct a service record, and the organiser's answer."""

    record = models.ForeignKey("volunteers.ServiceRecord", on_delete=models.PROTECT, related_name="corrections")
    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="corrections")
    text = models.CharField(_("更正请求"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=16, choices=_choices(CORRECTION_STATUS_LABELS), default=CorrectionStatus.PENDING.value
    )
    asked_at = models.DateTimeField(_("提出时间"))
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("记录更正")
        verbose_name_plural = _("记录更正")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["status", "asked_at"])]


class Proof(BaseModel):
    """A proof of volunteer service issued free of charge (办法第十二条), its content frozen in `snapshot` so the
    same PDF is rendered again from it."""

    volunteer = models.ForeignKey("volunteers.Volunteer", on_delete=models.PROTECT, related_name="proofs")
    number = models.CharField(_("证明编号"), max_length=60, unique=True)
    issued_at = models.DateTimeField(_("出具时间"))
    total_hours = models.DecimalField(_("累计服务时长（小时）"), max_digits=9, decimal_places=2)
    services = models.PositiveIntegerField(_("服务次数"))
    snapshot = models.JSONField(editable=False)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_at", "-id"]
