"""Training the message classifier from the labelled messages (needs scikit-learn: the `dev` extra).

Data (`../shared/data/messages/` beside the checkout, or `SHEQU_MESSAGES_DIR`): titles_labelled.csv
(title,label), details_labelled.csv (detail,label), messages_full_labelled.csv and
messages_sample_labelled.csv (留言主题, 留言详情, 一级标签). Every full row gives two examples, title +
details and the title alone, so one model serves short titles and long messages.

The model is a multi-class LinearSVC (balanced class weights) plus `nb_weight` times an NB-SVM (per category,
a binary LinearSVC over the features scaled by the naive-Bayes log-count ratio, the ratio folded back into the
weights), so it stays one linear model and run time is unchanged.

Training is deterministic: examples are sorted, the solver is liblinear with a fixed seed on one thread,
and the model file has fixed timestamps, so the same data gives a byte-identical model.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shequ.classifier.features import SparseRows, subject_lines, term_counts
from shequ.classifier.model import Model

PROJECT_DIR = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = Path(os.environ.get("SHEQU_MESSAGES_DIR", PROJECT_DIR.parent / "shared" / "data" / "messages"))
FILES = {
    "titles_labelled.csv": ("title", None, "label"),
    "details_labelled.csv": (None, "detail", "label"),
    "messages_full_labelled.csv": ("留言主题", "留言详情", "一级标签"),
    "messages_sample_labelled.csv": ("留言主题", "留言详情", "一级标签"),
}


@dataclass(frozen=True)
class Record:
    """One labelled message as found in a data file: title and/or details."""

    source: str
    title: str
    detail: str
    label: str


@dataclass(frozen=True)
class Config:
    max_order: int = 3
    bits: int = 20
    min_df: int = 2
    c: float = 1.0
    temperature: float = 3.0
    title_weight: float = 0.5
    # NB-SVM part: one-vs-rest linear SVMs over features scaled by each category's naive-Bayes log-count
    # ratio, added to the multi-class SVM's scores (a sum of linear models is one linear model); 0 = off.
    nb_weight: float = 0.3
    nb_c: float = 0.3
    nb_alpha: float = 1.0


class TrainingError(Exception):
    pass


def full_text(title: str, detail: str) -> str:
    """The text classified for a message with a title and details."""
    return f"{title}\n{detail}" if title and detail else title or detail


def load_records(data_dir: Path | str = DEFAULT_DATA_DIR) -> list[Record]:
    """Read every labelled file of `data_dir`; raise TrainingError naming what is missing."""
    data_dir = Path(data_dir)
    records: list[Record] = []
    found = 0
    for name, (title_col, detail_col, label_col) in FILES.items():
        path = data_dir / name
        if not path.exists():
            continue
        found += 1
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            needed = [c for c in (title_col, detail_col, label_col) if c]
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise TrainingError(f"{path}: missing column(s) {', '.join(missing)}")
            for row in reader:
                title = (row[title_col] or "").strip() if title_col else ""
                detail = (row[detail_col] or "").strip() if detail_col else ""
                label = (row[label_col] or "").strip()
                if label and (title or detail):
                    records.append(Record(name, title, detail, label))
    if not found:
        raise TrainingError(f"{data_dir}: none of {', '.join(FILES)} found")
    return records


def training_examples(records: Iterable[Record]) -> list[tuple[str, str]]:
    """Return the sorted (text, label) examples of the records (a full row also gives its title alone)."""
    examples = set()
    for r in records:
        examples.add((full_text(r.title, r.detail), r.label))
        if r.title and r.detail:
            examples.add((r.title, r.label))
    return sorted(examples)


def _matrix(rows: SparseRows, n_cols: int):  # noqa: ANN202  (scipy is a training-only dependency)
    from scipy.sparse import csr_matrix

    return csr_matrix((rows.value, rows.bucket, rows.indptr()), shape=(rows.n_rows, n_cols))


def nb_ratios(x, y: np.ndarray, n_labels: int, alpha: float) -> np.ndarray:  # noqa: ANN001
    """The (labels, features) naive-Bayes log-count ratios of binarised features, one category against the rest."""
    present = x.copy()
    present.data[:] = 1.0
    total = np.asarray(present.sum(axis=0)).ravel()
    ratios = np.empty((n_labels, x.shape[1]))
    for k in range(n_labels):
        p = alpha + np.asarray(present[y == k].sum(axis=0)).ravel()
        q = alpha + total - (p - alpha)
        ratios[k] = np.log(p / p.sum()) - np.log(q / q.sum())
    return ratios


def _nbsvm(x, y: np.ndarray, n_labels: int, config: Config) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """NB-SVM (Wang & Manning 2012), one category against the rest: weights folded back onto the features."""
    from sklearn.svm import LinearSVC

    ratios = nb_ratios(x, y, n_labels, config.nb_alpha)
    weights = np.empty_like(ratios)
    bias = np.empty(n_labels)
    for k in range(n_labels):
        svm = LinearSVC(C=config.nb_c, class_weight="balanced", random_state=0, max_iter=5000, dual=True)
        svm.fit(x.multiply(ratios[k]).tocsr(), (y == k).astype(np.int64))
        weights[k] = svm.coef_[0] * ratios[k]
        bias[k] = svm.intercept_[0]
    return weights, bias


def fit(examples: Sequence[tuple[str, str]], config: Config = Config()) -> Model:
    """Train a model on (text, label) examples."""
    try:
        from sklearn.svm import LinearSVC
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise TrainingError("training needs scikit-learn: pip install -e '.[dev]'") from exc
    from threadpoolctl import threadpool_limits

    from shequ.classifier.features import tfidf

    labels = tuple(sorted({label for _, label in examples}))
    if len(labels) < 2:
        raise TrainingError("training needs at least two categories")
    texts = [t for t, _ in examples]
    y = np.array([labels.index(label) for _, label in examples])
    n_buckets = 1 << config.bits
    counts = term_counts(texts, max_order=config.max_order, bits=config.bits)
    df = np.bincount(counts.bucket, minlength=n_buckets)
    idf = np.where(df >= config.min_df, np.log((1 + len(texts)) / (1 + df)) + 1.0, 0.0)
    idf = idf.astype(np.float16).astype(np.float64)  # what the saved model will use
    x = _matrix(tfidf(counts, idf), n_buckets)
    if config.title_weight:
        subjects = term_counts(subject_lines(texts), max_order=config.max_order, bits=config.bits)
        x = x + config.title_weight * _matrix(tfidf(subjects, idf), n_buckets)
    with threadpool_limits(limits=1):
        svm = LinearSVC(C=config.c, class_weight="balanced", random_state=0, max_iter=5000, dual=True)
        svm.fit(x, y)
        weights = svm.coef_.astype(np.float64)
        bias = svm.intercept_.astype(np.float64)
        if config.nb_weight:
            nb_weights, nb_bias = _nbsvm(x, y, len(labels), config)
            weights += config.nb_weight * nb_weights
            bias += config.nb_weight * nb_bias
    weights[:, idf == 0] = 0.0
    return Model(
        labels=labels,
        idf=idf,
        weights=weights.astype(np.float16).astype(np.float32),
        bias=bias,
        temperature=config.temperature,
        max_order=config.max_order,
        bits=config.bits,
        title_weight=config.title_weight,
    )
