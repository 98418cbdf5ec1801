"""Topics of cases (话题): the category tree's first- and second-level categories, given to a case by its
category or, without one, by the keywords in its title and description.

Rules:
- the topic of a category is its second-level ancestor (e.g. 噪音 for 装修噪音, 停车管理 for 乱停乱放), or the
  first-level category itself;
- a text gets the topic whose keywords (the `keywords` of the category tree, gathered on their topic) occur most
  often in it, or none; ties go to the topic first by label, then code;
- a topic is named by its category's name, prefixed with the parent's name when another topic has the same name
  (城乡建设 › 其他).

`on_topic` is the work queue's category filter; the hot-spot alerts (`shequ.analysis.hotspots`) group cases by
the same rule, so the queue lists an alert's cases.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

from django.db.models import Q, QuerySet

from .models import Case, Category

MAX_CASES = 5000


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


def topic_index() -> TopicIndex:
    """The topic index of the whole category tree (one query)."""
    return TopicIndex(list(Category.objects.only("id", "public_id", "code", "parent_id", "level", "name", "keywords")))


def on_topic(cases: QuerySet[Case], category: Category) -> QuerySet[Case]:
    """The cases about `category`: in its subtree, and those without a category whose text has a topic in it.

    The text rule is the hot spots' (`TopicIndex.topic_of_text`, `shequ.analysis.hotspots`), so an alert's cases
    are all found; it is read for at most `MAX_CASES` uncategorised cases of `cases`, the most recent. A
    third-level category has no topic below it: only its own cases match.
    """
    subtree = Q(category__code=category.code) | Q(category__code__startswith=f"{category.code}-")
    prefix = f"{category.code}-"
    topics = topic_index()
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


# --- community topics for residents (话题, issue 13) -----------------------------------------------------------
#
# Residents do not pick from the national scheme: they write first, then pick one of a short list of community
# topics (`CommunityTopic`), each mapped to a staff category. Rules:
# - search: a topic matches a query when the query equals, contains or is contained in its name, English name,
#   category name or a synonym (case-folded; a Latin term must match whole words; a one-character term only
#   matches exactly). Best first: exact, then the query containing the longer term, then contained; then by
#   position. So 占用消防通道 finds 消防通道 (→ 消防通道堵塞) and "fire lane blocked" finds it too.
# - suggestion from text: the intake suggestion (`suggest.suggest_category`: classifier + community keyword
#   rules) mapped to the topic with that category or its nearest ancestor, then the topics the text matches by
#   synonym; at most `SUGGEST_LIMIT`.
# - the case's category: the topic's own, refined to the suggested category when that lies below it (停车 →
#   车位纠纷 when the text says 车位被占). A topic whose category still has children leaves the case to triage.

SUGGEST_LIMIT = 3
OTHER_TOPIC = "other"  # 其他 / 不确定: no category, the case goes to triage

SEED_FILE = Path(__file__).parent / "data" / "community_topics.csv"  # code,name,name_en,category_code,featured,synonyms


def seed_rows() -> list[dict[str, str]]:
    with SEED_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def topics_seed() -> int:
    """Create the shipped community topics whose category exists and which are not there yet; returns how many.

    Idempotent and additive: a topic or synonym an admin changed or removed is never overwritten (only a topic
    whose code is missing is created). Called by `services.categories_seed` once the category tree is loaded.
    """
    from .models import CommunityTopic, TopicSynonym

    rows = seed_rows()
    by_code = {c.code: c for c in Category.objects.filter(code__in=[r["category_code"] for r in rows])}
    existing = set(CommunityTopic.objects.values_list("code", flat=True))
    created = 0
    for position, row in enumerate(rows, start=1):
        category = by_code.get(row["category_code"])
        if row["code"] in existing or category is None:
            continue
        topic = CommunityTopic.objects.create(
            code=row["code"],
            name=row["name"],
            name_en=row["name_en"],
            category=category,
            featured=row["featured"] == "1",
            position=position * 10,
        )
        words = dict.fromkeys(w.strip() for w in row["synonyms"].split("|"))
        TopicSynonym.objects.bulk_create([TopicSynonym(topic=topic, text=w) for w in words if w])
        created += 1
    return created


def active_topics() -> list:
    """Active community topics with their category and synonyms, by position."""
    from .models import CommunityTopic

    return list(
        CommunityTopic.objects.filter(is_active=True, category__is_active=True)
        .select_related("category")
        .prefetch_related("synonyms")
        .order_by("position", "code")
    )


def _terms(topic) -> list[str]:  # noqa: ANN001 - a CommunityTopic
    words = [topic.name, topic.name_en, topic.category.name, *(s.text for s in topic.synonyms.all())]
    return [w.strip().casefold() for w in words if w and w.strip()]


def _is_latin(term: str) -> bool:
    return term.isascii()


def _contains(text: str, term: str) -> bool:
    if _is_latin(term):
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text) is not None
    return len(term) >= 2 and term in text


def _score(query: str, terms: list[str]) -> float:
    best = 0.0
    for term in terms:
        if term == query:
            return 3.0
        if _contains(query, term):
            best = max(best, 2.0 + min(len(term), 50) / 100)
        elif len(query) >= 2 and _contains(term, query):
            best = max(best, 1.0)
    return best


def search_topics(query: str, topics: list | None = None) -> list:
    """The community topics matching `query` by name or synonym, best first (rules above)."""
    query = " ".join((query or "").split()).casefold()
    if not query:
        return []
    topics = active_topics() if topics is None else topics
    scored = [(_score(query, _terms(t)), t) for t in topics]
    return [t for s, t in sorted(scored, key=lambda st: (-st[0], st[1].position, st[1].code)) if s > 0]


def _ancestors(category: Category) -> list[int]:
    ids: list[int] = []
    node: Category | None = category
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def suggest_topics(text: str, topics: list | None = None) -> list:
    """The topics suggested for a resident's description (at most `SUGGEST_LIMIT`), best first."""
    from .suggest import suggest_category

    text = (text or "").strip()
    if len(text) < 2:
        return []
    topics = active_topics() if topics is None else topics
    found: list = []
    suggestion = suggest_category("", text)
    if suggestion.category is not None:
        by_category = {t.category_id: t for t in reversed(topics)}
        for pk in _ancestors(suggestion.category):
            if pk in by_category:
                found.append(by_category[pk])
                break
    folded = " ".join(text.split()).casefold()
    for topic in sorted(topics, key=lambda t: (-_score(folded, _terms(t)), t.position)):
        if topic not in found and _score(folded, _terms(topic)) >= 2.0:
            found.append(topic)
    return found[:SUGGEST_LIMIT]


def category_for_topic(topic, text: str) -> tuple[Category, bool]:  # noqa: ANN001 - a CommunityTopic
    """The category a resident's report on `topic` gets, and whether a person must still confirm it (triage).

    The topic's category, refined to the category the intake rules suggest for `text` when that lies below
    it; triage when the result still has active children (staff work with leaf categories).
    """
    from .suggest import suggest_category

    category = topic.category
    suggested = suggest_category("", text).category
    if suggested is not None and suggested.pk != category.pk and category.pk in _ancestors(suggested):
        category = suggested
    return category, category.children.filter(is_active=True).exists()
