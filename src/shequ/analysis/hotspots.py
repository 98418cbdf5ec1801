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

The topic rule is `shequ.cases.topics` (`TopicIndex`): the work queue's category filter (`on_topic`) applies the
same rule, so each alert links to its cases there ("查看这些诉求", with its community and time window).

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

from shequ.cases.domain import Status
from shequ.cases.models import Case, Category
from shequ.cases.public import support_counts
from shequ.cases.selectors import cases_for
from shequ.cases.topics import topic_index

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
    topics = topic_index()
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
