"""Likely duplicates: pure text similarity, candidate rules (place, window, status, scope), the case-page panel,
and the one-click merge (success, refusal for a grid worker, 404 outside scope, Chinese error)."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.analysis import textsim
from shequ.analysis.duplicates import DuplicateSettings, distance_m, likely_duplicates
from shequ.cases import services
from shequ.cases.models import Case, CaseTransition, Category
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)


# --- pure text similarity ----------------------------------------------------------------------------------


def test_normalise_drops_punctuation_spaces_and_width():
    """Full-width digits become ASCII, letters lower case, punctuation and spaces disappear."""
    assert textsim.normalise("３栋，楼下 广场舞！ABC") == "3栋楼下广场舞abc"
    assert textsim.normalise("") == "" and textsim.normalise("。，！") == ""


def test_shingles_are_character_bigrams_and_trigrams():
    """Bigrams and trigrams of the normalised text; a text shorter than n is one shingle."""
    assert textsim.shingles("路灯不亮") == {"路灯", "灯不", "不亮", "路灯不", "灯不亮"}
    assert textsim.shingles("灯") == {"灯"}
    assert textsim.shingles("，") == frozenset()


def test_jaccard_containment_and_similarity_values():
    """Exact values on small sets; empty sets give 0."""
    a, b = {"ab", "bc", "cd", "de"}, {"ab", "bc"}
    assert textsim.jaccard(a, b) == 0.5
    assert textsim.containment(a, b) == 1.0
    assert textsim.similarity(a, b) == 0.75
    assert textsim.jaccard(set(), b) == 0.0 and textsim.containment(a, set()) == 0.0
    assert textsim.text_similarity("楼下广场舞噪音太大", "楼下广场舞噪音太大！") == 1.0
    assert textsim.text_similarity("楼下广场舞噪音太大", "路灯不亮") == 0.0


def test_minhash_estimates_jaccard_and_banding_finds_the_near_pair():
    """Identical sets have identical signatures; a near-identical pair is a banding candidate, an unrelated one not."""
    texts = [
        "每天晚上小区三栋楼下广场舞音响声音太大影响休息",
        "每天晚上小区三栋楼下广场舞音响声音很大影响休息",
        "小区门口路灯坏了晚上看不清路",
    ]
    sigs = [textsim.minhash(textsim.shingles(t), num_perm=64) for t in texts]
    assert sigs[0] == textsim.minhash(textsim.shingles(texts[0]), num_perm=64)
    exact = textsim.jaccard(textsim.shingles(texts[0]), textsim.shingles(texts[1]))
    assert abs(textsim.minhash_similarity(sigs[0], sigs[1]) - exact) < 0.2
    assert textsim.minhash_similarity(sigs[0], sigs[2]) < 0.1
    assert textsim.lsh_candidate_pairs(sigs, bands=16) == {(0, 1)}


def test_distance_is_about_right_at_city_scale():
    """0.001° of latitude is about 111 m; 0.001° of longitude at 30.6°N about 96 m."""
    assert round(distance_m(104.06, 30.64, 104.06, 30.641)) == 111
    assert round(distance_m(104.06, 30.64, 104.061, 30.64)) == 96


def test_settings_override_the_defaults(settings):
    """SHEQU_DUPLICATES overrides named values (unknown keys ignored), with the field's type."""
    settings.SHEQU_DUPLICATES = {"radius_m": 150, "window_days": "10", "nonsense": 1}
    conf = DuplicateSettings.from_settings()
    assert (conf.radius_m, conf.window_days, conf.threshold) == (150.0, 10, 0.45)
    assert isinstance(conf.window_days, int)


# --- candidates from the database --------------------------------------------------------------------------

NOISE = ("小区广场舞噪音太大", "每天晚上八点到十点，3栋楼下广场舞音响声音太大，影响休息")
NOISE_AGAIN = ("广场舞噪音太大", "每天晚上八点到十点，3栋楼下广场舞音响声音很大，严重影响休息")
LAMP = ("路灯不亮", "小区门口路灯坏了，晚上看不清路")


@pytest.fixture
def world(calendar):
    """c1: a noise report on b1 (the new case), a near-identical one on b2 (same compound), an unrelated one
    on b1; c2: the same noise text in another community."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    cw2 = staff("community_worker", t["c2"])

    def submit(actor, text, *, building=None, community=None, lng=None, lat=None, days_ago=0.0):
        data = services.CaseInput(
            case_type="complaint",
            title=text[0],
            description=text[1],
            channel="staff",
            building=t[building] if building else None,
            community=t[community] if community else None,
            lng=lng,
            lat=lat,
        )
        return services.case_submit(actor=actor, data=data, now=NOW - dt.timedelta(days=days_ago))

    earlier = submit(cw, NOISE_AGAIN, building="b2", days_ago=2)
    lamp = submit(cw, LAMP, building="b1", days_ago=1)
    elsewhere = submit(cw2, NOISE_AGAIN, building="b3", days_ago=1)
    new = submit(cw, NOISE, building="b1")
    return {
        "t": t,
        "cw": cw,
        "cw2": cw2,
        "new": new,
        "earlier": earlier,
        "lamp": lamp,
        "elsewhere": elsewhere,
        "submit": submit,
    }


def test_near_identical_report_in_the_same_compound_is_suggested(world):
    """Only the near-identical case of the same compound is suggested, with its reasons; the unrelated case of
    the same compound and the identical text in another community are not."""
    found = likely_duplicates(world["new"], now=NOW)
    assert [d.case.pk for d in found] == [world["earlier"].pk]
    other, score, reasons = found[0]
    assert other.pk == world["earlier"].pk
    assert 0.6 <= score <= 1.0
    assert reasons[0].startswith("文本相似度") and reasons[1:] == ["同一小区"]


def test_same_building_and_category_add_their_boosts(world, categories):
    """The same text on the same building with the same category scores the text similarity plus both boosts."""
    noise = Category.objects.get(code="S01-02-002")
    Case.objects.filter(pk__in=[world["new"].pk, world["earlier"].pk]).update(category=noise, building=world["t"]["b1"])
    world["new"].refresh_from_db()
    text = textsim.text_similarity("\n".join(NOISE), "\n".join(NOISE_AGAIN))
    (d,) = likely_duplicates(world["new"], now=NOW)
    assert d.score == round(min(1.0, text + 0.2), 2)
    assert d.reasons[1:] == ["同一楼栋", "同一分类", "7天内同一小区同一话题：噪音"]


# --- same compound, same topic, within 7 days: offered whatever the wording -------------------------------------

PARKING_A = ("小区门口车辆乱停", "晚上好多车停在小区大门口，进出很不方便")
PARKING_B = ("消防车道被占", "二栋旁边的通道每天都被私家车挡住了")


def _categorise(cases, code):
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(category=Category.objects.get(code=code))
    for c in cases:
        c.refresh_from_db()


def test_same_compound_same_topic_within_seven_days_is_offered_despite_other_words(world, categories):
    """Two reports about parking in compound1, three days apart, in different words (text similarity far below
    min_text): offered, ranked by their (low) score, with the topic named in the reasons."""
    submit = world["submit"]
    older = submit(world["cw"], PARKING_A, building="b2", days_ago=3)
    new = submit(world["cw"], PARKING_B, building="b1")
    _categorise([older, new], "S01-01-001")  # 乱停乱放, topic 停车管理
    text = textsim.text_similarity("\n".join(PARKING_A), "\n".join(PARKING_B))
    assert text < DuplicateSettings().min_text
    found = likely_duplicates(new, now=NOW)
    assert [d.case.pk for d in found] == [older.pk]
    (d,) = found
    assert d.score == round(min(1.0, text + 0.1), 2)  # text similarity plus the category boost: still ranks
    assert d.reasons[-2:] == ["同一分类", "7天内同一小区同一话题：停车管理"]


def test_same_topic_is_not_enough_elsewhere_or_later(world, categories):
    """The same topic in other words: not offered eight days apart, nor from another compound."""
    submit = world["submit"]
    late = submit(world["cw"], PARKING_A, building="b2", days_ago=8)
    elsewhere = submit(world["cw2"], PARKING_A, building="b3", days_ago=1)
    new = submit(world["cw"], PARKING_B, building="b1")
    _categorise([late, elsewhere, new], "S01-01-001")
    assert likely_duplicates(new, now=NOW) == []


def test_a_near_identical_report_ranks_before_a_same_topic_one(world, categories):
    """Both offered; the near-identical wording first."""
    submit = world["submit"]
    other_words = submit(
        world["cw"], ("楼下跳舞声音吵", "晚上有人在空地上放音乐，吵得孩子睡不着"), building="b2", days_ago=1
    )
    _categorise([world["new"], world["earlier"], other_words], "S01-02-002")
    found = likely_duplicates(world["new"], now=NOW)
    assert [d.case.pk for d in found] == [world["earlier"].pk, other_words.pk]


def test_old_closed_merged_and_invisible_cases_are_not_suggested(world):
    """Outside the window, closed, or merged: not suggested; an actor only gets the cases they may see."""
    t, cw = world["t"], world["cw"]
    old = world["submit"](cw, NOISE_AGAIN, building="b2", days_ago=45)
    assert old.pk not in {d.case.pk for d in likely_duplicates(world["new"], now=NOW)}
    Case.objects.filter(pk=world["earlier"].pk).update(status="closed")
    assert likely_duplicates(world["new"], now=NOW) == []
    Case.objects.filter(pk=world["earlier"].pk).update(status="merged", merged_into=world["lamp"])
    assert likely_duplicates(world["new"], now=NOW) == []
    Case.objects.filter(pk=world["earlier"].pk).update(status="submitted", merged_into=None)
    sees_b2 = staff("micro_grid_worker", t["m112"])
    assert [d.case.pk for d in likely_duplicates(world["new"], actor=sees_b2, now=NOW)] == [world["earlier"].pk]
    assert likely_duplicates(world["new"], actor=staff("micro_grid_worker", t["m111"]), now=NOW) == []


def test_points_within_the_radius_are_compared(world):
    """Cases placed by map point only: a similar report ~110 m away is suggested with its distance, one ~890 m
    away is not."""
    submit, cw2 = world["submit"], world["cw2"]
    near = submit(cw2, NOISE_AGAIN, community="c2", lng=104.06, lat=30.641, days_ago=1)
    submit(cw2, NOISE_AGAIN, community="c2", lng=104.06, lat=30.648, days_ago=1)
    new = submit(cw2, NOISE, community="c2", lng=104.06, lat=30.64)
    found = likely_duplicates(new, now=NOW)
    assert [d.case.pk for d in found] == [near.pk]
    assert found[0].reasons[1:] == ["相距约111米"]


# --- page and one-click merge ------------------------------------------------------------------------------


def _merge_url(case, into):
    return reverse("analysis:merge_into", args=[case.public_id, into.public_id])


def test_panel_shows_the_duplicate_to_a_dispatcher_only(client, world):
    """The community worker sees the panel with the duplicate and its merge button; a grid worker sees the case
    page without the panel."""
    page = reverse("cases:case_detail", args=[world["new"].public_id])
    client.force_login(world["cw"])
    body = client.get(page).content.decode()
    assert "疑似重复诉求" in body and world["earlier"].tracking_number in body
    assert _merge_url(world["new"], world["earlier"]) in body and world["lamp"].tracking_number not in body
    assert "同一小区" in body and "合并到此诉求" in body
    assert f"确定将 {world['new'].tracking_number} 合并到 {world['earlier'].tracking_number}？" in body
    client.force_login(staff("grid_worker", world["t"]["g11"]))
    response = client.get(page)
    assert response.status_code == 200 and "疑似重复诉求" not in response.content.decode()


def test_one_click_merge_merges_and_audits(client, world):
    """POST merges the new case into the earlier one and lands on the earlier case; transition and audit exist."""
    client.force_login(world["cw"])
    response = client.post(_merge_url(world["new"], world["earlier"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[world["earlier"].public_id])
    new = Case.objects.get(pk=world["new"].pk)
    assert (new.status, new.merged_into_id) == ("merged", world["earlier"].pk)
    assert CaseTransition.objects.filter(case=new, event="merge").count() == 1
    assert CaseTransition.objects.filter(case=world["earlier"], event="merge_in").count() == 1
    assert AuditRecord.objects.filter(action="cases.merge", actor_id=world["cw"].pk).count() == 1


def test_merge_is_refused_to_a_grid_worker_and_nothing_changes(client, world):
    """A grid worker who sees both cases may not dispatch: 403, the case stays submitted, no transition, no audit."""
    grid = staff("grid_worker", world["t"]["c1"])
    client.force_login(grid)
    assert client.post(_merge_url(world["new"], world["earlier"])).status_code == 403
    new = Case.objects.get(pk=world["new"].pk)
    assert (new.status, new.merged_into_id) == ("submitted", None)
    assert not CaseTransition.objects.filter(case=new, event="merge").exists()
    assert not AuditRecord.objects.filter(action="cases.merge").exists()


def test_merge_outside_scope_is_not_found_and_get_is_not_allowed(client, world):
    """Another community's worker gets 404 for a case they cannot see; GET is refused with 405."""
    client.force_login(world["cw2"])
    assert client.post(_merge_url(world["new"], world["elsewhere"])).status_code == 404
    client.force_login(world["cw"])
    assert client.post(_merge_url(world["new"], world["elsewhere"])).status_code == 404
    assert client.get(_merge_url(world["new"], world["earlier"])).status_code == 405
    assert Case.objects.get(pk=world["new"].pk).status == "submitted"


def test_merge_across_communities_shows_a_chinese_error(client, world):
    """A district officer sees both communities; the service refuses the merge and the message says why."""
    client.force_login(staff("district_officer", world["t"]["district"]))
    response = client.post(_merge_url(world["new"], world["elsewhere"]), follow=True)
    assert "未能合并：只能合并同一社区的诉求" in response.content.decode()
    assert Case.objects.get(pk=world["new"].pk).status == "submitted"


def test_without_a_category_the_topic_comes_from_the_text(world, categories):
    """Two uncategorised reports whose words name the same topic (乱停车, 违停: 停车管理) are offered."""
    submit = world["submit"]
    older = submit(world["cw"], ("门口乱停车", "每天晚上有人乱停车，大门进不去"), building="b2", days_ago=2)
    new = submit(world["cw"], ("车辆违停", "二栋旁边违停严重，消防通道被挡"), building="b1")
    assert Case.objects.filter(pk__in=[older.pk, new.pk], category__isnull=False).count() == 0
    found = likely_duplicates(new, now=NOW)
    assert [d.case.pk for d in found] == [older.pk]
    assert found[0].reasons[-1] == "7天内同一小区同一话题：停车管理"
