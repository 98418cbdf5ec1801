"""Residents report in their own words (issue 13): topics found by synonym, suggested from the text, 其他 / 不确定,
photos kept across a failed submission, and the resident's case page (photos, after-photos, expected date, steps).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases import photo_services, topics
from shequ.cases import services as case_services
from shequ.cases.models import Case, CasePhoto, CommunityTopic, TopicSynonym
from shequ.portal import held_photos
from shequ.portal.tests.test_portal import sign_in

pytestmark = pytest.mark.django_db

FIRE = "楼下消防通道被私家车长期占用，救护车进不来"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, calendar, categories):
    settings.MEDIA_ROOT = tmp_path / "media"
    topics.topics_seed()


@pytest.fixture
def signed_in(client, resident, deliver, outbox):
    assert sign_in(client, deliver, outbox).url == "/portal/"
    return client


def png(name="p.png", colour=(30, 120, 200)):
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def names(found):
    return [(t.name, t.category.name) for t in found]


def test_seed_is_idempotent_and_keeps_admin_edits():
    """Seeding twice creates nothing more; a synonym an admin removed stays removed."""
    count = CommunityTopic.objects.count()
    TopicSynonym.objects.filter(topic__code="fire-lane", text="生命通道").delete()
    assert topics.topics_seed() == 0
    assert CommunityTopic.objects.count() == count == 20
    assert not TopicSynonym.objects.filter(topic__code="fire-lane", text="生命通道").exists()
    featured = list(CommunityTopic.objects.filter(featured=True).values_list("name", flat=True))
    assert featured == ["停车", "噪音", "环境卫生", "消防通道", "物业服务", "旧房改造"]


def test_synonym_search_finds_the_fire_lane_category():
    """占用消防通道 finds 消防通道 (→ 消防通道堵塞) by synonym; English queries work by whole words."""
    assert names(topics.search_topics("占用消防通道"))[0] == ("消防通道", "消防通道堵塞")
    assert names(topics.search_topics("fire lane blocked"))[0] == ("消防通道", "消防通道堵塞")
    assert sorted(names(topics.search_topics("Noisy neighbour"))) == [("噪音", "噪音"), ("邻里纠纷", "邻里纠纷")]
    assert topics.search_topics("scar") == []  # "car" is not matched inside another word


def test_admin_synonym_is_searched():
    """A synonym added by an admin is found at once."""
    TopicSynonym.objects.create(topic=CommunityTopic.objects.get(code="sanitation"), text="臭味")
    assert names(topics.search_topics("垃圾房有臭味")) == [("环境卫生", "环境卫生")]


def test_suggestion_from_text():
    """The description suggests the topic of the intake rules first, then topics its words name."""
    assert names(topics.suggest_topics(FIRE))[0] == ("消防通道", "消防通道堵塞")
    assert names(topics.suggest_topics("楼上装修噪音太大，晚上十点还在电钻"))[0] == ("噪音", "噪音")
    assert topics.suggest_topics("") == []


def test_topics_endpoint_suggests_while_typing(signed_in):
    """The fragment for report.js lists the suggested topic first, marked 建议, and keeps the chosen one."""
    response = signed_in.post(reverse("portal:case_topics"), {"description": FIRE, "q": "", "topic": "noise"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index('value="fire-lane"') < body.index('value="parking"')
    assert "建议" in body and "消防通道堵塞" in body
    assert 'value="noise" checked' in body
    assert 'value="other"' in body


def test_topics_endpoint_needs_sign_in(client):
    """Signed-out visitors get the sign-in page, not topics."""
    response = client.post(reverse("portal:case_topics"), {"description": FIRE})
    assert (response.status_code, response.url) == (302, "/portal/login/")


def test_search_without_javascript_keeps_the_text(signed_in):
    """查找 posts the form back: the description stays, nothing is submitted, the search result is listed."""
    response = signed_in.post(reverse("portal:case_new"), {"search": "1", "q": "fire lane", "description": FIRE})
    body = response.content.decode()
    assert response.status_code == 200
    assert FIRE in body and 'value="fire-lane"' in body
    assert "请选择话题" not in body
    assert Case.objects.count() == 0


def test_topic_gives_the_category_refined_by_the_text(signed_in):
    """停车 (停车管理) with a text about a taken parking space becomes 车位纠纷; no triage for a leaf."""
    response = signed_in.post(
        reverse("portal:case_new"), {"topic": "parking", "description": "我家的车位被占了好几天，联系不上车主"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.category.name, case.needs_triage, case.case_type) == ("车位纠纷", False, "dispute")


def test_broad_topic_without_refinement_goes_to_triage(signed_in):
    """停车 with nothing more specific in the text keeps 停车管理 and waits for triage."""
    signed_in.post(reverse("portal:case_new"), {"topic": "parking", "description": "小区里停车的问题希望管一管"})
    case = Case.objects.get()
    assert (case.category.name, case.needs_triage) == ("停车管理", True)


def test_other_unsure_goes_to_triage(signed_in):
    """其他 / 不确定: no category, to triage, even when the text suggests one confidently."""
    response = signed_in.post(reverse("portal:case_new"), {"topic": "other", "description": FIRE})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.category, case.needs_triage, case.suggested_category.name) == (None, True, "消防通道堵塞")
    assert case.case_type == "complaint"


def test_failed_submission_keeps_text_and_photos(signed_in):
    """Without a topic the form comes back with the text and the photos held; the next try attaches them."""
    response = signed_in.post(
        reverse("portal:case_new"), {"description": FIRE, "photos": [png("a.png"), png("b.png", (200, 0, 0))]}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert FIRE in body
    held = held_photos.held(signed_in.session)
    assert len(held) == 2
    assert body.count('name="keep_photo"') == 2
    image = signed_in.get(reverse("portal:held_photo", args=[held[0].id]))
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert "private" in image["Cache-Control"] and "no-store" in image["Cache-Control"]
    assert Image.open(io.BytesIO(image.content)).size == (16, 12)
    folder = held_photos._root() / signed_in.session[held_photos.SESSION_KEY]["token"]
    assert all(not p.read_bytes().startswith(b"\x89PNG") for p in folder.iterdir())  # sealed on disk
    response = signed_in.post(
        reverse("portal:case_new"),
        {"topic": "fire-lane", "description": FIRE, "keep_photo": [held[1].id], "photos": [png("c.png")]},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.photos.count() == 2
    assert held_photos.held(signed_in.session) == [] and not folder.exists()


def test_held_photo_of_another_session_is_404(signed_in):
    """A held photo is served only to its own session."""
    signed_in.post(reverse("portal:case_new"), {"description": FIRE, "photos": [png()]})
    photo_id = held_photos.held(signed_in.session)[0].id
    from django.test import Client

    assert Client().get(reverse("portal:held_photo", args=[photo_id])).status_code == 302  # not signed in
    signed_in.post(reverse("portal:case_new"), {"topic": "other", "description": FIRE})
    assert signed_in.get(reverse("portal:held_photo", args=[photo_id])).status_code == 404


def test_case_page_shows_photos_after_photos_expected_date_and_steps(signed_in, tree):
    """Own photos, the published after-photos only, the running deadline and each step in words."""
    signed_in.post(reverse("portal:case_new"), {"topic": "fire-lane", "description": FIRE, "photos": [png()]})
    case = Case.objects.get()
    worker = staff("community_worker", tree["c1"])
    case_services.case_accept(actor=worker, case=case)
    case_services.case_dispatch(actor=worker, case=case, target=tree["m111"])
    case_services.case_start(actor=worker, case=case)
    after = photo_services.photos_upload(actor=worker, case=case, kind="after", uploads=[png("x.png"), png("y.png")])
    photo_services.photo_set_public(actor=worker, photo=after[0], public=True)
    case.refresh_from_db()
    body = signed_in.get(reverse("portal:case", args=[case.tracking_number])).content.decode()
    own = CasePhoto.objects.get(case=case, kind="report")
    assert body.count(f"/portal/cases/{case.tracking_number}/photos/{own.public_id}/") == 2
    assert f"/photos/{after[0].public_id}/" in body and f"/photos/{after[1].public_id}/" not in body
    assert "处理后的照片" in body
    assert f"{case.resolve_by:%Y-%m-%d} 前" in body.replace("\n", "")
    for step in ("您提交了反映", "社区已受理", "已交给承办人员办理", "承办人员开始办理"):
        assert step in body
    shown = signed_in.get(reverse("portal:case_photo", args=[case.tracking_number, after[0].public_id]))
    hidden = signed_in.get(reverse("portal:case_photo", args=[case.tracking_number, after[1].public_id]))
    assert (shown.status_code, hidden.status_code) == (200, 404)
