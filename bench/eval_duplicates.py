"""Evaluate the text part of duplicate detection (疑似重复诉求) on real messages, against committed labels.

Run from the checkout:
    .venv/bin/python bench/eval_duplicates.py candidates   # rebuild the pairs to label (scratch file, with text)
    .venv/bin/python bench/eval_duplicates.py evaluate     # precision / recall of the text rule on the labels

Data: ../shared/data/messages/hot_issue_messages.csv (columns 留言编号,留言用户,留言主题,留言时间,留言详情,
反对数,点赞数).
Its text may not be copied into the project, so the committed labels (bench/data/duplicate_labels.csv) hold only
pairs of 留言编号 with a source and a label; the scratch file with the texts is written outside the repository.

What is evaluated: the text rule of `shequ.analysis.duplicates.likely_duplicates`. The text of a case is
title + "\\n" + description (`_text`), here 留言主题 + "\\n" + 留言详情, scored by `textsim.text_similarity` (mean of
Jaccard and containment of character 2/3-grams). A case is suggested when the text score reaches `min_text`
(0.3) and the score reaches `threshold` (0.45); the score is the text score plus 0.1 for the same category and
0.1 for the same building. The file has neither, so the rule without boosts is "text >= 0.45"; with the category
boost it is "text >= 0.35" and with both boosts the `min_text` floor, "text >= 0.30". All three are reported.
The other route to a suggestion — same compound, same topic, within 7 days, whatever the wording — needs
compounds and categories the file lacks and is not evaluated here.

Pairs labelled (`candidates`):
1. block pairs: every pair of messages in the same district, posted at most 7 days apart, that share at least
   one place name. District = the first "A<n>区" / "A<n>县" / "A<n>市" (county-level units count as districts)
   in the title, else in the details; messages without one are not blocked together. Place names come from the
   PLACE pattern of bench/eval_hotspots.py, cleaned: anything up to the last administrative prefix (A市, A3区,
   ...) and leading function characters are cut off, and names whose stem is generic ("我们小区", "物业公司",
   "自来水公司") are dropped (`GENERIC_STEMS`).
2. random pairs: `RANDOM_PAIRS` pairs drawn with seed `SEED` from all pairs of messages (ordered by 留言编号) that
   are not block pairs, whatever their district or date.

Labelling rule (done by a person reading the title and the details of both messages, never from the score):
1 = the two messages report the same concrete problem at the same place — the same issue a community worker
would merge into one case, even if worded differently (also: the same person posting the same complaint twice,
or a follow-up about exactly the same unresolved problem); 0 = otherwise, including the same road or compound
with a different problem, and the same kind of problem at different places. The committed labels were made
this way once: every block pair from the title and the details, every random pair from the two titles (none of
the 500 turned out to be a duplicate).

`evaluate` prints, for each of the three thresholds, precision / recall / F1 and the confusion counts for block
pairs, random pairs and both; a table over thresholds 0.20 .. 0.70; and, for comparison only, the same similarity
on the titles alone and max(title, title + description), which are not the product rule.

Precision and recall are relative to the labelled set (block pairs + random pairs), not to all ~9 million
pairs: duplicates outside the blocks that the random sample did not hit are not counted, and the random pairs
stand for far more pairs than their number, so a false positive among them weighs more than it looks.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from shequ.analysis import textsim  # noqa: E402  (pure module: no Django needed)

BENCH = Path(__file__).resolve().parent
DEFAULT_CSV = BENCH.parents[1] / "shared" / "data" / "messages" / "hot_issue_messages.csv"
DEFAULT_LABELS = BENCH / "data" / "duplicate_labels.csv"
DEFAULT_SCRATCH = Path("/tmp/dup_eval/pairs.jsonl")

BLOCK_DAYS = 7
RANDOM_PAIRS = 500
SEED = 20240607
# Thresholds on the text score alone under the product defaults (DuplicateSettings): no boost, category boost,
# category + building boost (the `min_text` floor).
PRODUCT_RULES = ((0.45, "threshold 0.45, no boost"), (0.35, "0.45 - category boost"), (0.30, "min_text floor"))
TABLE_THRESHOLDS = tuple(round(0.20 + 0.05 * i, 2) for i in range(11))  # 0.20 .. 0.70

DISTRICT = re.compile(r"A\d+[区县市]")
PLACE_SUFFIXES = (
    "小区|花园|家园|公寓|大厦|广场|路|街|巷|村|镇|乡|社区|学院|大学|学校|中学|小学|医院|公司|市场|车站|项目"
)
PLACE = re.compile(rf"[\u4e00-\u9fa5A-Za-z0-9]{{2,8}}?(?:{PLACE_SUFFIXES})")  # as in bench/eval_hotspots.py
SUFFIX = re.compile(rf"(?:{PLACE_SUFFIXES})$")
ADMIN_PREFIX = re.compile(r"^.*A\d*[市区县]")
LEADING = set("在于的到是和及与对向从把被让给将由为了也都还就有请我你他们这那该此其各个本整道段处位")
GENERIC_STEMS = frozenset(
    "我们 而我们 导致 严重影响 影响 现在 目前 整个 这条 物业 有限 但是 周边 造成 使得 安置 没有 作为 交叉 十字 "
    "公交线 公交 马路 过马 距铁 距离 街道 附近 新建 所在 居住 旁边 这个 所有 多个 一个 城市 自来水 燃气 "
    "住房和城 建设 全体 现在道 快速 城际铁 步行 政工程有限 西地省分 西地省住房和城".split()
)


@dataclass(frozen=True)
class Message:
    id: int
    title: str
    detail: str
    at: datetime
    district: str | None
    places: frozenset[str]

    @property
    def text(self) -> str:
        """What the product compares: title + newline + description (`duplicates._text`)."""
        return f"{self.title}\n{self.detail}"


def parse_time(value: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"unreadable time: {value!r}")


def district_of(title: str, detail: str) -> str | None:
    found = DISTRICT.search(title) or DISTRICT.search(detail)
    return found.group(0) if found else None


def place_names(text: str) -> frozenset[str]:
    """Specific place names: PLACE matches without administrative prefix, leading function characters, generic stems."""
    out = set()
    for match in PLACE.finditer(text):
        name = ADMIN_PREFIX.sub("", match.group(0))
        while name and name[0] in LEADING:
            name = name[1:]
        suffix = SUFFIX.search(name)
        if suffix is None:
            continue
        stem = name[: suffix.start()]
        if len(stem) >= 2 and stem not in GENERIC_STEMS:
            out.add(name)
    return frozenset(out)


def read(path: Path) -> list[Message]:
    messages = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            title = (row.get("留言主题") or "").strip()
            detail = (row.get("留言详情") or "").strip()
            messages.append(
                Message(
                    id=int(row["留言编号"]),
                    title=title,
                    detail=detail,
                    at=parse_time(row.get("留言时间") or ""),
                    district=district_of(title, detail),
                    places=place_names(f"{title}\n{detail}"),
                )
            )
    return sorted(messages, key=lambda m: m.id)


def block_pairs(messages: list[Message]) -> set[tuple[int, int]]:
    """Pairs (a < b by 留言编号): same district, at most BLOCK_DAYS apart, sharing a place name."""
    by_district: dict[str, list[Message]] = {}
    for m in messages:
        if m.district is not None:
            by_district.setdefault(m.district, []).append(m)
    window = BLOCK_DAYS * 86400
    pairs = set()
    for members in by_district.values():
        members.sort(key=lambda m: (m.at, m.id))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (b.at - a.at).total_seconds() > window:
                    break
                if a.places & b.places:
                    pairs.add((min(a.id, b.id), max(a.id, b.id)))
    return pairs


def random_pairs(messages: list[Message], exclude: set[tuple[int, int]], n: int, seed: int) -> list[tuple[int, int]]:
    """`n` distinct pairs drawn uniformly from all pairs not in `exclude` (messages ordered by 留言编号)."""
    rng = random.Random(seed)
    ids = [m.id for m in messages]
    drawn: list[tuple[int, int]] = []
    seen = set(exclude)
    while len(drawn) < n:
        a, b = sorted(rng.sample(ids, 2))
        if (a, b) not in seen:
            seen.add((a, b))
            drawn.append((a, b))
    return drawn


def candidates(args: argparse.Namespace) -> None:
    messages = read(args.csv)
    by_id = {m.id: m for m in messages}
    blocks = sorted(block_pairs(messages))
    drawn = random_pairs(messages, set(blocks), RANDOM_PAIRS, SEED)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for source, pairs in (("block", blocks), ("random", drawn)):
            for a, b in pairs:
                ma, mb = by_id[a], by_id[b]
                # No similarity score in here: the labeller must not see it.
                record = {
                    "a": a,
                    "b": b,
                    "source": source,
                    "shared_places": sorted(ma.places & mb.places),
                    "district": [ma.district, mb.district],
                    "at": [f"{ma.at:%Y-%m-%d %H:%M}", f"{mb.at:%Y-%m-%d %H:%M}"],
                    "title": [ma.title, mb.title],
                    "detail": [ma.detail, mb.detail],
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    districts = sum(1 for m in messages if m.district)
    placed = sum(1 for m in messages if m.places)
    print(f"messages: {len(messages)}, with a district: {districts}, with a place name: {placed}")
    print(f"block pairs: {len(blocks)}; random pairs: {len(drawn)} (seed {SEED})")
    print(f"written (with text, keep outside the repository): {args.out}")


def read_labels(path: Path) -> list[tuple[int, int, str, int]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(int(r["a"]), int(r["b"]), r["source"], int(r["label"])) for r in csv.DictReader(fh)]


def confusion(scored: list[tuple[float, int]], threshold: float) -> tuple[int, int, int, int]:
    tp = sum(1 for s, y in scored if s >= threshold and y == 1)
    fp = sum(1 for s, y in scored if s >= threshold and y == 0)
    fn = sum(1 for s, y in scored if s < threshold and y == 1)
    tn = sum(1 for s, y in scored if s < threshold and y == 0)
    return tp, fp, fn, tn


def ratio(num: int, den: int) -> str:
    """num / den with three decimals, or "n/a" when undefined (no predicted or no actual duplicates)."""
    return f"{num / den:.3f}" if den else "n/a"


def metrics_row(label: str, scored: list[tuple[float, int]], threshold: float) -> str:
    tp, fp, fn, tn = confusion(scored, threshold)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    return (
        f"{label:<26} {len(scored):>6} {tp:>4} {fp:>4} {fn:>4} {tn:>5} "
        f"{ratio(tp, tp + fp):>6} {ratio(tp, tp + fn):>6} {f1:>6}"
    )


def evaluate(args: argparse.Namespace) -> None:
    messages = read(args.csv)
    by_id = {m.id: m for m in messages}
    labels = sorted(read_labels(args.labels), key=lambda row: row[2] != "block")  # block pairs first
    missing = [(a, b) for a, b, _, _ in labels if a not in by_id or b not in by_id]
    if missing:
        raise SystemExit(f"{len(missing)} labelled pairs name messages not in {args.csv}, e.g. {missing[:3]}")
    expected = block_pairs(messages)
    labelled_blocks = {(a, b) for a, b, source, _ in labels if source == "block"}
    if labelled_blocks != expected:
        print(
            f"warning: the labelled block pairs differ from the current blocks "
            f"({len(labelled_blocks - expected)} extra, {len(expected - labelled_blocks)} unlabelled)"
        )
    scored: dict[str, list[tuple[float, int]]] = {"block": [], "random": []}
    title_only: list[tuple[float, int]] = []
    for a, b, source, label in labels:
        ma, mb = by_id[a], by_id[b]
        scored[source].append((textsim.text_similarity(ma.text, mb.text), label))
        title_only.append((textsim.text_similarity(ma.title, mb.title), label))
    scored["all"] = scored["block"] + scored["random"]

    print("Text rule of likely_duplicates (text = title + description) on labelled pairs of hot_issue_messages.csv.")
    print("Precision and recall are RELATIVE TO THE LABELLED SET (block pairs + random pairs), not to all pairs.")
    for name in ("block", "random", "all"):
        rows = scored[name]
        print(f"  {name:>6}: {len(rows)} pairs, {sum(y for _, y in rows)} duplicates")
    print()
    print(f"{'rule':<26} {'pairs':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>5} {'prec':>6} {'recall':>6} {'F1':>6}")
    for threshold, rule in PRODUCT_RULES:
        for name in ("block", "random", "all"):
            print(metrics_row(f"text>={threshold:.2f} {name}", scored[name], threshold))
        print(f"  ({rule})")
    random_fp = confusion(scored["random"], min(t for t, _ in PRODUCT_RULES))[1]
    n_random = len(scored["random"])
    if n_random and random_fp == 0:
        # Rule of three: no event in n trials bounds its rate below 3/n with 95% confidence.
        print(
            f"  random pairs: 0 of {n_random} flagged, so the rate among unrelated pairs is < {3 / n_random:.1%} (95%)"
        )
    print()
    print("Trade-off over thresholds on the text score (all labelled pairs):")
    header = f"{'threshold':>9} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6} {'F1':>6}"
    print(f"{header}  {'FP among random':>15}")
    for threshold in TABLE_THRESHOLDS:
        tp, fp, fn, _ = confusion(scored["all"], threshold)
        flagged_random = confusion(scored["random"], threshold)[1]
        print(
            f"{threshold:>9.2f} {tp:>4} {fp:>4} {fn:>4} {ratio(tp, tp + fp):>6} {ratio(tp, tp + fn):>6} "
            f"{ratio(2 * tp, 2 * tp + fp + fn):>6}  {flagged_random:>15}"
        )
    duplicates = sorted(s for s, y in scored["all"] if y == 1)
    if duplicates:
        quartiles = [duplicates[int(q * (len(duplicates) - 1))] for q in (0, 0.25, 0.5, 0.75, 1)]
        print()
        summary = ", ".join(f"{q:.2f}" for q in quartiles)
        print(f"text score of labelled duplicates (min, q1, median, q3, max): {summary}")
    print()
    print("For comparison only (NOT the product rule): the same similarity on the titles alone, and the larger of")
    print("the two scores, at the product threshold 0.45:")
    either = [(max(t, s), y) for (t, y), (s, _) in zip(title_only, scored["all"], strict=True)]
    print(metrics_row("title only >= 0.45", title_only, 0.45))
    print(metrics_row("max(title, text) >= 0.45", either, 0.45))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    sub = parser.add_subparsers(dest="command", required=True)
    cand = sub.add_parser("candidates", help="write the pairs to label, with their text, to a scratch file")
    cand.add_argument("--out", type=Path, default=DEFAULT_SCRATCH)
    ev = sub.add_parser("evaluate", help="precision / recall of the text rule on the committed labels")
    ev.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    args = parser.parse_args()
    {"candidates": candidates, "evaluate": evaluate}[args.command](args)


if __name__ == "__main__":
    main()
