"""Petition-risk warning: pure scoring (words, caps, overdue, reason texts, settings) and the warning list
(facts gathered from the database, scope, page and permission)."""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.analysis import services as services_analysis
from shequ.analysis.permissions import RECOMPUTE_JOB
from shequ.analysis.risk import RiskFacts, RiskWeights, find_escalation_words, score
from shequ.analysis.warnings import warnings_for
from shequ.cases import services
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

WARNINGS = reverse("analysis:warnings")


# --- pure scoring ------------------------------------------------------------------------------------------


def test_escalation_words_are_found_in_the_fixed_order():
    """Words are reported in the order of ESCALATION_WORDS, each once; calm text has none."""
    assert find_escalation_words("我们要集体去市里上访，再上访") == ("上访", "集体", "市里")
    assert find_escalation_words("楼道堆放杂物") == ()
    assert find_escalation_words("") == ()


def test_calm_facts_score_zero_without_reasons():
    """No factor present: 0 points and no reasons."""
    assert score(RiskFacts(), RiskWeights()) == (0, [])


def test_each_factor_names_its_points_and_caps_apply():
    """Every factor contributes with its reason; words, repeats and overdue are capped."""
    facts = RiskFacts(
        repeats_same_reporter=5,
        repeats_same_place=1,
        similar_text=1,
        supports=15,
        reopen_count=1,
        days_overdue=2.5,
        escalation_words=("上访", "集体", "市里"),
        escalation_count=2,
    )
    total, reasons = score(facts, RiskWeights())
    assert reasons == [
        "同一报告人30天内反映6次（+30分）",
        "同一地点30天内反映2次（+10分）",
        "同一小区同类诉求30天内另有1件（+8分）",
        "15位居民附议（+20分）",
        "重办1次（+15分）",
        "已超期2.5天（+12分）",
        "含敏感词：上访、集体、市里（+40分）",
        "升级督办2次（+20分）",
    ]
    assert total == 30 + 10 + 8 + 20 + 15 + 12 + 40 + 20


def test_overdue_is_capped_and_deterministic():
    """Ten days overdue gives the cap of 30 points; the same facts always give the same result."""
    facts = RiskFacts(days_overdue=10.0)
    assert score(facts, RiskWeights()) == (30, ["已超期10.0天（+30分）"])
    assert score(facts, RiskWeights()) == score(facts, RiskWeights())


def test_weights_and_threshold_come_from_settings(settings):
    """SHEQU_RISK_WEIGHTS overrides named weights (unknown keys ignored); SHEQU_RISK_THRESHOLD sets the bar."""
    settings.SHEQU_RISK_WEIGHTS = {"word": 5, "nonsense": 99}
    settings.SHEQU_RISK_THRESHOLD = 25
    weights = RiskWeights.from_settings()
    assert (weights.word, weights.word_cap, weights.threshold) == (5, 40, 25)
    assert score(RiskFacts(escalation_words=("媒体",)), weights) == (5, ["含敏感词：媒体（+5分）"])


# --- warning list ------------------------------------------------------------------------------------------


@pytest.fixture
def world(calendar):
    """Community c1: two cases by one resident on b2, then an escalating case by the same resident on b1,
    and a calm case without a registered reporter on b1 — all submitted now, so none is overdue."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    resident = make_resident(t["c1"])

    def submit(title, description, building, reporter=None):
        data = services.CaseInput(
            case_type="complaint",
            title=title,
            description=description,
            channel="staff",
            building=t[building],
            reporter=reporter,
            reporter_name="王某",
        )
        return services.case_submit(actor=cw, data=data)

    submit("楼道堆放杂物", "三单元楼道堆满纸箱，影响通行", "b2", resident)
    submit("楼道仍有杂物", "纸箱还没清理，影响通行", "b2", resident)
    hot = submit("楼道杂物无人处理", "我们要集体去市里上访", "b1", resident)
    calm = submit("路灯不亮", "小区门口路灯不亮，晚上看不清", "b1")
    return {"t": t, "cw": cw, "hot": hot, "calm": calm}


def test_escalating_repeat_case_is_listed_with_its_reasons(world):
    """Only the case with escalation words and two earlier reports by the same resident reaches the default 60
    points (the calm case on the same building adds a same-place repeat)."""
    found = warnings_for(world["cw"])
    assert [(w.case.pk, w.score, w.reasons) for w in found] == [
        (
            world["hot"].pk,
            70,
            [
                "同一报告人30天内反映3次（+20分）",
                "同一地点30天内反映2次（+10分）",
                "含敏感词：上访、集体、市里（+40分）",
            ],
        )
    ]
    assert world["calm"].pk not in {w.case.pk for w in found}


def test_other_community_worker_does_not_see_the_warning(world):
    """A community worker of c2 gets an empty warning list."""
    assert warnings_for(staff("community_worker", world["t"]["c2"])) == []


def test_page_renders_for_staff_and_is_refused_to_a_department_officer(client, world):
    """Once recomputed, the page lists the case with reasons and the threshold; the empty state shows in c2; 403
    for a department."""
    services_analysis.warnings_recompute(actor=RECOMPUTE_JOB)
    client.force_login(world["cw"])
    response = client.get(WARNINGS)
    body = response.content.decode()
    assert response.status_code == 200
    assert world["hot"].tracking_number in body and "含敏感词：上访、集体、市里（+40分）" in body
    assert "预警阈值：60 分" in body and world["calm"].tracking_number not in body
    client.force_login(staff("community_worker", world["t"]["c2"]))
    response = client.get(WARNINGS)
    assert response.status_code == 200 and "暂无达到预警阈值的诉求。" in response.content.decode()
    client.force_login(staff("department_officer", world["t"]["district"]))
    assert client.get(WARNINGS).status_code == 403
