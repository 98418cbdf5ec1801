"""Classifying and evaluating CSV files of messages in chunks (the `classify` and `eval-classifier` commands).

Files are streamed: rows are read, classified and written `chunk_size` at a time, so a file of any length
needs memory for one chunk only. UTF-8 with or without a byte-order mark is the default encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, TextIO

from django.utils.translation import gettext as _

from shequ.classifier.model import Prediction, predict_many

CHUNK_SIZE = 2000
Classify = Callable[[Sequence[str]], list[Prediction]]


class CsvInputError(Exception):
    """The file cannot be read as a CSV with the requested column; the message says why, in Chinese."""


@dataclass
class ClassifySummary:
    rows: int = 0
    empty_rows: list[int] = field(default_factory=list)


def _python_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise CsvInputError(_("未知的编码“%(encoding)s”。") % {"encoding": encoding}) from exc
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else name


def _open(path: Path | str, encoding: str) -> TextIO:
    try:
        return open(path, encoding=_python_encoding(encoding), newline="")  # noqa: SIM115  (closed by caller)
    except OSError as exc:
        raise CsvInputError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}) from exc


def _decode_error(encoding: str, row: int) -> CsvInputError:
    return CsvInputError(
        _("文件不是 %(encoding)s 编码，第 %(row)s 行附近无法解码。如果文件是 GBK 编码，请加参数 --encoding gbk。")
        % {"encoding": encoding, "row": row}
    )


def _rows(f: TextIO, encoding: str) -> Iterator[list[str]]:
    reader = csv.reader(f)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise _decode_error(encoding, reader.line_num + 1) from exc
        except csv.Error as exc:
            raise CsvInputError(
                _("第 %(row)s 行不是有效的 CSV：%(error)s") % {"row": reader.line_num, "error": exc}
            ) from exc
        if row:  # a blank line is no row (csv gives []), e.g. the trailing one of many exports
            yield row


def _column(header: list[str], name: str, option: str) -> int:
    if name not in header:
        raise CsvInputError(
            _("文件没有“%(column)s”列（参数 %(option)s）。文件中的列：%(columns)s")
            % {"column": name, "option": option, "columns": "、".join(header) or _("（无）")}
        )
    return header.index(name)


def _chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def classify_csv(
    path: Path | str,
    out: IO[str],
    *,
    text_column: str,
    encoding: str = "utf-8",
    chunk_size: int = CHUNK_SIZE,
    on_empty: Callable[[int], None] = lambda row: None,
    classify: Classify = predict_many,
) -> ClassifySummary:
    """Write the CSV at `path` to `out` with `category` and `confidence` columns appended.

    Rows whose text is empty get an empty category and confidence 0; `on_empty` is called with their data
    row number (1 = first row after the header; blank lines are skipped and not counted). Raises
    CsvInputError if the file cannot be read or lacks the column; nothing is written then unless the error
    is a decoding error found part-way through.
    """
    summary = ClassifySummary()
    with _open(path, encoding) as f:
        rows = _rows(f, encoding)
        header = next(rows, None)
        if header is None:
            raise CsvInputError(_("文件是空的，没有表头。"))
        index = _column(header, text_column, "--text-column")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([*header, "category", "confidence"])
        for chunk in _chunks(rows, chunk_size):
            texts = [row[index].strip() if index < len(row) else "" for row in chunk]
            predictions = classify(texts)
            for row, text, prediction in zip(chunk, texts, predictions, strict=True):
                summary.rows += 1
                if not text:
                    summary.empty_rows.append(summary.rows)
                    on_empty(summary.rows)
                    writer.writerow([*row, "", "0"])
                else:
                    writer.writerow([*row, prediction.label, f"{prediction.confidence:.3f}"])
            out.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    return summary


@dataclass(frozen=True)
class ClassScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    rows: int
    skipped: int
    accuracy: float
    macro_f1: float
    classes: list[ClassScores]


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Evaluation:
    """Accuracy, macro-F1 (over every label true or predicted) and per-class precision/recall/F1/support."""
    pairs = Counter(zip(truth, predicted, strict=True))
    true_count = Counter(truth)
    predicted_count = Counter(predicted)
    classes = []
    for label in sorted(set(true_count) | set(predicted_count)):
        hits = pairs[(label, label)]
        precision = hits / predicted_count[label] if predicted_count[label] else 0.0
        recall = hits / true_count[label] if true_count[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        classes.append(ClassScores(label, precision, recall, f1, true_count[label]))
    n = len(truth)
    accuracy = sum(v for (t, p), v in pairs.items() if t == p) / n if n else 0.0
    macro = sum(c.f1 for c in classes) / len(classes) if classes else 0.0
    return Evaluation(rows=n, skipped=0, accuracy=accuracy, macro_f1=macro, classes=classes)


def evaluate_csv(
    path: Path | str,
    *,
    text_column: str,
    label_column: str,
    encoding: str = "utf-8",
    chunk_size: int = CHUNK_SIZE,
    classify: Classify = predict_many,
) -> Evaluation:
    """Classify every row with a text and a label and score the predictions; other rows are skipped."""
    truth: list[str] = []
    predicted: list[str] = []
    skipped = 0
    with _open(path, encoding) as f:
        rows = _rows(f, encoding)
        header = next(rows, None)
        if header is None:
            raise CsvInputError(_("文件是空的，没有表头。"))
        text_index = _column(header, text_column, "--text-column")
        label_index = _column(header, label_column, "--label-column")
        for chunk in _chunks(rows, chunk_size):
            pairs = [
                (row[text_index].strip(), row[label_index].strip())
                for row in chunk
                if max(text_index, label_index) < len(row)
            ]
            kept = [(text, label) for text, label in pairs if text and label]
            skipped += len(chunk) - len(kept)
            truth += [label for text, label in kept]
            predicted += [p.label for p in classify([text for text, label in kept])]
    result = scores(truth, predicted)
    return Evaluation(result.rows, skipped, result.accuracy, result.macro_f1, result.classes)
