"""Petition-risk score (信访风险预警): pure, explainable and deterministic — no database access.

`score_parts(facts, weights)` gives one `Reason` per factor that contributed (a stable code, its points, each
capped, and the values its words need); `score` adds them up and words them in Chinese, naming the points. The
facts are gathered elsewhere (`warnings.py`); the weights and the default threshold come from settings
(`SHEQU_RISK_WEIGHTS`, a dict of RiskWeights field names, and `SHEQU_RISK_THRESHOLD`); a district may set its own
threshold (`analysis.RiskThreshold`).
"""

from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

ESCALATION_WORDS = ("上访", "集体", "媒体", "曝光", "市里", "省里", "北京", "信访", "维权", "联名", "堵路", "拉横幅")


@dataclass(frozen=True)
class RiskFacts:
    """What is known about one open case; counts are of *other* cases within the window."""

    repeats_same_reporter: int = 0
    repeats_same_place: int = 0
    similar_text: int = 0
    supports: int = 0
    reopen_count: int = 0
    days_overdue: float = 0.0
    escalation_words: tuple[str, ...] = ()
    escalation_count: int = 0
    window_days: int = 30


@dataclass(frozen=True)
class RiskWeights:
    """Points per unit of each factor and the cap of each factor; `threshold` decides what is a warning."""

    repeat_reporter: int = 10
    repeat_reporter_cap: int = 30
    repeat_place: int = 10
    repeat_place_cap: int = 30
    similar: int = 8
    similar_cap: int = 24
    support: int = 2
    support_cap: int = 20
    reopen: int = 15
    reopen_cap: int = 30
    overdue_per_day: int = 5
    overdue_cap: int = 30
    word: int = 20
    word_cap: int = 40
    escalation: int = 10
    escalation_cap: int = 30
    threshold: int = 60

    @classmethod
    def from_settings(cls) -> "RiskWeights":
        """Defaults overridden by `settings.SHEQU_RISK_WEIGHTS` (unknown keys ignored) and the threshold."""
        known = {f.name for f in fields(cls)}
        overrides = {k: int(v) for k, v in (getattr(settings, "SHEQU_RISK_WEIGHTS", None) or {}).items() if k in known}
        weights = replace(cls(), **overrides)
        threshold = getattr(settings, "SHEQU_RISK_THRESHOLD", None)
        return replace(weights, threshold=int(threshold)) if threshold is not None else weights


def find_escalation_words(text: str) -> tuple[str, ...]:
    """The escalation words that occur in `text`, in the order of ESCALATION_WORDS."""
    text = text or ""
    return tuple(word for word in ESCALATION_WORDS if word in text)


def _capped(units: int, per_unit: int, cap: int) -> int:
    return max(0, min(cap, units * per_unit))


# Stable reason codes, stored with each warning (`analysis.Warning.reasons`): a closed warning reopens only when a
# code appears that was not there when it was closed. Never rename a code; add new ones.
REPEAT_REPORTER = "repeat_reporter"
REPEAT_PLACE = "repeat_place"
SIMILAR_TOPIC = "similar_topic"
SUPPORTS = "supports"
REOPENED = "reopened"
OVERDUE = "overdue"
ESCALATION_WORDS_CODE = "escalation_words"
ESCALATED = "escalated"
REASON_CODES = (
    REPEAT_REPORTER,
    REPEAT_PLACE,
    SIMILAR_TOPIC,
    SUPPORTS,
    REOPENED,
    OVERDUE,
    ESCALATION_WORDS_CODE,
    ESCALATED,
)


@dataclass(frozen=True)
class Reason:
    """One contributing factor: its stable code, its points and the values its words need."""

    code: str
    points: int
    params: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "params": dict(self.params)}


def reason_text(code: str, params: dict[str, Any]) -> str:
    """The reason in words (without its points); an unknown code (from a newer version) is shown as is."""
    if code == REPEAT_REPORTER:
        return _("同一报告人%(days)s天内反映%(n)s次") % params
    if code == REPEAT_PLACE:
        return _("同一地点%(days)s天内反映%(n)s次") % params
    if code == SIMILAR_TOPIC:
        return _("同一小区同类诉求%(days)s天内另有%(n)s件") % params
    if code == SUPPORTS:
        return _("%(n)s位居民附议") % params
    if code == REOPENED:
        return _("重办%(n)s次") % params
    if code == OVERDUE:
        return _("已超期%(days)s天") % params
    if code == ESCALATION_WORDS_CODE:
        return _("含敏感词：%(words)s") % params
    if code == ESCALATED:
        return _("升级督办%(n)s次") % params
    return code


def reason_with_points(code: str, points: int, params: dict[str, Any]) -> str:
    """The reason in words followed by its points, e.g. "重办1次（+15分）"."""
    return _("%(reason)s（+%(points)s分）") % {"reason": reason_text(code, params), "points": points}


def score_parts(facts: RiskFacts, weights: RiskWeights | None = None) -> list[Reason]:
    """The contributing factors, one per factor present, in the fixed order of REASON_CODES."""
    w = weights or RiskWeights()
    parts: list[Reason] = []
    days = facts.window_days
    if facts.repeats_same_reporter > 0:
        points = _capped(facts.repeats_same_reporter, w.repeat_reporter, w.repeat_reporter_cap)
        parts.append(Reason(REPEAT_REPORTER, points, {"days": days, "n": facts.repeats_same_reporter + 1}))
    if facts.repeats_same_place > 0:
        points = _capped(facts.repeats_same_place, w.repeat_place, w.repeat_place_cap)
        parts.append(Reason(REPEAT_PLACE, points, {"days": days, "n": facts.repeats_same_place + 1}))
    if facts.similar_text > 0:
        points = _capped(facts.similar_text, w.similar, w.similar_cap)
        parts.append(Reason(SIMILAR_TOPIC, points, {"days": days, "n": facts.similar_text}))
    if facts.supports > 0:
        points = _capped(facts.supports, w.support, w.support_cap)
        parts.append(Reason(SUPPORTS, points, {"n": facts.supports}))
    if facts.reopen_count > 0:
        points = _capped(facts.reopen_count, w.reopen, w.reopen_cap)
        parts.append(Reason(REOPENED, points, {"n": facts.reopen_count}))
    if facts.days_overdue > 0:
        points = max(0, min(w.overdue_cap, int(facts.days_overdue * w.overdue_per_day)))
        parts.append(Reason(OVERDUE, points, {"days": f"{facts.days_overdue:.1f}"}))
    if facts.escalation_words:
        points = _capped(len(facts.escalation_words), w.word, w.word_cap)
        parts.append(Reason(ESCALATION_WORDS_CODE, points, {"words": "、".join(facts.escalation_words)}))
    if facts.escalation_count > 0:
        points = _capped(facts.escalation_count, w.escalation, w.escalation_cap)
        parts.append(Reason(ESCALATED, points, {"n": facts.escalation_count}))
    return parts


def score(facts: RiskFacts, weights: RiskWeights | None = None) -> tuple[int, list[str]]:
    """Total points and the reasons in words (one per contributing factor, in a fixed order)."""
    parts = score_parts(facts, weights)
    total = sum(r.points for r in parts)
    return total, [reason_with_points(r.code, r.points, r.params) for r in parts]
