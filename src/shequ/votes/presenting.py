"""The tally in words and figures for pages: each item's participation and approval by area and by headcount
against its thresholds, the verdict, and the engine's explanation. Formatting only; the engine counts."""

from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from .counting import ItemResult
from .domain import CHOICE_LABELS, KIND_LABELS, Choice, ItemKind, area_text, meets_approval, meets_quorum, percent_text
from .rules import CONSENT_LABELS

QUORUM_WORDS = "≥ 2/3"


def _threshold(kind: ItemKind) -> str:
    return "≥ 3/4" if kind == ItemKind.SPECIAL else "> 1/2"


def _share(part: Any, whole: Any, share: Fraction, met: bool, threshold: str) -> dict[str, Any]:
    return {"part": part, "whole": whole, "percent": percent_text(share), "met": met, "threshold": threshold}


def item_view(result: ItemResult) -> dict[str, Any]:
    """A dict for the tally template: rows of figures, the verdict and the explanation."""
    item, kind = result.item, result.kind
    view: dict[str, Any] = {
        "position": item.position,
        "title": item.title,
        "kind": kind.value,
        "kind_label": KIND_LABELS[kind],
        "explanation": [str(s) for s in result.explanation],
    }
    if result.tally is not None:
        t = result.tally
        view["rows"] = [
            {
                "label": _("参与表决（面积）"),
                **_share(
                    f"{area_text(t.participating_area)}㎡",
                    f"{area_text(t.total_area)}㎡",
                    t.participation_area,
                    meets_quorum(t.participation_area),
                    QUORUM_WORDS,
                ),
            },
            {
                "label": _("参与表决（人数）"),
                **_share(
                    t.participating_owners,
                    t.total_owners,
                    t.participation_owners,
                    meets_quorum(t.participation_owners),
                    QUORUM_WORDS,
                ),
            },
            {
                "label": _("同意（面积）"),
                **_share(
                    f"{area_text(t.agree_area)}㎡",
                    f"{area_text(t.participating_area)}㎡",
                    t.approval_area,
                    meets_approval(kind, t.approval_area),
                    _threshold(kind),
                ),
            },
            {
                "label": _("同意（人数）"),
                **_share(
                    t.agree_owners,
                    t.participating_owners,
                    t.approval_owners,
                    meets_approval(kind, t.approval_owners),
                    _threshold(kind),
                ),
            },
        ]
        view["counts"] = [
            (CHOICE_LABELS[Choice.AGREE], t.agree_owners, area_text(t.agree_area)),
            (CHOICE_LABELS[Choice.OPPOSE], t.oppose_owners, area_text(t.oppose_area)),
            (CHOICE_LABELS[Choice.ABSTAIN], t.abstain_owners, area_text(t.abstain_area)),
        ]
        view["verdict"] = _("通过") if t.passed else (_("未通过") if t.valid else _("参与不足，表决无效"))
        view["passed"] = t.passed
    elif result.election is not None:
        e = result.election
        view["rows"] = [
            {
                "label": _("参与表决（面积）"),
                **_share(
                    f"{area_text(e.participating_area)}㎡",
                    f"{area_text(e.total_area)}㎡",
                    e.participation_area,
                    meets_quorum(e.participation_area),
                    QUORUM_WORDS,
                ),
            },
            {
                "label": _("参与表决（人数）"),
                **_share(
                    e.participating_owners,
                    e.total_owners,
                    e.participation_owners,
                    meets_quorum(e.participation_owners),
                    QUORUM_WORDS,
                ),
            },
        ]
        view["candidates"] = [
            {
                "name": c.candidate,
                "owners": c.owners,
                "owners_percent": percent_text(c.approval_owners),
                "area": area_text(c.area),
                "area_percent": percent_text(c.approval_area),
                "elected": c.elected,
                "qualified": c.qualified,
            }
            for c in e.candidates
        ]
        view["verdict"] = _("当选：%(names)s") % {"names": "、".join(e.elected)} if e.elected else _("无人当选")
        view["passed"] = bool(e.elected)
    elif result.consent is not None:
        c = result.consent
        view["counts"] = [
            (CONSENT_LABELS[Choice.AGREE], len(c.consented), ""),
            (CONSENT_LABELS[Choice.OPPOSE], len(c.refused), ""),
            (_("未答复"), len(c.missing), ""),
        ]
        view["verdict"] = _("已一致同意") if c.passed else _("未获一致同意")
        view["passed"] = c.passed
    return view


def answer_words(kind: str, value: Any) -> str:
    """A ballot's answer on one item in words (同意, 王芳、刘强, 未参与)."""
    if not value:
        return _("未参与")
    if isinstance(value, list):
        return "、".join(value)
    if kind == ItemKind.CONSENT:
        return str(CONSENT_LABELS.get(Choice(value), value))
    return str(CHOICE_LABELS.get(Choice(value), value))
