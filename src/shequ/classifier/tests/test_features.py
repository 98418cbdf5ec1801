"""Hashed character n-gram features: stable, folded, per text."""

import subprocess
import sys

import numpy as np
import pytest

from shequ.classifier.features import normalise, subject_lines, term_counts, tfidf


def test_hashes_are_fixed_values():
    """Buckets do not depend on the process (no salted hash): changing them would silently break the model."""
    rows = term_counts(["ab"], max_order=2, bits=20)
    assert rows.bucket.tolist() == [194369, 594889, 604935]
    assert rows.value.tolist() == [1.0, 1.0, 1.0]
    code = (
        "from shequ.classifier.features import term_counts; print(term_counts(['社区'], max_order=2, bits=20).bucket)"
    )
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
        for env in ({"PYTHONHASHSEED": "1"}, {"PYTHONHASHSEED": "2"})
    }
    assert len(runs) == 1


def test_full_width_case_digits_and_whitespace_are_folded():
    """Ｂ and b, 7 and 0, a tab and a space give the same features."""
    a = term_counts(["ＡB 12\t3"], max_order=3, bits=20)
    b = term_counts(["ab 00 0"], max_order=3, bits=20)
    assert a.bucket.tolist() == b.bucket.tolist() and a.value.tolist() == b.value.tolist()
    assert normalise("  Ａ7县\n\n小区 ") == "a0县 小区"


def test_ngrams_do_not_cross_texts():
    """A batch gives each text exactly the features it has alone."""
    batch = term_counts(["学校", "", "医院"], max_order=3, bits=20)
    alone = [term_counts([t], max_order=3, bits=20) for t in ("学校", "医院")]
    assert batch.n_rows == 3
    assert batch.bucket[batch.doc == 0].tolist() == alone[0].bucket.tolist()
    assert (batch.doc == 1).sum() == 0
    assert batch.bucket[batch.doc == 2].tolist() == alone[1].bucket.tolist()
    assert len(alone[0].bucket) == 3  # 学, 校, 学校


def test_tfidf_is_sublinear_and_has_unit_length():
    counts = term_counts(["噪音噪音扰民", ""], max_order=2, bits=16)
    rows = tfidf(counts, np.ones(1 << 16))
    assert np.sqrt(np.sum(rows.value[rows.doc == 0] ** 2)) == pytest.approx(1.0)
    # 噪, 音 and 噪音 occur twice (1 + ln 2), 扰, 民, 音噪, 音扰, 扰民 once
    assert sorted(np.round(rows.value / rows.value.min(), 6).tolist()) == [1.0] * 5 + [round(1 + np.log(2), 6)] * 3


def test_subject_is_the_first_line_of_several():
    assert subject_lines(["标题\n正文\n更多", "只有一行", "\n标题\n正文", ""]) == ["标题", "", "标题", ""]
