"""Rules of the resident registry (DESIGN §3 People; R11 personal information).

- PIPL §28–29: identity numbers, health data and data of minors are sensitive personal information;
  here ID numbers, mobiles and health/minor-related care tags are encrypted at rest, searched only by
  keyed hash, masked by default and revealed only to roles allowed to, each reveal audited with a reason.
- PIPL §13: every collection has a legal basis, recorded per resident: a statutory duty (法定职责, e.g.
  residence registration) or the person's consent. PIPL §15, §47: consent can be withdrawn; the data that
  relied on it is then hidden at once and deleted after a short period.
- Masking (GB/T 35273-2020 §9.2 de-identification in display): an ID shows at most its first 4 and last
  4 characters, a mobile its first 3 and last 4 digits.
- Birth dates (issue 10; GB/T 35273-2020 §9.2, GB/T 37964-2019 re-identification risk): the birth date is
  stored only encrypted; in clear there is at most the birth decade ("1960年代"), which never changes, unlike
  an age. With the first 4 and last 4 characters of an ID known (old audit rows keep them for good), the 6
  unknown area digits and 8 birth digits must still leave at least MIN_CANDIDATES ID numbers: about 20 county
  codes × the days the birth may fall on ÷ 11 (the check character). A decade leaves ~6,600; an age printed
  on a known date (~365 days) or a birthday would leave far fewer, so exact ages, birthdays, age filters and
  the elderly birthday list are reveals (audited, roles that may reveal identity only). Every dated fact in
  clear (moved in, registered, owned) bounds the birth from above, so the decade is withheld when such a
  date falls within DECADE_SAFE_DAYS of the start of a decade the birth may lie in (clear_birth_decade).
- Disclosure in bulk (issue 11; PIPL §51, GB/T 35273-2020 §7.3 least access, §9.2): every full reveal and every
  full export names a reason from DISCLOSURE_REASONS plus a free-text detail; reveals and full exports are
  limited per user and day; a full export is requested, approved by another person over the requester's
  scope, then downloaded once before its deadline (EXPORT_TRANSITIONS).
- Import batches (issue 3): a batch moves through IMPORT_TRANSITIONS only. It is confirmed when validated, or
  again after a failed apply (its mode is set: validation had completed and its rows are still staged); a
  worker that died leaves its step to a recovery (event "recover"). "全部有效才导入" (all_or_nothing) is
  refused while any row has an IMPORT_BLOCKING outcome; only IMPORT_APPLICABLE rows are ever applied.
- History: moves, deaths, household changes and ownership transfers carry an effective date, so the
  register can be read as it stood on any date (owners of record on a vote's date, Civil Code §278).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import InvalidTransition


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


# --- birth dates in clear: the decade only ------------------------------------------------------------------

MIN_CANDIDATES = 1000  # ID numbers a resident's clear data must leave (issue 10)
# Birth days needed for MIN_CANDIDATES when the ID starts outside Chengdu (the attacker tries ~10 county codes,
# and the check character keeps 1 in 11): 1,000 × 11 / 10 = 1,100 days, plus a margin.
DECADE_SAFE_DAYS = 1300
EARLIEST_BIRTH = date(1900, 1, 1)


def decade_of(birth: date) -> int:
    return birth.year // 10 * 10


def decade_label(decade: int | None) -> str:
    """1960 -> "1960年代" (English "1960s"); None -> ""."""
    return gettext("%(decade)s年代") % {"decade": decade} if decade is not None else ""


def clear_birth_decade(birth: date | None, earliest_fact: date | None) -> int | None:
    """The birth decade that may be kept in clear, or None (withheld).

    `earliest_fact` is the earliest date in clear that cannot precede the birth (moved in, registered, owned,
    a dated change). It bounds the birth from above: a child registered on 2020-03-05 with "2020年代" in
    clear was born within 64 days. So when that date falls within DECADE_SAFE_DAYS of the start of its decade
    D, the decade is withheld for everyone born in D or D-10. The rule looks only at the decade, never at the
    day, so a withheld decade tells no more than "born between D-10 and that date" (10 years or more).
    """
    if birth is None:
        return None
    if earliest_fact is not None:
        start = date(decade_of(earliest_fact), 1, 1)
        if (earliest_fact - start).days < DECADE_SAFE_DAYS and birth >= date(start.year - 10, 1, 1):
            return None
    return decade_of(birth)


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class AgeBand(StrEnum):
    """Age filters of the resident list (a reveal: roles that may reveal identity only, audited)."""

    SIXTY_PLUS = "60plus"
    EIGHTY_PLUS = "80plus"
    UNDER_EIGHTEEN = "under18"


AGE_BAND_LABELS = {
    AgeBand.SIXTY_PLUS: _("60岁及以上"),
    AgeBand.EIGHTY_PLUS: _("80岁及以上"),
    AgeBand.UNDER_EIGHTEEN: _("18岁以下"),
}
_AGE_BAND_LIMITS = {AgeBand.SIXTY_PLUS: (60, None), AgeBand.EIGHTY_PLUS: (80, None), AgeBand.UNDER_EIGHTEEN: (None, 18)}


@dataclass(frozen=True)
class BirthRange:
    """Births after `after` (exclusive) and up to `upto` (inclusive); None is open."""

    after: date | None
    upto: date | None

    def __contains__(self, birth: date) -> bool:
        return (self.after is None or birth > self.after) and (self.upto is None or birth <= self.upto)


def birth_range(band: AgeBand, today: date) -> BirthRange:
    """The births whose age on `today` lies in `band` (age >= n  <=>  born on or before n years ago)."""
    least, below = _AGE_BAND_LIMITS[band]
    return BirthRange(
        after=years_before(today, below) if below is not None else None,
        upto=years_before(today, least) if least is not None else None,
    )


def split_decades(births: BirthRange, today: date) -> tuple[list[int], list[int]]:
    """Decades from 1900 to today's wholly inside `births`, and those only partly inside (to be checked by date)."""
    whole, partial = [], []
    for decade in range(decade_of(EARLIEST_BIRTH), decade_of(today) + 10, 10):
        first, last = date(decade, 1, 1), date(decade + 9, 12, 31)
        if first in births and last in births:
            whole.append(decade)
        elif (births.upto is None or first <= births.upto) and (births.after is None or last > births.after):
            partial.append(decade)
    return whole, partial


BIRTHDAY_AGES = (60, 70, 80, 90, 100)  # "aged N and over" choices of the elderly birthday list


def birthday_year(month: int, today: date) -> int:
    """The year of the next birthday list for `month`: this year from this month on, else next year."""
    return today.year if month >= today.month else today.year + 1


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


# --- disclosure in bulk: reasons, counters, full-export requests (issue 11) ------------------------------------


class DisclosureReason(StrEnum):
    HOME_VISIT = "home_visit"
    BENEFITS = "benefits"
    EMERGENCY = "emergency"
    AUTHORITY = "authority"
    SUBJECT_REQUEST = "subject_request"
    OTHER = "other"


DISCLOSURE_REASON_LABELS = {
    DisclosureReason.HOME_VISIT: _("入户走访核实"),
    DisclosureReason.BENEFITS: _("政策待遇办理"),
    DisclosureReason.EMERGENCY: _("应急处置"),
    DisclosureReason.AUTHORITY: _("上级部门依法调取"),
    DisclosureReason.SUBJECT_REQUEST: _("居民本人申请"),
    DisclosureReason.OTHER: _("其他"),
}
REASON_DETAIL_MIN, REASON_DETAIL_MAX = 2, 200


class DisclosureKind(StrEnum):
    """What a daily counter counts: values revealed one by one, birthday lists shown, full exports requested."""

    REVEAL = "reveal"
    BIRTHDAY_LIST = "birthday_list"
    FULL_EXPORT = "full_export"


class ExportStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    DOWNLOADED = "downloaded"
    EXPIRED = "expired"


EXPORT_STATUS_LABELS = {
    ExportStatus.REQUESTED: _("待审批"),
    ExportStatus.APPROVED: _("已批准，待下载"),
    ExportStatus.REJECTED: _("已驳回"),
    ExportStatus.DOWNLOADED: _("已下载"),
    ExportStatus.EXPIRED: _("已过期"),
}


class ExportEvent(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    DOWNLOAD = "download"
    EXPIRE = "expire"


EXPORT_TRANSITIONS = {
    (ExportStatus.REQUESTED, ExportEvent.APPROVE): ExportStatus.APPROVED,
    (ExportStatus.REQUESTED, ExportEvent.REJECT): ExportStatus.REJECTED,
    (ExportStatus.REQUESTED, ExportEvent.EXPIRE): ExportStatus.EXPIRED,
    (ExportStatus.APPROVED, ExportEvent.DOWNLOAD): ExportStatus.DOWNLOADED,
    (ExportStatus.APPROVED, ExportEvent.EXPIRE): ExportStatus.EXPIRED,
}


def next_export_status(status: str, event: str) -> ExportStatus:
    """The status a full-export request moves to on `event`; InvalidTransition when the table has no such row."""
    try:
        key = (ExportStatus(status), ExportEvent(event))
    except ValueError:
        raise InvalidTransition(f"{status} --{event}-->") from None
    if key not in EXPORT_TRANSITIONS:
        raise InvalidTransition(f"{status} --{event}-->")
    return EXPORT_TRANSITIONS[key]


def alert_due(count: int, limit: int, alert_share: float) -> bool:
    """True when a user's daily `count` has reached `alert_share` of their `limit` (unusual volume).

    A share of 1.0 alerts at the limit itself; 0 disables the alert.
    """
    return alert_share > 0 and limit > 0 and count >= max(1, round(limit * alert_share))


# --- import batches -----------------------------------------------------------------------------------------

IMPORT_MODES = ("all_or_nothing", "valid_only")
IMPORT_APPLICABLE = ("create", "update")
IMPORT_BLOCKING = ("invalid", "duplicate_in_file", "elsewhere")  # outcomes that make all_or_nothing refuse
IMPORT_RUNNING = ("uploaded", "validating", "applying")

IMPORT_TRANSITIONS: dict[tuple[str, str], str] = {
    ("uploaded", "start_validation"): "validating",
    ("validating", "finish_validation"): "validated",
    ("uploaded", "fail"): "failed",
    ("validating", "fail"): "failed",
    ("validated", "confirm"): "applying",
    ("failed", "confirm"): "applying",  # retry after a failed apply: the staged rows were kept
    ("applying", "finish_apply"): "applied",
    ("applying", "fail"): "failed",
    ("uploaded", "cancel"): "cancelled",
    ("validating", "cancel"): "cancelled",
    ("validated", "cancel"): "cancelled",
    ("failed", "cancel"): "cancelled",
    # A worker that died mid-apply leaves "applying" behind. Cancelling is safe even while an apply runs:
    # its transaction re-reads the status under lock before writing, and a cancel waits for that lock.
    ("applying", "cancel"): "cancelled",
    # Recovery of a batch whose worker died (import_recovery): validation starts again from the top; an
    # interrupted apply rolled back, so the batch waits for a new confirmation.
    ("validating", "recover"): "uploaded",
    ("applying", "recover"): "validated",
}


def next_import_status(status: str, event: str) -> str:
    """The batch status after `event`; raises InvalidTransition when the table has no such step."""
    try:
        return IMPORT_TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(f"{status} --{event}-->") from None


def import_can_confirm(status: str, mode: str) -> bool:
    """Validated, or failed while applying (mode set: validation had completed and rows are staged)."""
    return status == "validated" or (status == "failed" and bool(mode))


def import_can_cancel(status: str) -> bool:
    return (status, "cancel") in IMPORT_TRANSITIONS
