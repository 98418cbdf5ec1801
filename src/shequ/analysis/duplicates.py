"""Likely duplicates of a case (疑似重复诉求): open cases nearby with similar text, for one-click merge.

Candidates (one bounded query, then exact text similarity in Python on at most `max_candidates` rows):
- same place: the same compound, the same building, or a map point within `radius_m` metres (an equirectangular
  approximation, exact enough at a few hundred metres; points are compared as stored, in the CRS they were
  given in). A case with neither compound, building nor point is compared with its micro-grid, or else with its
  community;
- submitted within `window_days` before or after the case;
- still open (`OPEN_STATUSES`), or resolved within the last `resolved_days` days (a fresh report of a problem
  just declared solved is worth seeing); never the case itself, nor a case already merged;
- when an actor is given, only cases the actor may see.

Score: text similarity of title + description (`textsim.similarity`: mean of Jaccard and containment of
character 2/3-grams), plus `category_boost` for the same category and `building_boost` for the same building,
capped at 1. A case is suggested when its text similarity reaches `min_text` and its score reaches `threshold`,
or — whatever the wording — when it lies in the same compound, on the same topic (`cases.topics`: the topic of its
category, or of its text when it has none) and was submitted within `topic_days` of the case. The score still
ranks the suggestions, so a same-topic report in other words comes after a near-identical one.

Defaults are overridden by `settings.SHEQU_DUPLICATES` (a dict with the keys of `DuplicateSettings`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.domain import OPEN_STATUSES, Status
from shequ.cases.models import Case
from shequ.cases.selectors import cases_for
from shequ.cases.topics import TopicIndex, topic_index

from . import textsim

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


@dataclass(frozen=True)
class DuplicateSettings:
    radius_m: float = 300.0
    window_days: int = 30
    resolved_days: int = 7
    threshold: float = 0.45
    min_text: float = 0.3
    category_boost: float = 0.1
    building_boost: float = 0.1
    max_candidates: int = 300
    topic_days: int = 7

    @classmethod
    def from_settings(cls) -> DuplicateSettings:
        """Defaults overridden by `settings.SHEQU_DUPLICATES` (unknown keys ignored)."""
        known = {f.name: f.type for f in fields(cls)}
        given = getattr(settings, "SHEQU_DUPLICATES", None) or {}
        overrides: dict[str, Any] = {}
        for key, value in given.items():
            if key in known:
                overrides[key] = int(value) if known[key] == "int" else float(value)
        return replace(cls(), **overrides)


@dataclass(frozen=True)
class Duplicate:
    """A likely duplicate of a case: the other case, the score in [0, 1], the reasons in Chinese."""

    case: Case
    score: float
    reasons: list[str]
    distance_m: float | None = None

    def __iter__(self) -> Any:
        # Unpacks as (other_case, score, reasons).
        return iter((self.case, self.score, self.reasons))


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Approximate ground distance in metres (equirectangular projection at the mean latitude)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * EARTH_RADIUS_M


def _place_q(case: Case, conf: DuplicateSettings) -> Q | None:
    q = Q()
    any_place = False
    if case.compound_id:
        q |= Q(compound_id=case.compound_id)
        any_place = True
    if case.building_id:
        q |= Q(building_id=case.building_id)
        any_place = True
    if case.lng is not None and case.lat is not None:
        dlat = conf.radius_m / METRES_PER_DEGREE_LAT
        dlng = dlat / max(0.01, math.cos(math.radians(case.lat)))
        q |= Q(
            lat__gte=case.lat - dlat,
            lat__lte=case.lat + dlat,
            lng__gte=case.lng - dlng,
            lng__lte=case.lng + dlng,
        )
        any_place = True
    if any_place:
        return q
    if case.micro_grid_id:
        return Q(micro_grid_id=case.micro_grid_id)
    return Q(community_id=case.community_id)


def _text(case: Case) -> str:
    return f"{case.title}\n{case.description}"


def _topic(index: TopicIndex, case: Case) -> Any:
    return index.topic_of_category(case.category_id) or index.topic_of_text(_text(case))


def _same_compound_topic(case: Case, other: Case, topic: Any, index: TopicIndex, conf: DuplicateSettings) -> bool:
    """Same compound, same topic, submitted within `topic_days` of each other."""
    if topic is None or not case.compound_id or other.compound_id != case.compound_id:
        return False
    if abs(other.submitted_at - case.submitted_at) > timedelta(days=conf.topic_days):
        return False
    other_topic = _topic(index, other)
    return other_topic is not None and other_topic.pk == topic.pk


def likely_duplicates(
    case: Case, *, actor: Any = None, limit: int = 5, now: Any = None, conf: DuplicateSettings | None = None
) -> list[Duplicate]:
    """Cases that probably report the same thing as `case`, best first (at most `limit`).

    Each result unpacks as (other_case, score, reasons). Reads only; two queries (the cases, the topics).
    """
    conf = conf or DuplicateSettings.from_settings()
    now = now or timezone.now()
    place_q = _place_q(case, conf)
    window = timedelta(days=conf.window_days)
    base = cases_for(actor) if actor is not None else Case.objects.all()
    status_q = Q(status__in=[s.value for s in OPEN_STATUSES]) | Q(
        status=Status.RESOLVED.value, resolved_at__gte=now - timedelta(days=conf.resolved_days)
    )
    candidates = list(
        base.filter(place_q, status_q, merged_into__isnull=True)
        .filter(submitted_at__gte=case.submitted_at - window, submitted_at__lte=case.submitted_at + window)
        .exclude(pk=case.pk)
        .select_related("community", "compound", "building", "category")
        .order_by("-submitted_at", "-id")[: conf.max_candidates]
    )
    mine = textsim.shingles(_text(case))
    index = topic_index() if case.compound_id else None
    topic = _topic(index, case) if index is not None else None
    found: list[Duplicate] = []
    for other in candidates:
        text_score = textsim.similarity(mine, textsim.shingles(_text(other)))
        same_topic = index is not None and _same_compound_topic(case, other, topic, index, conf)
        if text_score < conf.min_text and not same_topic:
            continue
        reasons = [_("文本相似度%(p)d%%") % {"p": round(text_score * 100)}]
        score = text_score
        dist = None
        if case.building_id and other.building_id == case.building_id:
            score += conf.building_boost
            reasons.append(_("同一楼栋"))
        elif case.compound_id and other.compound_id == case.compound_id:
            reasons.append(_("同一小区"))
        if None not in (case.lng, case.lat, other.lng, other.lat):
            dist = distance_m(case.lng, case.lat, other.lng, other.lat)  # type: ignore[arg-type]
            if dist <= conf.radius_m:
                reasons.append(_("相距约%(m)d米") % {"m": round(dist)})
            elif not (
                (case.compound_id and other.compound_id == case.compound_id)
                or (case.building_id and other.building_id == case.building_id)
            ):
                continue  # inside the bounding box but outside the circle
        if case.category_id and other.category_id == case.category_id:
            score += conf.category_boost
            reasons.append(_("同一分类"))
        if same_topic and index is not None and topic is not None:
            reasons.append(
                _("%(days)s天内同一小区同一话题：%(topic)s") % {"days": conf.topic_days, "topic": index.label(topic)}
            )
        if other.community_id != case.community_id:
            reasons.append(_("不同社区，不能合并"))
        score = min(1.0, score)
        if score >= conf.threshold or same_topic:
            found.append(Duplicate(case=other, score=round(score, 2), reasons=reasons, distance_m=dist))
    found.sort(key=lambda d: (-d.score, -d.case.submitted_at.timestamp(), d.case.pk))
    return found[:limit]
