"""Petition-risk score (信访风险预警): pure, explainable and deterministic — no database access.

`score(facts, weights)` adds up points per factor, each capped, and returns the total together with one
human reason in Chinese per factor that contributed, naming its points. The facts are gathered elsewhere
(`warnings.py`); the weights and the threshold come from settings (`SHEQU_RISK_WEIGHTS`, a dict of
RiskWeights field names, and `SHEQU_RISK_THRESHOLD`).
"""

from dataclasses import dataclass, fields, replace

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
    threshold: int = 40

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


def score(facts: RiskFacts, weights: RiskWeights | None = None) -> tuple[int, list[str]]:
    """Total points and the reasons (one per contributing factor, in a fixed order)."""
    w = weights or RiskWeights()
    parts: list[tuple[int, str]] = []
    days = facts.window_days
    if facts.repeats_same_reporter > 0:
        points = _capped(facts.repeats_same_reporter, w.repeat_reporter, w.repeat_reporter_cap)
        text = _("同一报告人%(days)s天内反映%(n)s次") % {"days": days, "n": facts.repeats_same_reporter + 1}
        parts.append((points, text))
    if facts.repeats_same_place > 0:
        points = _capped(facts.repeats_same_place, w.repeat_place, w.repeat_place_cap)
        text = _("同一地点%(days)s天内反映%(n)s次") % {"days": days, "n": facts.repeats_same_place + 1}
        parts.append((points, text))
    if facts.similar_text > 0:
        points = _capped(facts.similar_text, w.similar, w.similar_cap)
        text = _("同一小区同类诉求%(days)s天内另有%(n)s件") % {"days": days, "n": facts.similar_text}
        parts.append((points, text))
    if facts.supports > 0:
        points = _capped(facts.supports, w.support, w.support_cap)
        parts.append((points, _("%(n)s位居民附议") % {"n": facts.supports}))
    if facts.reopen_count > 0:
        points = _capped(facts.reopen_count, w.reopen, w.reopen_cap)
        parts.append((points, _("重办%(n)s次") % {"n": facts.reopen_count}))
    if facts.days_overdue > 0:
        points = max(0, min(w.overdue_cap, int(facts.days_overdue * w.overdue_per_day)))
        parts.append((points, _("已超期%(days)s天") % {"days": f"{facts.days_overdue:.1f}"}))
    if facts.escalation_words:
        points = _capped(len(facts.escalation_words), w.word, w.word_cap)
        parts.append((points, _("含敏感词：%(words)s") % {"words": "、".join(facts.escalation_words)}))
    if facts.escalation_count > 0:
        points = _capped(facts.escalation_count, w.escalation, w.escalation_cap)
        parts.append((points, _("升级督办%(n)s次") % {"n": facts.escalation_count}))
    total = sum(points for points, _text in parts)
    reasons = [_("%(reason)s（+%(points)s分）") % {"reason": text, "points": points} for points, text in parts]
    return total, reasons
