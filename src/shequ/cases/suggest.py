"""Suggestions at intake and at dispatch: which category a message is about, and who should handle it.

Category suggestion (`suggest_category`) combines two sources, stated here as the rules they are:

1. The trained classifier (`shequ.classifier`, loaded once per process) predicts the first-level category
   of the scheme (城乡建设, 环境保护 …) from title + description, with a confidence (0–1). It knows only the
   seven first-level categories of its training data; it never suggests a second- or third-level category
   and never a community-level one.
2. Keyword rules pick a community-level category (the ``S`` part of the tree: 停车管理, 噪音, 环境卫生,
   旧房改造, 物业纠纷 …, with their children) from the ``keywords`` of those categories (data/categories.csv):

   - The text is title + description; a keyword matches when it occurs in the text (case-folded).
   - Keywords in `GENERIC_KEYWORDS` (建议, 改造, 卫生, 楼道, 装修 …: words that also occur in unrelated
     messages) never match on their own; they count only for a group that already has a specific match.
   - The second-level groups (停车管理, 噪音 …) are scored by the number of distinct keywords matched by
     the group and its children; the best group wins (ties: the longer matched keyword, then the code).
   - Inside the winning group the child (third level) with the most matches wins (same tie-breaks); when
     no child matches, the group itself is suggested.
   - The rule confidence is 0.70 for one matched keyword, 0.85 for two and 0.95 for three or more. It is
     a fixed grade of the evidence, not a probability.

   When a rule matches, its category is the suggestion (source "rules": it is the more specific one). Otherwise
   the suggestion is the first-level category whose name equals the model's label (source "model") with the
   model's confidence. With neither (no model file, nothing matched, empty text) there is no suggestion.

Triage (`needs_triage`): a case needs a person to confirm its category when nobody chose one at intake and
the suggestion is missing or its confidence is below ``settings.SHEQU_CLASSIFIER_MIN_CONFIDENCE`` (0.6 by
default), provided a category tree is loaded at all. A category chosen by a person (resident, staff, grid
worker, the hotline file, an Open311 client) is never replaced and never sends the case to triage; the
suggestion is still stored so its accuracy can be measured, and the case page shows it when it differs. A
confident suggestion becomes the category only where the intake asks for it (`CaseInput.classify`: the hotline
import and the grid worker's quick report); elsewhere the dispatcher confirms it with the triage action. A
case waiting for triage cannot be dispatched (`services.case_dispatch`) until its category is confirmed.

Routing suggestion (`suggest_route`): the category's ``handling_level`` on the case's own ladder — its
micro-grid, that micro-grid's grid, its community, the community's street (a missing rung falls back to the
next one up) — or, when the level is above the street (``district``/``department``), the department unit
responsible for the place whose name contains a keyword of `DEPARTMENT_KEYWORDS` for the category's
first-level theme (configuration; first keyword first, the nearest unit first).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .domain import ESCALATION_LADDER
from .models import Category

logger = logging.getLogger(__name__)

DEFAULT_MIN_CONFIDENCE = 0.6
COMMUNITY_PREFIX = "S"  # codes of the community-level part of the tree (categories.py)
RULE_CONFIDENCE = {1: 0.70, 2: 0.85}
RULE_CONFIDENCE_MAX = 0.95

GENERIC_KEYWORDS = frozenset(
    {
        "建议", "希望", "意见", "建议增设", "希望增加", "建议改善",
        "咨询", "怎么办", "办理", "请问", "证明", "政策", "补贴", "申请条件", "活动", "报名",
        "求助", "帮助", "困难", "矛盾", "通行", "押金",
        "设施", "损坏", "维修", "坏了", "不亮", "照明", "危险", "隐患", "线路",
        "改造", "卫生", "楼道", "堆放", "装修", "半夜", "深夜", "夜间", "商铺",
        "楼顶", "屋顶", "推车", "三轮车", "油烟", "宵夜", "服务差", "涨价", "换届",
        "燃气", "天然气", "煤气", "乱收费", "保安", "夫妻", "猫", "残疾", "安全隐患",
    }
)  # fmt: skip

# First-level theme -> keywords of the competent department's name, most specific first (configuration).
DEPARTMENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("住房和城乡建设", "住建", "城乡建设"),
    "环境保护": ("生态环境", "环保", "环境保护"),
    "交通运输": ("交通运输", "交通"),
    "卫生计生": ("卫生健康", "卫健", "卫生"),
    "教育文体": ("教育", "文化", "体育"),
    "劳动和社会保障": ("人力资源和社会保障", "人社", "社会保障", "社保"),
    "商贸旅游": ("商务", "市场监督", "市场监管", "文旅", "旅游"),
    "国土资源": ("自然资源", "规划和自然资源", "国土"),
    "党务政务": ("政务服务", "行政审批", "政务"),
    "纪检监察": ("纪委", "监委", "纪检"),
    "经济管理": ("发展和改革", "发改", "市场监督"),
    "科技与信息产业": ("经济和信息化", "经信", "科技"),
    "民政": ("民政",),
    "农村农业": ("农业农村", "农业"),
    "政法": ("司法", "公安", "政法"),
}

# Routing climbs the escalation ladder from the category's handling level, but never to the district.
LADDER = ESCALATION_LADDER[:-1]
SOURCE_LABELS = {"model": "模型", "rules": "关键词规则"}


@dataclass(frozen=True)
class Suggestion:
    """The suggested category of a message.

    `first_level_name` is the classifier's first-level label ("" without a model or text); `category` the most
    specific suggested category (None when there is none); `confidence` that of `category` (the rule grade or
    the model's probability); `source` "rules", "model" or "".
    """

    first_level_name: str
    confidence: float
    category: Category | None
    source: str
    model_confidence: float = 0.0


NO_SUGGESTION = Suggestion(first_level_name="", confidence=0.0, category=None, source="")


def min_confidence() -> float:
    return float(getattr(settings, "SHEQU_CLASSIFIER_MIN_CONFIDENCE", DEFAULT_MIN_CONFIDENCE))


def _model_prediction(text: str) -> tuple[str, float]:
    """The classifier's label and confidence; ("", 0.0) without a model file (the case then goes to triage)."""
    try:
        from shequ.classifier import predict

        p = predict(text)
    except (OSError, ValueError, KeyError) as exc:
        logger.warning("classifier unavailable: %s", exc)
        return "", 0.0
    return p.label, float(p.confidence)


@dataclass(frozen=True)
class _Hits:
    specific: frozenset[str]
    generic: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.specific) + (len(self.generic) if self.specific else 0)

    @property
    def longest(self) -> int:
        return max((len(k) for k in self.specific), default=0)


def _hits(category: Category, text: str) -> _Hits:
    words = [k.strip().casefold() for k in (category.keywords or "").split("|") if k.strip()]
    found = {k for k in words if k in text}
    return _Hits(frozenset(found - GENERIC_KEYWORDS), frozenset(found & GENERIC_KEYWORDS))


def _rule_confidence(count: int) -> float:
    return RULE_CONFIDENCE.get(count, RULE_CONFIDENCE_MAX)


def match_rules(text: str, candidates: list[Category] | None = None) -> tuple[Category, int] | None:
    """The community-level category the keyword rules pick for `text`, with its number of matched keywords."""
    text = (text or "").casefold()
    if not text.strip():
        return None
    if candidates is None:
        candidates = list(
            Category.objects.filter(is_active=True, code__startswith=COMMUNITY_PREFIX, level__gte=2).order_by("code")
        )
    groups = [c for c in candidates if c.level == 2]
    children: dict[int, list[Category]] = {}
    for c in candidates:
        if c.level == 3 and c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    best: tuple[tuple[int, int, str], Category, list[tuple[Category, _Hits]]] | None = None
    for group in groups:
        own = _hits(group, text)
        kids = [(k, _hits(k, text)) for k in children.get(group.pk, [])]
        specific = set(own.specific).union(*(h.specific for _k, h in kids))
        if not specific:
            continue
        generic = set(own.generic).union(*(h.generic for _k, h in kids))
        score = len(specific) + len(generic)
        key = (score, max(len(k) for k in specific), _invert(group.code))
        if best is None or key > best[0]:
            best = (key, group, kids)
    if best is None:
        return None
    (score, _longest, _code), group, kids = best
    matched = [(k, h) for k, h in kids if h.specific]
    if not matched:
        return group, score
    child, _h = max(matched, key=lambda kh: (kh[1].count, kh[1].longest, _invert(kh[0].code)))
    return child, score


def _invert(code: str) -> str:
    """A sort key that makes the smaller code win a tie under max()."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in code)


def suggest_category(title: str, description: str) -> Suggestion:
    """Suggest the category of a message: keyword rules for community-level categories, else the model."""
    text = f"{(title or '').strip()} {(description or '').strip()}".strip()
    if not text:
        return NO_SUGGESTION
    label, model_confidence = _model_prediction(text)
    rule = match_rules(text)
    if rule is not None:
        category, count = rule
        return Suggestion(label, _rule_confidence(count), category, "rules", model_confidence)
    if label:
        first = Category.objects.filter(level=1, name=label, is_active=True).first()
        if first is not None:
            return Suggestion(label, model_confidence, first, "model", model_confidence)
    return Suggestion(label, 0.0, None, "", model_confidence)


def needs_triage(suggestion: Suggestion, *, chosen: Category | None) -> bool:
    """Whether a person must confirm the category: nobody chose one, and the suggestion is missing or weak.

    An installation without any active category (the tree not loaded) has nothing to triage into: never.
    """
    if chosen is not None:
        return False
    if suggestion.category is not None and suggestion.confidence >= min_confidence():
        return False
    return Category.objects.filter(is_active=True).exists()


# --- routing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteSuggestion:
    """The suggested lead for a case: an area of its ladder, or a department unit."""

    level: str
    category: Category
    area: Any = None
    unit: Any = None

    @property
    def target(self) -> Any:
        return self.unit if self.unit is not None else self.area

    @property
    def choice(self) -> str:
        """The value of the dispatch form's choice for this target ("a:<uuid>" or "u:<uuid>")."""
        if self.unit is not None:
            return f"u:{self.unit.public_id}"
        return f"a:{self.area.public_id}"

    def matches(self, target: Any) -> bool:
        """Whether `target` (an Area or a Unit) is the suggested one."""
        mine = self.target
        return target is not None and type(target) is type(mine) and target.pk == mine.pk


def _root(category: Category) -> Category:
    node = category
    while node.parent is not None:
        node = node.parent
    return node


def _ladder(case: Any) -> dict[str, Any]:
    micro = case.micro_grid
    grid = micro.parent if micro is not None else None
    community = case.community
    return {"micro_grid": micro, "grid": grid, "community": community, "street": community.parent}


def _department(case: Any, theme: str) -> Any:
    from shequ.organisations.selectors import dispatchable_units

    keywords = DEPARTMENT_KEYWORDS.get(theme, ())
    if not keywords:
        return None
    units = [
        u
        for u in dispatchable_units(case.micro_grid or case.community, compound=case.compound, building=case.building)
        if u.kind == "department"
    ]
    units.sort(key=lambda u: -len(u.area.path))  # the nearest unit first
    for word in keywords:
        for unit in units:
            if word in unit.name:
                return unit
    return None


def suggest_route(case: Any) -> RouteSuggestion | None:
    """Suggest who leads the case: by its category (else its suggested category) and its place; None when
    there is no category or no responsible unit is found."""
    category = case.category or case.suggested_category
    if category is None:
        return None
    level = category.handling_level
    if level in LADDER:
        ladder = _ladder(case)
        for rung in LADDER[LADDER.index(level) :]:
            if ladder[rung] is not None:
                return RouteSuggestion(level=rung, category=category, area=ladder[rung])
        return None
    unit = _department(case, _root(category).name)
    if unit is None:
        return None
    return RouteSuggestion(level="department", category=category, unit=unit)
