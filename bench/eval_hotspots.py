"""Evaluate hot-spot clustering on the hot-issue messages (留言, with 点赞数 supports and 反对数 objections).

Run: `python bench/eval_hotspots.py [--csv PATH] [--window-days 30] [--threshold 0.3]`
(default file: ../shared/data/messages/hot_issue_messages.csv, columns 留言编号,留言用户,留言主题,留言时间,留言详情,
反对数,点赞数). Nothing of the file is stored in the project; the script prints counts and at most 20 characters of
a title per cluster.

Method (the text part of the product's rules, `shequ.analysis.textsim`, without categories or communities, which
the file does not have):
1. text = title + the first 300 characters of the details, as character 2/3-gram shingles; shingles found in
   more than 2% of the messages (greetings, "A市", "请问") are dropped as boilerplate;
2. candidate pairs share at least 3 remaining shingles and were posted within `--window-days` of each other
   (an inverted index, not all pairs);
3. a pair is linked when the mean of Jaccard and containment of the remaining shingles, plus 0.15 when both
   name the same place (a name ending in 小区, 路, 街, 村, 镇, 学院, 学校, 花园, 广场 …), reaches `--threshold`;
4. clusters are the connected components of the links (single linkage); a cluster of at least 3 messages is a
   hot spot.
Then: how many hot spots, the top 10 by size (size, dates, supports, objections, an example title), and whether
size goes with supports (Spearman rank correlation over clusters of ≥ 2; share of the most-supported messages
that lie in a hot spot against the share of all messages that do).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from shequ.analysis import textsim  # noqa: E402  (pure module: no Django needed)

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "messages" / "hot_issue_messages.csv"
PLACE = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{2,8}?(?:小区|花园|家园|公寓|大厦|广场|路|街|巷|村|镇|乡|社区|学院|大学|学校|中学|小学|医院|公司|市场|车站|项目)"
)
DETAIL_CHARS = 300
BOILERPLATE_DF = 0.02
MIN_SHARED = 3
PLACE_BOOST = 0.15


def parse_time(value: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"unreadable time: {value!r}")


def read(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            title = (row.get("留言主题") or "").strip()
            detail = (row.get("留言详情") or "").strip()
            rows.append(
                {
                    "id": row.get("留言编号"),
                    "title": title,
                    "text": f"{title}\n{detail[:DETAIL_CHARS]}",
                    "at": parse_time(row.get("留言时间") or ""),
                    "likes": int(row.get("点赞数") or 0),
                    "against": int(row.get("反对数") or 0),
                }
            )
    return rows


def places(text: str) -> set[str]:
    return {m.group(0)[-8:] for m in PLACE.finditer(text)}


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def cluster(rows: list[dict], window_days: int, threshold: float) -> tuple[list[list[int]], dict[str, int]]:
    sets = [textsim.shingles(r["text"]) for r in rows]
    df = Counter(s for shingle_set in sets for s in shingle_set)
    limit = max(2, int(BOILERPLATE_DF * len(rows)))
    sets = [frozenset(s for s in shingle_set if df[s] <= limit) for shingle_set in sets]
    place_sets = [places(r["text"]) for r in rows]
    index: dict[str, list[int]] = defaultdict(list)
    for i, shingle_set in enumerate(sets):
        for s in shingle_set:
            index[s].append(i)
    shared: Counter[tuple[int, int]] = Counter()
    window = window_days * 86400
    for members in index.values():
        if len(members) < 2:
            continue
        for x in range(len(members)):
            a = members[x]
            for y in range(x + 1, len(members)):
                b = members[y]
                if abs((rows[a]["at"] - rows[b]["at"]).total_seconds()) <= window:
                    shared[(a, b)] += 1
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    compared = links = 0
    for (a, b), n in shared.items():
        if n < MIN_SHARED:
            continue
        compared += 1
        score = textsim.similarity(sets[a], sets[b])
        if place_sets[a] & place_sets[b]:
            score += PLACE_BOOST
        if score >= threshold:
            links += 1
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    stats = {"kept_shingle_df_limit": limit, "pairs_sharing": len(shared), "pairs_compared": compared, "links": links}
    return sorted(groups.values(), key=lambda g: (-len(g), min(g))), stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--window-days", type=int, default=30)
    parser.add_argument("--threshold", type=float, default=0.3)
    args = parser.parse_args()

    started = time.perf_counter()
    rows = read(args.csv)
    clusters, stats = cluster(rows, args.window_days, args.threshold)
    elapsed = time.perf_counter() - started

    total_likes = sum(r["likes"] for r in rows)
    hot = [c for c in clusters if len(c) >= 3]
    multi = [c for c in clusters if len(c) >= 2]
    print(f"messages: {len(rows)}  ({min(r['at'] for r in rows):%Y-%m-%d} .. {max(r['at'] for r in rows):%Y-%m-%d})")
    print(f"supports (点赞数) total: {total_likes}, objections (反对数) total: {sum(r['against'] for r in rows)}")
    print(
        f"window {args.window_days} days, threshold {args.threshold}: pairs sharing a rare shingle "
        f"{stats['pairs_sharing']}, compared {stats['pairs_compared']}, linked {stats['links']} "
        f"(shingles in > {stats['kept_shingle_df_limit']} messages dropped); {elapsed:.1f} s"
    )
    in_hot = sum(len(c) for c in hot)
    print(
        f"clusters of >= 2: {len(multi)}; hot spots (>= 3 messages): {len(hot)} "
        f"covering {in_hot} messages ({in_hot / len(rows):.1%})"
    )
    print()
    print(f"{'#':>2} {'size':>4} {'first':>10} {'last':>10} {'days':>4} {'点赞':>6} {'反对':>5}  example title")
    for rank, members in enumerate(hot[:10], 1):
        first = min(rows[i]["at"] for i in members)
        last = max(rows[i]["at"] for i in members)
        likes = sum(rows[i]["likes"] for i in members)
        against = sum(rows[i]["against"] for i in members)
        example = max(members, key=lambda i: (rows[i]["likes"], -i))
        print(
            f"{rank:>2} {len(members):>4} {first:%Y-%m-%d} {last:%Y-%m-%d} {(last - first).days:>4} "
            f"{likes:>6} {against:>5}  {rows[example]['title'][:20]}"
        )
    print()
    sizes = [float(len(c)) for c in multi]
    likes = [float(sum(rows[i]["likes"] for i in c)) for c in multi]
    mean_likes = [float(sum(rows[i]["likes"] for i in c)) / len(c) for c in multi]
    print(f"Spearman(size, total 点赞) over {len(multi)} clusters of >= 2: {spearman(sizes, likes):.3f}")
    print(f"Spearman(size, mean 点赞 per message) over the same: {spearman(sizes, mean_likes):.3f}")
    hot_members = {i for c in hot for i in c}
    ranked = sorted(range(len(rows)), key=lambda i: -rows[i]["likes"])
    for top in (10, 50, 200):
        share = sum(1 for i in ranked[:top] if i in hot_members) / top
        print(f"top {top:>3} messages by 点赞: {share:.0%} lie in a hot spot (base rate {in_hot / len(rows):.0%})")
    top10_likes = sum(sum(rows[i]["likes"] for i in c) for c in hot[:10])
    print(f"top 10 hot spots by size hold {top10_likes} of {total_likes} supports ({top10_likes / total_likes:.1%})")


if __name__ == "__main__":
    main()
