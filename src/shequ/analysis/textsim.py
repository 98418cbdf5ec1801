"""Text similarity of short Chinese reports: normalisation, character n-gram shingles, set overlap, MinHash.

Rules encoded here (pure Python, stdlib only, no Django):
- normalise: Unicode NFKC (full-width letters and digits become half-width), lower case, and every character
  that is not a letter or a digit (punctuation, spaces, emoji) removed, so "3栋，楼下 广场舞！" and "3栋楼下广场舞"
  compare equal;
- shingles: the set of character 2-grams and 3-grams of the normalised text (Chinese has no spaces, so
  character n-grams stand in for words; a text shorter than n yields itself as one shingle);
- similarity: the mean of Jaccard (|A∩B| / |A∪B|) and containment (|A∩B| / min(|A|,|B|)); containment lets a
  short title match the long description that repeats it, Jaccard keeps a short text from matching every long
  one that merely contains its few characters;
- MinHash: `num_perm` salted 64-bit BLAKE2b minima per set; the share of equal minima estimates Jaccard and
  banding gives candidate pairs without comparing all pairs (used by the hot-issue evaluation, not by the
  request path, which compares at most a few hundred texts exactly).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

__all__ = [
    "containment",
    "jaccard",
    "lsh_candidate_pairs",
    "minhash",
    "minhash_similarity",
    "normalise",
    "shingles",
    "similarity",
    "text_similarity",
]

DEFAULT_SIZES = (2, 3)


def normalise(text: str) -> str:
    """NFKC, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch.isalnum())


def shingles(text: str, sizes: Sequence[int] = DEFAULT_SIZES) -> frozenset[str]:
    """Character n-grams of the normalised text for each n in `sizes` (a text shorter than n counts once)."""
    norm = normalise(text)
    if not norm:
        return frozenset()
    out: set[str] = set()
    for n in sizes:
        if len(norm) <= n:
            out.add(norm)
        else:
            out.update(norm[i : i + n] for i in range(len(norm) - n + 1))
    return frozenset(out)


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|A∩B| / |A∪B|; 0 when either set is empty."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|A∩B| / min(|A|,|B|): how much of the smaller set the larger one contains; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def similarity(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Mean of Jaccard and containment, in [0, 1]."""
    return (jaccard(a, b) + containment(a, b)) / 2


def text_similarity(a: str, b: str, sizes: Sequence[int] = DEFAULT_SIZES) -> float:
    """`similarity` of the shingles of two texts."""
    return similarity(shingles(a, sizes), shingles(b, sizes))


_MASK64 = (1 << 64) - 1


def _hash64(item: str) -> int:
    return int.from_bytes(hashlib.blake2b(item.encode("utf-8"), digest_size=8).digest(), "big")


def _salts(num_perm: int) -> list[tuple[int, int]]:
    # Fixed, derived from the index: the same text always gets the same signature (deterministic evaluation).
    out = []
    for i in range(num_perm):
        digest = hashlib.blake2b(f"shequ-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") | 1
        b = int.from_bytes(digest[8:], "big")
        out.append((a, b))
    return out


_SALT_CACHE: dict[int, list[tuple[int, int]]] = {}


def minhash(items: Iterable[str], num_perm: int = 64) -> tuple[int, ...]:
    """MinHash signature: for each of `num_perm` affine permutations of a 64-bit hash, the minimum over the set.

    An empty set gets an all-maximum signature (it matches only other empty sets).
    """
    salts = _SALT_CACHE.get(num_perm)
    if salts is None:
        salts = _SALT_CACHE[num_perm] = _salts(num_perm)
    hashes = [_hash64(x) for x in items]
    if not hashes:
        return tuple([_MASK64] * num_perm)
    return tuple(min(((a * h + b) & _MASK64) for h in hashes) for a, b in salts)


def minhash_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of equal positions of two signatures of the same length (an estimate of Jaccard)."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def lsh_candidate_pairs(signatures: Sequence[Sequence[int]], bands: int = 16) -> set[tuple[int, int]]:
    """Index pairs (i < j) whose signatures agree on all rows of at least one of `bands` bands.

    With r = len(signature) / bands rows per band a pair of Jaccard s becomes a candidate with probability
    1 - (1 - s^r)^bands (64 values, 16 bands of 4: ≈ 0.5 at s = 0.5, ≈ 0.98 at s = 0.7).
    """
    pairs: set[tuple[int, int]] = set()
    if not signatures:
        return pairs
    rows = len(signatures[0]) // bands
    for band in range(bands):
        buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i, sig in enumerate(signatures):
            buckets[tuple(sig[band * rows : (band + 1) * rows])].append(i)
        for members in buckets.values():
            if 1 < len(members) <= 200:  # a huge bucket is boilerplate shared by everyone, not a duplicate
                for x in range(len(members)):
                    for y in range(x + 1, len(members)):
                        pairs.add((members[x], members[y]))
    return pairs
