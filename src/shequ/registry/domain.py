"""Rules of the resident registry (DESIGN §3 People; R11 personal information).

- PIPL §28–29: identity numbers, health data and data of minors are sensitive personal information;
  here ID numbers, mobiles and health/minor-related care tags are encrypted at rest, searched only by
  keyed hash, masked by default and revealed only to roles allowed to, each reveal audited with a reason.
- PIPL §13: every collection has a legal basis, recorded per resident: a statutory duty (法定职责, e.g.
  residence registration) or the person's consent. PIPL §15, §47: consent can be withdrawn; the data that
  relied on it is then hidden at once and deleted after a short period.
- Masking (GB/T 35273-2020 §9.2 de-identification in display): an ID shows at most its first 4 and last
  4 characters, a mobile its first 3 and last 4 digits; a birth date is shown as an age to roles that may
  not reveal identity numbers.
- History: moves, deaths, household changes and ownership transfers carry an effective date, so the
  register can be read as it stood on any date (owners of record on a vote's date, Civil Code §278).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Gender(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


GENDER_LABELS = {Gender.MALE: _("男"), Gender.FEMALE: _("女"), Gender.UNKNOWN: _("未知")}


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证 (18 digits; old 15-digit numbers are converted)
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民居住证 (810000/820000 + GB 11643 checksum)
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民居住证 (830000 + GB 11643 checksum)
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    PASSPORT = "passport"  # 护照
    NONE = "none"  # 无证件 (children and others without a document)


ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: _("居民身份证"),
    IdType.HK_MACAO_PERMIT: _("港澳居民居住证"),
    IdType.TAIWAN_PERMIT: _("台湾居民居住证"),
    IdType.FOREIGN_PERMANENT: _("外国人永久居留身份证"),
    IdType.PASSPORT: _("护照"),
    IdType.NONE: _("无证件"),
}


class ResidenceType(StrEnum):
    REGISTERED = "registered"  # 户籍
    PERMANENT = "permanent"  # 常住 (non-registered, living here ≥ 6 months)
    FLOATING = "floating"  # 流动


RESIDENCE_TYPE_LABELS = {
    ResidenceType.REGISTERED: _("户籍"),
    ResidenceType.PERMANENT: _("常住"),
    ResidenceType.FLOATING: _("流动"),
}


class LegalBasis(StrEnum):
    STATUTORY = "statutory"  # 法定职责
    CONSENT = "consent"  # 本人同意


LEGAL_BASIS_LABELS = {LegalBasis.STATUTORY: _("法定职责"), LegalBasis.CONSENT: _("本人同意")}


class ResidentStatus(StrEnum):
    ACTIVE = "active"
    MOVED_OUT = "moved_out"
    DECEASED = "deceased"
    WITHDRAWN = "withdrawn"  # consent withdrawn: hidden, deletion scheduled
    ERASED = "erased"  # personal data deleted after withdrawal


STATUS_LABELS = {
    ResidentStatus.ACTIVE: _("在册"),
    ResidentStatus.MOVED_OUT: _("已迁出"),
    ResidentStatus.DECEASED: _("已故"),
    ResidentStatus.WITHDRAWN: _("已撤回同意（待删除）"),
    ResidentStatus.ERASED: _("已删除"),
}


@dataclass(frozen=True)
class CareTag:
    code: str
    label: str
    sensitive: bool  # health or minor-related: encrypted, masked, revealed only with a reason


CARE_TAGS: tuple[CareTag, ...] = (
    CareTag("elderly_alone", "独居老人", False),
    CareTag("empty_nest", "空巢老人", False),
    CareTag("oldest_old", "高龄老人", False),
    CareTag("disabled", "残疾人", True),
    CareTag("subsistence", "低保", True),
    CareTag("extreme_poverty", "特困", True),
    CareTag("child_in_distress", "困境儿童", True),
    CareTag("left_behind_child", "留守儿童", True),
    CareTag("serious_illness", "重病患者", True),
    CareTag("mental_disorder", "精神障碍", True),
    CareTag("entitled_group", "优抚对象", False),
    CareTag("veteran", "退役军人", False),
    CareTag("unemployed", "失业人员", False),
)
CARE_TAG_BY_CODE = {t.code: t for t in CARE_TAGS}
CARE_TAG_BY_LABEL = {t.label: t for t in CARE_TAGS}


class Relation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


RELATION_LABELS = {
    Relation.HEAD: _("户主"),
    Relation.SPOUSE: _("配偶"),
    Relation.CHILD: _("子女"),
    Relation.PARENT: _("父母"),
    Relation.GRANDCHILD: _("孙子女"),
    Relation.GRANDPARENT: _("祖父母"),
    Relation.SIBLING: _("兄弟姐妹"),
    Relation.OTHER: _("其他"),
}


def age_on(birth: date, today: date) -> int:
    """Whole years of age on `today`."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def mask_document(number: str) -> str:
    """At most the first 4 and last 4 characters, and never more than half: 5101**********1234, E1*****78."""
    if not number:
        return ""
    keep = min(4, (len(number) - 1) // 4)
    if keep == 0:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def mask_mobile(number: str) -> str:
    """The first 3 and last 4 digits of an 11-digit mobile: 138****5678; anything shorter fully masked."""
    if not number:
        return ""
    if len(number) < 11:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
