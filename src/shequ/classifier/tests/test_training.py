"""Training on a small synthetic data set: determinism, the command, missing data."""

import csv

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from shequ.classifier.model import Model
from shequ.classifier.training import fit, load_records, training_examples

SUBJECTS = {
    "教育文体": ["学校", "老师", "学生", "补课", "学费"],
    "环境保护": ["污水", "噪音", "垃圾焚烧", "废气", "粉尘"],
    "交通运输": ["公交车", "出租车", "红绿灯", "地铁", "货车"],
}
ISSUES = ["问题严重", "请尽快处理", "希望相关部门关注", "已经持续很久", "影响居民生活"]


def write_data(folder):
    """A tiny data set in the layout of ../shared/data/messages (texts made up here)."""
    folder.mkdir()
    with (folder / "titles_labelled.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "label"])
        for label, words in SUBJECTS.items():
            for word in words:
                for issue in ISSUES[:3]:
                    w.writerow([f"关于{word}{issue}", label])
    with (folder / "messages_full_labelled.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级标签"])
        for n, (label, words) in enumerate(SUBJECTS.items()):
            for word in words:
                w.writerow([n, "u", f"{word}的情况", "2020/1/1", f"我们这里的{word}{ISSUES[3]}，{ISSUES[4]}。", label])
    return folder


def test_training_twice_gives_identical_bytes(tmp_path):
    """The same data trains byte-identical model files."""
    examples = training_examples(load_records(write_data(tmp_path / "data")))
    assert len(examples) == 3 * 5 * 3 + 3 * 5 * 2
    first, second = fit(examples).to_bytes(), fit(examples).to_bytes()
    assert first == second


def test_trained_model_learns_the_synthetic_categories(tmp_path):
    """A model trained on the synthetic rows classifies unseen combinations of its words."""
    model = fit(training_examples(load_records(write_data(tmp_path / "data"))))
    assert model.labels == ("交通运输", "教育文体", "环境保护")
    predictions = model.predict_many(["老师补课", "污水废气", "地铁公交车", ""])
    assert [p.label for p in predictions] == ["教育文体", "环境保护", "交通运输", ""]


def test_train_command_writes_the_model(tmp_path, capsys):
    """`shequ train-classifier --data DIR --output FILE` writes a loadable model; again gives the same bytes."""
    data = write_data(tmp_path / "data")
    out = tmp_path / "m.npz"
    call_command("train_classifier", "--data", str(data), "--output", str(out))
    first = out.read_bytes()
    call_command("train_classifier", "--data", str(data), "--output", str(out))
    assert out.read_bytes() == first
    assert Model.from_file(out).labels == ("交通运输", "教育文体", "环境保护")


def test_train_command_without_data_fails_clearly(tmp_path):
    """A data folder without any labelled file is an error naming the folder."""
    with pytest.raises(CommandError, match="titles_labelled.csv"):
        call_command("train_classifier", "--data", str(tmp_path), "--output", str(tmp_path / "m.npz"))


def test_nb_ratios_favour_the_features_of_each_category():
    """A feature seen only in category k gets a positive ratio for k and a negative one for the others."""
    from scipy.sparse import csr_matrix

    from shequ.classifier.training import nb_ratios

    x = csr_matrix(np.array([[1.0, 0.0, 0.5], [0.7, 0.0, 0.2], [0.0, 2.0, 0.3]]))
    ratios = nb_ratios(x, np.array([0, 0, 1]), 2, alpha=1.0)
    assert ratios.shape == (2, 3)
    assert ratios[0, 0] > 0 > ratios[1, 0]
    assert ratios[1, 1] > 0 > ratios[0, 1]


def test_nb_svm_part_changes_the_model_and_can_be_turned_off(tmp_path):
    """nb_weight=0 gives the plain SVM; the default adds the NB-SVM weights (and still learns the data)."""
    from shequ.classifier.training import Config

    write_data(tmp_path / "data")
    examples = training_examples(load_records(tmp_path / "data"))
    plain = fit(examples, Config(nb_weight=0.0))
    combined = fit(examples, Config())
    assert not np.array_equal(plain.weights, combined.weights)
    assert combined.predict_many(["关于噪音请尽快处理"])[0].label == "环境保护"
