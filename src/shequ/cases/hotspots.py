"""Hot spots (热点聚集): many reports on the same topic in one community within a few days raise an alert.

Rules:
- the reports are the actor's cases (`cases_for`) submitted within `window_days` before now, of any status
  except withdrawn (已撤回) and not accepted (不予受理), and without a confirmed malicious flag; merged
  duplicates count, because each is one more resident reporting the problem;
- the topic of a case is the name of its category's second-level ancestor (e.g. 噪音 for 装修噪音, 停车管理 for
  乱停乱放), or the first-level name for a first-level category; a case without a category gets the topic whose
  keywords (the `keywords` of the category tree) occur most often in its title and description, or none;
- a group is community × topic; it becomes an alert when it has at least `min_reports` cases; the alert counts
  the distinct buildings and compounds and the residents' "me too" (附议) on those cases;
- at most `MAX_CASES` recent cases are read (one query for the cases, one for the categories, one for supports).

Defaults are overridden by `settings.SHEQU_HOTSPOTS` (keys `window_days`, `min_reports`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .domain import Status
from .models import Case, Category
from .public import support_counts
from .selectors import cases_for

MAX_CASES = 5000
DEFAULT_WINDOW_DAYS = 3
DEFAULT_MIN_REPORTS = 5
EXCLUDED_STATUSES = (Status.WITHDRAWN.value, Status.NOT_ACCEPTED.value)


@dataclass
class Hotspot:
    """One alert: `count` reports about `topic` in `community_name` within `window_days` days."""

    community_id: int
    community_name: str
    topic: str
    window_days: int
    count: int = 0
    buildings: int = 0
    compounds: int = 0
    supporters: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    cases: list[Case] = field(default_factory=list)  # most recent first

    @property
    def message(self) -> str:
        """E.g. 玉林社区 3天内：14件关于“噪音”的反映，涉及2栋楼，6位居民附议."""
        text = _("%(community)s %(days)d天内：%(n)d件关于“%(topic)s”的反映") % {
            "community": self.community_name,
            "days": self.window_days,
            "n": self.count,
            "topic": self.topic,
        }
        if self.buildings:
            text += _("，涉及%(n)d栋楼") % {"n": self.buildings}
        elif self.compounds:
            text += _("，涉及%(n)d个小区") % {"n": self.compounds}
        if self.supporters:
            text += _("，%(n)d位居民附议") % {"n": self.supporters}
        return text


@dataclass(frozen=True)
class HotspotSettings:
    window_days: int = DEFAULT_WINDOW_DAYS
    min_reports: int = DEFAULT_MIN_REPORTS

    @classmethod
    def from_settings(cls) -> HotspotSettings:
        given = getattr(settings, "SHEQU_HOTSPOTS", None) or {}
        return cls(
            window_days=int(given.get("window_days", DEFAULT_WINDOW_DAYS)),
            min_reports=int(given.get("min_reports", DEFAULT_MIN_REPORTS)),
        )


class TopicIndex:
    """Category → topic name, and text → topic name through the categories' keywords."""

    def __init__(self, categories: list[Category]) -> None:
        by_id = {c.pk: c for c in categories}
        self._topic_of: dict[int, str] = {}
        keywords: dict[str, set[str]] = defaultdict(set)
        for c in categories:
            node = c
            while node.level > 2 and node.parent_id in by_id:
                node = by_id[node.parent_id]
            topic = node.name
            self._topic_of[c.pk] = topic
            for word in (c.keywords or "").split("|"):
                if word.strip():
                    keywords[topic].add(word.strip())
        # Sorted once: ties between topics resolve by name, so the same text always gets the same topic.
        self._keywords = sorted((topic, sorted(words)) for topic, words in keywords.items())

    def of_category(self, category_id: int | None) -> str | None:
        return self._topic_of.get(category_id) if category_id else None

    def of_text(self, text: str) -> str | None:
        best, best_hits = None, 0
        for topic, words in self._keywords:
            hits = sum(1 for w in words if w in text)
            if hits > best_hits:
                best, best_hits = topic, hits
        return best


def hotspots_for(
    actor: Any, *, window_days: int | None = None, min_reports: int | None = None, now: Any = None
) -> list[Hotspot]:
    """Community × topic groups of the actor's recent cases with at least `min_reports` reports, largest first."""
    conf = HotspotSettings.from_settings()
    window_days = conf.window_days if window_days is None else window_days
    min_reports = conf.min_reports if min_reports is None else min_reports
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    cases = list(
        cases_for(actor)
        .filter(submitted_at__gte=since, submitted_at__lte=now)
        .exclude(status__in=EXCLUDED_STATUSES)
        .exclude(malicious_status="confirmed")
        .select_related("community")
        .only(
            "id",
            "public_id",
            "tracking_number",
            "title",
            "description",
            "category_id",
            "community__name",
            "compound_id",
            "building_id",
            "submitted_at",
            "status",
        )
        .order_by("-submitted_at", "-id")[:MAX_CASES]
    )
    if len(cases) < min_reports:
        return []
    topics = TopicIndex(list(Category.objects.only("id", "parent_id", "level", "name", "keywords")))
    groups: dict[tuple[int, str], list[Case]] = defaultdict(list)
    for case in cases:
        topic = topics.of_category(case.category_id) or topics.of_text(f"{case.title}\n{case.description}")
        if topic:
            groups[(case.community_id, topic)].append(case)
    hot = {key: members for key, members in groups.items() if len(members) >= min_reports}
    supports = support_counts({c.pk for members in hot.values() for c in members})
    found = []
    for (community_id, topic), members in hot.items():
        found.append(
            Hotspot(
                community_id=community_id,
                community_name=members[0].community.name,
                topic=topic,
                window_days=window_days,
                count=len(members),
                buildings=len({c.building_id for c in members if c.building_id}),
                compounds=len({c.compound_id for c in members if c.compound_id}),
                supporters=sum(supports.get(c.pk, 0) for c in members),
                first_at=min(c.submitted_at for c in members),
                last_at=max(c.submitted_at for c in members),
                cases=members,
            )
        )
    found.sort(key=lambda h: (-h.count, -h.supporters, h.community_name, h.topic))
    return found
