"""Hot spots (热点聚集): many reports on the same topic in one community within a few days raise an alert.

Rules:
- the reports are the actor's cases (`cases_for`) submitted within `window_days` before now, of any status
  except withdrawn (已撤回) and not accepted (不予受理), and without a confirmed malicious flag; merged
  duplicates count, because each is one more resident reporting the problem;
- the topic of a case is its category's second-level ancestor (e.g. 噪音 for 装修噪音, 停车管理 for 乱停乱放), or
  the first-level category itself; a case without a category gets the topic whose keywords (the `keywords` of
  the category tree) occur most often in its title and description, or none. A topic is named by its category's
  name, prefixed with the parent's name when another topic has the same name (城乡建设 › 其他);
- a group is community × topic; it becomes an alert when it has at least `min_reports` cases; the alert counts
  the distinct buildings and compounds and the residents' "me too" (附议) on those cases;
- at most `MAX_CASES` recent cases are read (one query for the cases, one for the categories, one for supports).

`on_topic` applies the same topic rule to any list of cases: the work queue's category filter, which each alert
links to ("查看这些诉求", with its community and time window).

Defaults are overridden by `settings.SHEQU_HOTSPOTS` (keys `window_days`, `min_reports`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
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
    topic_id: int | None = None  # the category that is the topic
    topic_public_id: str = ""
    community_public_id: str = ""
    window_start: datetime | None = None  # the window the alert counted: [window_start, window_end]
    window_end: datetime | None = None

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
    """Category → topic (a first- or second-level category), and text → topic through the categories' keywords."""

    def __init__(self, categories: list[Category]) -> None:
        by_id = {c.pk: c for c in categories}
        self._topic_of: dict[int, Category] = {}
        keywords: dict[int, set[str]] = defaultdict(set)
        for c in categories:
            node = c
            while node.level > 2 and node.parent_id in by_id:
                node = by_id[node.parent_id]
            self._topic_of[c.pk] = node
            for word in (c.keywords or "").split("|"):
                if word.strip():
                    keywords[node.pk].add(word.strip())
        topics = {node.pk: node for node in self._topic_of.values()}
        names = Counter(node.name for node in topics.values())
        self._label: dict[int, str] = {}
        for pk, node in topics.items():
            parent = by_id.get(node.parent_id) if node.parent_id else None
            shared = names[node.name] > 1 and parent is not None
            self._label[pk] = f"{parent.name} › {node.name}" if shared and parent is not None else node.name
        self.topics = sorted(topics.values(), key=lambda n: n.code)
        self.keyword_topic_ids = frozenset(keywords)
        # Sorted once: ties between topics resolve by name, so the same text always gets the same topic.
        self._keywords = sorted(
            ((self._label[pk], topics[pk].code), topics[pk], sorted(words)) for pk, words in keywords.items()
        )

    def label(self, topic: Category) -> str:
        return self._label.get(topic.pk, topic.name)

    def topic_of_category(self, category_id: int | None) -> Category | None:
        return self._topic_of.get(category_id) if category_id else None

    def topic_of_text(self, text: str) -> Category | None:
        best, best_hits = None, 0
        for _key, topic, words in self._keywords:
            hits = sum(1 for w in words if w in text)
            if hits > best_hits:
                best, best_hits = topic, hits
        return best

    def of_category(self, category_id: int | None) -> str | None:
        topic = self.topic_of_category(category_id)
        return self.label(topic) if topic is not None else None

    def of_text(self, text: str) -> str | None:
        topic = self.topic_of_text(text)
        return self.label(topic) if topic is not None else None


def _topic_index() -> TopicIndex:
    return TopicIndex(list(Category.objects.only("id", "public_id", "code", "parent_id", "level", "name", "keywords")))


def on_topic(cases: QuerySet[Case], category: Category) -> QuerySet[Case]:
    """The cases about `category`: in its subtree, and those without a category whose text has a topic in it.

    The text rule is the hot spots' (`TopicIndex.topic_of_text`), so an alert's cases are all found; it is read
    for at most `MAX_CASES` uncategorised cases of `cases`, the most recent. A third-level category has no topic
    below it: only its own cases match.
    """
    subtree = Q(category__code=category.code) | Q(category__code__startswith=f"{category.code}-")
    prefix = f"{category.code}-"
    topics = _topic_index()
    wanted = {t.pk for t in topics.topics if t.code == category.code or t.code.startswith(prefix)}
    wanted &= topics.keyword_topic_ids  # a topic without keywords is never given to a text
    ids: list[int] = []
    if wanted:
        loose = (
            cases.filter(category__isnull=True)
            .order_by("-submitted_at", "-id")
            .values_list("pk", "title", "description")[:MAX_CASES]
        )
        for pk, title, description in loose:
            topic = topics.topic_of_text(f"{title}\n{description}")
            if topic is not None and topic.pk in wanted:
                ids.append(pk)
    return cases.filter(subtree | Q(pk__in=ids)) if ids else cases.filter(subtree)


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
            "community__public_id",
            "compound_id",
            "building_id",
            "submitted_at",
            "status",
        )
        .order_by("-submitted_at", "-id")[:MAX_CASES]
    )
    if len(cases) < min_reports:
        return []
    topics = _topic_index()
    groups: dict[tuple[int, int], list[Case]] = defaultdict(list)
    topic_by_id: dict[int, Category] = {}
    for case in cases:
        topic = topics.topic_of_category(case.category_id) or topics.topic_of_text(f"{case.title}\n{case.description}")
        if topic is not None:
            topic_by_id[topic.pk] = topic
            groups[(case.community_id, topic.pk)].append(case)
    hot = {key: members for key, members in groups.items() if len(members) >= min_reports}
    supports = support_counts({c.pk for members in hot.values() for c in members})
    found = []
    for (community_id, topic_id), members in hot.items():
        topic = topic_by_id[topic_id]
        found.append(
            Hotspot(
                community_id=community_id,
                community_name=members[0].community.name,
                topic=topics.label(topic),
                window_days=window_days,
                count=len(members),
                buildings=len({c.building_id for c in members if c.building_id}),
                compounds=len({c.compound_id for c in members if c.compound_id}),
                supporters=sum(supports.get(c.pk, 0) for c in members),
                first_at=min(c.submitted_at for c in members),
                last_at=max(c.submitted_at for c in members),
                cases=members,
                topic_id=topic.pk,
                topic_public_id=str(topic.public_id),
                community_public_id=str(members[0].community.public_id),
                window_start=since,
                window_end=now,
            )
        )
    found.sort(key=lambda h: (-h.count, -h.supporters, h.community_name, h.topic))
    return found
