"""Text features of the message classifier: hashed character n-grams, computed with numpy only.

Rules:
- Text is folded on its code points: full-width ASCII forms become ASCII (the common part of NFKC for
  Chinese text), ASCII letters lower case, every whitespace character a space and every digit "0" (place
  codes such as "A7县" or dates carry no category).
- Features are the character n-grams of orders 1..max_order, hashed with a fixed polynomial rolling hash
  and a multiplicative mix (not Python's salted `hash`) into 2**bits buckets, so the same text gives the
  same features in every process.
- A document's vector is sublinear tf (1 + ln tf) times the bucket's idf, L2-normalised.
- The first line of a text of several lines is its subject (a message is "title\ndetails"): its own
  vector, times the model's title weight, is added to the text's vector (see `subject_lines`).

Everything works on whole batches: the texts are joined into one array of code points and the n-grams of
all of them are hashed at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_SPACES = re.compile(r"\s+")
_DIGITS = str.maketrans("0123456789", "0000000000")
_PRIME = np.uint64(0x100000001B3)
# One odd multiplier per n-gram order (Fibonacci hashing keeps the well-mixed top bits).
_MIX = [np.uint64(m) for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)]
_SEPARATOR = 0
_WHITESPACE = np.array([9, 10, 11, 12, 13, 0x85, 0xA0, 0x2028, 0x2029, 0x3000], dtype=np.uint64)
# normalise() maps digits like the feature code does, so both agree on what "the same text" is.


def normalise(text: str) -> str:
    """Return the canonical form of a text for comparing messages (whitespace runs collapsed, trimmed)."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_DIGITS)
    return _SPACES.sub(" ", text).strip().replace("\x00", " ")


def ngram_hashes(
    texts: Sequence[str], *, max_order: int, bits: int, min_order: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Return (document index, bucket) of every character n-gram of the texts."""
    if max_order > len(_MIX):
        raise ValueError(f"n-gram orders up to {len(_MIX)} are supported")
    if not texts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    joined = "\x00".join(t.replace("\x00", " ") for t in texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    fullwidth = (codes >= 0xFF01) & (codes <= 0xFF5E)
    codes[fullwidth] -= np.uint64(0xFEE0)
    codes[(codes >= 65) & (codes <= 90)] += np.uint64(32)
    codes[(codes >= 48) & (codes <= 57)] = 48
    codes[np.isin(codes, _WHITESPACE)] = 32
    is_sep = codes == _SEPARATOR
    doc_of = np.cumsum(is_sep) - is_sep  # position -> document index
    sep_before = np.concatenate(([0], np.cumsum(is_sep)))  # number of separators in codes[:i]
    shift = np.uint64(64 - bits)
    docs: list[np.ndarray] = []
    buckets: list[np.ndarray] = []
    rolling = codes + np.uint64(1)
    n = len(codes)
    for order in range(1, max_order + 1):
        if order > 1:
            rolling = rolling[:-1] * _PRIME + codes[order - 1 :] + np.uint64(1)
        starts = n - order + 1
        if starts <= 0:
            break
        if order < min_order:
            continue
        valid = sep_before[order : order + starts] == sep_before[:starts]
        docs.append(doc_of[:starts][valid])
        buckets.append(((rolling[valid] * _MIX[order - 1]) >> shift).astype(np.int64))
    return np.concatenate(docs).astype(np.int64), np.concatenate(buckets)


@dataclass(frozen=True)
class SparseRows:
    """Rows of a sparse matrix in CSR order: `doc[i]` is the row of (bucket[i], value[i]), rows ascending."""

    n_rows: int
    doc: np.ndarray
    bucket: np.ndarray
    value: np.ndarray

    def indptr(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(np.bincount(self.doc, minlength=self.n_rows))))


def term_counts(texts: Sequence[str], *, max_order: int, bits: int) -> SparseRows:
    """Return the n-gram bucket counts of each text."""
    doc, bucket = ngram_hashes(texts, max_order=max_order, bits=bits)
    keys = (doc << bits) | bucket
    unique, counts = np.unique(keys, return_counts=True)
    return SparseRows(len(texts), unique >> bits, unique & ((1 << bits) - 1), counts.astype(np.float64))


def tfidf(counts: SparseRows, idf: np.ndarray) -> SparseRows:
    """Weight counts by sublinear tf and idf and L2-normalise each row (empty rows stay empty)."""
    value = (1.0 + np.log(counts.value)) * idf[counts.bucket]
    norms = np.sqrt(np.bincount(counts.doc, weights=value * value, minlength=counts.n_rows))
    norms[norms == 0] = 1.0
    return SparseRows(counts.n_rows, counts.doc, counts.bucket, value / norms[counts.doc])


def subject_lines(texts: Sequence[str]) -> list[str]:
    """The first line of each text that has more than one line, else "" (a single line is not repeated)."""
    stripped = [t.strip() for t in texts]
    return [t.split("\n", 1)[0] if "\n" in t else "" for t in stripped]
