"""Organisations: units outside the territory tree (departments, property companies, owners' committees...)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.models import BaseModel

PARTY_KINDS = frozenset({"party_committee", "party_general_branch", "party_branch", "party_group"})


class Unit(BaseModel):
    """A unit outside the territory tree: a department, a property company, an owners' committee, an organisation.

    Its staff hold the department-officer or organisation-staff role with `unit` set; they see exactly the cases
    dispatched to their unit (a case-level grant) and nothing else of the territory. A unit may sit in one
    compound or one building of its area; the most specific of them is its place (`place`).
    """

    KIND_CHOICES = [
        ("party_committee", _("党委")),
        ("party_general_branch", _("党总支")),
        ("party_branch", _("党支部")),
        ("party_group", _("党小组")),
        ("residents_committee", _("居民委员会")),
        ("department", _("职能部门")),
        ("property_company", _("物业服务企业")),
        ("owners_committee", _("业主委员会")),
        ("owners_assembly", _("业主大会")),
        ("residents_council", _("居民议事会")),
        ("courtyard_council", _("院落议事会")),
        ("supervisory_board", _("监事会")),
        ("social_org", _("社会组织")),
        ("social_enterprise", _("社区社会企业")),
        ("resident_unit", _("驻区单位")),
        ("other", _("其他单位")),
    ]

    kind = models.CharField(_("单位类型"), max_length=20, choices=KIND_CHOICES)
    name = models.CharField(_("单位名称"), max_length=100)
    area = models.ForeignKey(
        "territory.Area",
        verbose_name=_("所在辖区"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("单位所在或服务的辖区：区级部门填区，物业公司、业委会填社区"),
    )
    compound = models.ForeignKey(
        "territory.Compound",
        verbose_name=_("所在小区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只服务一个小区（院落）的单位填写，如该小区的物业公司、业委会；须位于所在辖区内"),
    )
    building = models.ForeignKey(
        "territory.Building",
        verbose_name=_("所在楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只服务一栋楼的单位填写；须属于所在小区"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unit_name_unique_in_area")]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> Any:
        """The most specific place of the unit: its building, else its compound, else its area."""
        return self.building or self.compound or self.area

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        area = self.area if self.area_id else None
        compound, building = self.compound, self.building
        if compound is not None and area is not None and not compound.community.path.startswith(area.path):
            errors["compound"] = _("所在小区必须位于所在辖区内")
        if building is not None:
            if compound is not None and building.compound_id != compound.pk:
                errors["building"] = _("所在楼栋必须属于所在小区")
            elif area is not None and not building.compound.community.path.startswith(area.path):
                errors["building"] = _("所在楼栋必须位于所在辖区内")
        if errors:
            raise ValidationError(errors)
