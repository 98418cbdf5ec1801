"""Topics: a category's topic is its second-level ancestor (or the first-level category), a text's topic comes
from the category tree's keywords."""

from shequ.cases.models import Category
from shequ.cases.topics import TopicIndex


def test_topic_comes_from_the_second_level_category_or_its_keywords(categories):
    """装修噪音 and 夜间噪音 both belong to 噪音; a text naming 广场舞 gets 噪音 by keywords; calm text gets none."""
    topics = TopicIndex(list(Category.objects.all()))
    assert topics.of_category(Category.objects.get(code="S01-02-001").pk) == "噪音"
    assert topics.of_category(Category.objects.get(code="S01-02").pk) == "噪音"
    assert topics.of_category(Category.objects.get(code="S01").pk) == "社区事务"
    assert topics.of_category(None) is None
    assert topics.of_text("楼下广场舞音量大") == "噪音"
    assert topics.of_text("今天天气不错") is None
