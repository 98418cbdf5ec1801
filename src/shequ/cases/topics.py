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

from collections import Counter, defaultdict

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
