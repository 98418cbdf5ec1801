"""The committed model: clear messages, empty text, the shape of predictions."""

import pytest

from shequ.classifier import Prediction, predict, predict_many
from shequ.classifier.model import MODEL_PATH, Model, get_model

CLEAR = [
    ("公司拖欠我们三个月工资，社保也一直没有缴纳", "劳动和社会保障"),
    ("学校违规组织暑假补课并收取补课费", "教育文体"),
    ("化工厂夜里偷偷排放污水，小河又黑又臭", "环境保护"),
    ("县医院乱收费，住院费用清单对不上", "卫生计生"),
    ("开发商延期交房两年，小区配套设施也没有建", "城乡建设"),
    ("这条线路的公交车班次太少，出租车还拒载", "交通运输"),
    ("超市销售过期食品，商家拒绝退款赔偿", "商贸旅游"),
]


@pytest.mark.parametrize(("text", "expected"), CLEAR)
def test_clear_messages_get_their_category(text, expected):
    """A short, unambiguous message is classified into its first-level category."""
    assert predict(text).label == expected


def test_batch_equals_single_predictions():
    """predict_many gives the same labels and confidences as predict one by one, in input order."""
    texts = [t for t, _ in CLEAR]
    batch = predict_many(texts)
    assert [p.label for p in batch] == [label for _, label in CLEAR]
    for text, p in zip(texts, batch, strict=True):
        assert predict(text).confidence == pytest.approx(p.confidence, abs=1e-9)


def test_prediction_ranks_every_category_with_probabilities():
    """ranked lists all seven categories, best first; they sum to 1; confidence is the first one."""
    p = predict("小区楼下的餐馆油烟太大，噪音扰民")
    assert isinstance(p, Prediction)
    assert len(p.ranked) == 7
    assert p.ranked[0] == (p.label, p.confidence)
    assert [c for _, c in p.ranked] == sorted((c for _, c in p.ranked), reverse=True)
    assert sum(c for _, c in p.ranked) == pytest.approx(1.0)
    assert 0.0 < p.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_empty_text_has_no_category(text):
    """Empty or blank text gives label "" and confidence 0, also inside a batch."""
    assert predict(text) == Prediction(label="", confidence=0.0, ranked=[])
    batch = predict_many(["学校乱收费", text])
    assert batch[0].label == "教育文体"
    assert batch[1].label == "" and batch[1].confidence == 0.0


def test_model_is_loaded_once_and_small():
    """The committed model is loaded once per process and stays well under 20 MB."""
    assert get_model() is get_model()
    assert MODEL_PATH.stat().st_size < 20_000_000
    assert set(get_model().labels) == {
        "城乡建设",
        "劳动和社会保障",
        "教育文体",
        "商贸旅游",
        "环境保护",
        "卫生计生",
        "交通运输",
    }


def test_model_round_trips_through_bytes(tmp_path):
    """Saving the loaded model again gives the committed file byte for byte."""
    path = tmp_path / "copy.npz"
    path.write_bytes(get_model().to_bytes())
    assert path.read_bytes() == MODEL_PATH.read_bytes()
    assert Model.from_file(path).labels == get_model().labels
