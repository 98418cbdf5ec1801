"""The `classify` and `eval-classifier` commands on good and bad files."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from shequ.classifier.csvfiles import classify_csv, scores

ROWS = [
    ("1", "公司拖欠工资，社保没有缴纳", "劳动和社会保障"),
    ("2", "", "教育文体"),
    ("3", "学校违规补课收费", "教育文体"),
]


def write(path, rows=ROWS, encoding="utf-8", header=("id", "text", "label")):
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_classify_appends_category_and_confidence(tmp_path):
    """Every row comes back with category and confidence; the empty one is named on stderr, with 0."""
    out, err = run("classify", str(write(tmp_path / "m.csv")), "--text-column", "text")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "text", "label", "category", "confidence"]
    assert [r[:3] for r in rows[1:]] == [list(r) for r in ROWS]
    assert rows[1][3] == "劳动和社会保障" and rows[3][3] == "教育文体"
    assert rows[2][3:] == ["", "0"]
    assert 0 < float(rows[1][4]) <= 1 and len(rows[1][4].split(".")[1]) == 3
    assert "第 2 行" in err
    assert "第 1 行" not in err and "第 3 行" not in err


def test_classify_reads_utf8_with_bom(tmp_path):
    """A UTF-8 file with a byte-order mark is read; the BOM does not end up in the first column name."""
    out, _ = run("classify", str(write(tmp_path / "bom.csv", encoding="utf-8-sig")), "--text-column", "text")
    assert out.splitlines()[0] == "id,text,label,category,confidence"


def test_classify_gbk_needs_the_encoding_option(tmp_path):
    """A GBK file is refused with a clear hint without --encoding, and classified with --encoding gbk."""
    path = write(tmp_path / "gbk.csv", encoding="gbk")
    with pytest.raises(CommandError, match="--encoding gbk"):
        run("classify", str(path), "--text-column", "text")
    out, _ = run("classify", str(path), "--text-column", "text", "--encoding", "gbk")
    assert list(csv.reader(io.StringIO(out)))[3][3] == "教育文体"


def test_classify_missing_column_names_the_columns(tmp_path):
    """A missing text column is an error listing the file's columns."""
    with pytest.raises(CommandError, match="内容") as info:
        run("classify", str(write(tmp_path / "m.csv")), "--text-column", "内容")
    assert "id、text、label" in str(info.value)


def test_classify_missing_file_and_unknown_encoding(tmp_path):
    """An unreadable file or an unknown encoding is an error, not a traceback."""
    with pytest.raises(CommandError, match="无法读取文件"):
        run("classify", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="未知的编码"):
        run("classify", str(write(tmp_path / "m.csv")), "--encoding", "nope-8")


def test_classify_streams_in_chunks(tmp_path):
    """Rows are classified chunk by chunk and written in order; a short row counts as empty text, a blank
    line is dropped."""
    rows = [(str(i), "学校补课收费" if i % 3 else "", "x") for i in range(10)] + [("10",), ()]
    calls = []

    def fake(texts):
        calls.append(len(texts))
        from shequ.classifier import predict_many

        return predict_many(texts)

    out, empty = io.StringIO(), []
    summary = classify_csv(
        write(tmp_path / "m.csv", rows=rows),
        out,
        text_column="text",
        chunk_size=4,
        on_empty=empty.append,
        classify=fake,
    )
    assert calls == [4, 4, 3]
    assert summary.rows == 11 and empty == [1, 4, 7, 10, 11]
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert [r[0] for r in lines[1:]] == [str(i) for i in range(11)]
    assert lines[2][-2] == "教育文体" and lines[11] == ["10", "", "0"]


def test_eval_classifier_prints_accuracy_macro_f1_and_table(tmp_path):
    """eval-classifier scores rows with text and label and prints a per-category table."""
    out, _ = run("eval_classifier", str(write(tmp_path / "m.csv")), "--text-column", "text", "--label-column", "label")
    assert "rows evaluated: 2 (skipped without text or label: 1)" in out
    assert "accuracy: 1.0000" in out and "macro-F1: 1.0000" in out
    assert "教育文体            1.0000    1.0000    1.0000         1" in out.splitlines()


def test_eval_classifier_missing_label_column(tmp_path):
    with pytest.raises(CommandError, match="标签"):
        run("eval_classifier", str(write(tmp_path / "m.csv")), "--label-column", "标签")


def test_scores_match_hand_computed_values():
    """Macro-F1 averages the per-class F1 over every true or predicted label."""
    result = scores(["a", "a", "b", "b"], ["a", "b", "b", "c"])
    assert result.accuracy == 0.5
    by = {c.label: c for c in result.classes}
    assert (by["a"].precision, by["a"].recall, by["a"].support) == (1.0, 0.5, 2)
    assert by["b"].f1 == pytest.approx(0.5) and by["c"].f1 == 0.0
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
