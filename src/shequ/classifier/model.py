"""The trained message classifier at run time: load the committed model and predict, with numpy only.

The model is linear over hashed character n-gram tf-idf features (see `features`): a category's score is
the dot product of the text's vector (plus `title_weight` times its first line's vector, when the text
has several lines) with that category's weights plus a bias, and the confidence is the
softmax of the scores times a temperature fitted on held-out data. The file is a plain .npz written with
fixed zip timestamps, so training the same data twice gives byte-identical files.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shequ.classifier.features import subject_lines, term_counts, tfidf

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.npz"
FORMAT_VERSION = 1
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Prediction:
    """The predicted first-level category, its confidence (0–1) and every category ranked by confidence."""

    label: str
    confidence: float
    ranked: list[tuple[str, float]]


EMPTY = Prediction(label="", confidence=0.0, ranked=[])


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    idf: np.ndarray  # (buckets,) float32; 0 for buckets pruned at training
    weights: np.ndarray  # (labels, buckets) float32
    bias: np.ndarray  # (labels,) float64
    temperature: float
    max_order: int
    bits: int
    title_weight: float

    def _linear(self, texts: Sequence[str]) -> np.ndarray:
        rows = tfidf(term_counts(texts, max_order=self.max_order, bits=self.bits), self.idf)
        out = np.empty((len(texts), len(self.labels)))
        for k in range(len(self.labels)):
            out[:, k] = np.bincount(rows.doc, weights=rows.value * self.weights[k, rows.bucket], minlength=len(texts))
        return out

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (texts, labels) matrix of linear scores."""
        out = self._linear(texts) + self.bias
        if self.title_weight:
            out += self.title_weight * self._linear(subject_lines(texts))
        return out

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        z = self.scores(texts) * self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_many(self, texts: Iterable[str | None]) -> list[Prediction]:
        items = [t or "" for t in texts]
        filled = [i for i, t in enumerate(items) if t.strip()]
        out = [EMPTY] * len(items)
        if not filled:
            return out
        probs = self.probabilities([items[i] for i in filled])
        order = np.argsort(-probs, axis=1, kind="stable")
        for row, i in enumerate(filled):
            ranked = [(self.labels[k], float(probs[row, k])) for k in order[row]]
            out[i] = Prediction(label=ranked[0][0], confidence=ranked[0][1], ranked=ranked)
        return out

    def to_bytes(self) -> bytes:
        """Serialise as .npz (weights as float16) with fixed zip timestamps: same model, same bytes."""
        arrays = {
            "meta": np.array([FORMAT_VERSION, self.max_order, self.bits], dtype=np.int64),
            "labels": np.array(self.labels),
            "idf": self.idf.astype(np.float16),
            "weights": self.weights.astype(np.float16),
            "bias": self.bias.astype(np.float64),
            "temperature": np.array([self.temperature], dtype=np.float64),
            "title_weight": np.array([self.title_weight], dtype=np.float64),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, array in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                data = io.BytesIO()
                np.lib.format.write_array(data, np.ascontiguousarray(array), allow_pickle=False)
                archive.writestr(info, data.getvalue(), compresslevel=9)
        return buffer.getvalue()

    @classmethod
    def from_file(cls, path: Path | str) -> Model:
        with np.load(path, allow_pickle=False) as data:
            version, max_order, bits = (int(v) for v in data["meta"])
            if version != FORMAT_VERSION:
                raise ValueError(f"{path}: model format {version}, this code reads {FORMAT_VERSION}")
            return cls(
                labels=tuple(str(label) for label in data["labels"]),
                idf=data["idf"].astype(np.float64),
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float64),
                temperature=float(data["temperature"][0]),
                title_weight=float(data["title_weight"][0]),
                max_order=max_order,
                bits=bits,
            )


_lock = threading.Lock()
_loaded: Model | None = None


def get_model() -> Model:
    """Return the committed model, loading it on first use (once per process, thread-safe)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = Model.from_file(MODEL_PATH)
    return _loaded


def predict(text: str | None) -> Prediction:
    """Classify one message text (title, details or both); empty text gives label "" and confidence 0."""
    return predict_many([text])[0]


def predict_many(texts: Iterable[str | None]) -> list[Prediction]:
    """Classify a batch of texts at once (much faster per text than `predict` in a loop)."""
    items = list(texts)
    if not any(t and t.strip() for t in items):
        return [EMPTY] * len(items)
    return get_model().predict_many(items)
