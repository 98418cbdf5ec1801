"""Grid worker phone pages: my micro-grid's open cases only, the quick actions 签收 and 办结, the quick report
(channel grid, in the chosen building; resolved in one go only for an actor who may accept), a department
officer refused, and a light page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from shequ.accounts.models import RoleAssignment
from shequ.accounts.tests.factories import staff
from shequ.cases import services
from shequ.cases.models import Case, CaseTransition, CommunityCaseSettings
from shequ.cases.tests.factories import dispatched_case
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
HOME = reverse("cases:grid_home")
REPORT = reverse("cases:grid_report")


@pytest.fixture
def t():
    return make_tree()


def _dispatched(t, title, target, building="b1"):
    cw = staff("community_worker", t["c1"])
    return dispatched_case(
        t,
        cw,
        to=target,
        building=building,
        case_type="help",
        title=title,
        description="楼道灯坏了，晚上看不见路",
        reporter_name="",
        reporter_mobile="",
    )


def _action(case, name):
    return reverse("cases:grid_action", args=[case.public_id, name])


def test_page_lists_only_my_micro_grid_cases(client, t):
    """The m111 worker sees the case dispatched to m111, not the one dispatched to m112; empty state otherwise."""
    mine = _dispatched(t, "我的楼道灯", "m111")
    other = _dispatched(t, "别的楼道灯", "m112", building="b2")
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.get(HOME)
    assert response.status_code == 200
    assert [c["case"].title for c in response.context["cards"]] == ["我的楼道灯"]
    assert response.context["cards"][0]["actions"] == ["start", "resolve", "return"]
    body = response.content.decode()
    assert mine.tracking_number in body and other.tracking_number not in body
    assert "锦苑小区 1栋" in body
    client.force_login(staff("micro_grid_worker", t["m121"]))
    response = client.get(HOME)
    assert response.context["cards"] == []
    assert "目前没有符合条件的诉求。" in response.content.decode()


def test_start_then_resolve_through_the_quick_actions(client, t):
    """签收 moves the case to in progress, a too-short reply is refused on the page, 办结 resolves it."""
    case = _dispatched(t, "我的楼道灯", "m111")
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.post(_action(case, "start"))
    assert (response.status_code, response.url) == (302, HOME)
    case.refresh_from_db()
    assert case.status == "in_progress"
    response = client.get(HOME)
    assert f"已签收：{case.tracking_number}" in response.content.decode()
    assert response.context["cards"][0]["actions"] == ["resolve", "return"]
    response = client.post(_action(case, "resolve"), {"reply": "好"})
    assert response.status_code == 400
    assert "请填写答复意见（至少5个字）" in response.content.decode()
    response = client.post(_action(case, "resolve"), {"reply": "已更换楼道灯泡，恢复照明"})
    assert (response.status_code, response.url) == (302, HOME)
    case.refresh_from_db()
    assert (case.status, case.reply) == ("resolved", "已更换楼道灯泡，恢复照明")
    assert list(CaseTransition.objects.filter(case=case).order_by("at", "id").values_list("event", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
    ]
    response = client.post(_action(case, "start"))
    assert response.status_code == 302
    assert "当前状态不能执行该操作" in client.get(HOME).content.decode()


def test_return_through_the_quick_action(client, t):
    """退单 with a reason sends the case back to the community that dispatched it."""
    case = _dispatched(t, "我的楼道灯", "m111")
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.post(_action(case, "return"), {"reason": "不属于本微网格"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.holder_id) == ("accepted", t["c1"].pk)


def test_quick_report_creates_a_grid_case_in_the_building(client, t):
    """A micro-grid worker's report: channel grid, located in b1, title = first 20 characters, submitted;
    ticked "现场已处理" it stays submitted (a grid worker may not accept) with the reply in the description."""
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.get(REPORT)
    assert response.status_code == 200
    assert [v for v, _label in response.context["form"].fields["building"].choices] == ["", str(t["b1"].public_id)]
    text = "一单元门口电动车乱停放，堵塞消防通道，需要清理"
    response = client.post(REPORT, {"building": t["b1"].public_id, "case_type": "complaint", "description": text})
    assert (response.status_code, response.url) == (302, HOME)
    case = Case.objects.get()
    assert (case.channel, case.building_id, case.micro_grid_id, case.status) == (
        "grid",
        t["b1"].pk,
        t["m111"].pk,
        "submitted",
    )
    assert case.title == text[:20] and case.holder_id == t["c1"].pk
    response = client.post(
        REPORT,
        {
            "building": t["b1"].public_id,
            "case_type": "help",
            "description": "楼道灯坏了",
            "handled": "on",
            "reply": "已更换灯泡",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(title="楼道灯坏了")
    assert (case.status, case.description) == ("submitted", "楼道灯坏了\n现场已处理：已更换灯泡")
    assert "社区受理后办结" in client.get(HOME).content.decode()


def test_quick_report_handled_on_the_spot_by_a_worker_who_may_accept(client, t):
    """A worker who is also a community dispatcher gets the case accepted, dispatched to m111, started and
    resolved in one go; another micro-grid's building is refused; a missing reply is an error on the form."""
    worker = staff("micro_grid_worker", t["m111"])
    RoleAssignment.objects.create(user=worker, role="community_worker", area=t["c1"])
    client.force_login(worker)
    post = {"building": t["b1"].public_id, "case_type": "help", "description": "楼道灯坏了", "handled": "on"}
    response = client.post(REPORT, post)
    assert response.status_code == 400 and "现场已处理时请填写处理情况（至少5个字）" in response.content.decode()
    response = client.post(REPORT, {**post, "reply": "已更换楼道灯泡"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.status, case.holder_id, case.reply, case.channel) == (
        "resolved",
        t["m111"].pk,
        "已更换楼道灯泡",
        "grid",
    )
    assert list(CaseTransition.objects.filter(case=case).order_by("at", "id").values_list("event", flat=True)) == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "resolve",
    ]
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.post(REPORT, {**post, "building": t["b3"].public_id})
    assert response.status_code == 400 and Case.objects.count() == 1


def test_department_officer_is_refused(client, t):
    """No territorial role: the page and the report answer 403, an action on a case 404."""
    case = _dispatched(t, "我的楼道灯", "m111")
    client.force_login(staff("department_officer", t["district"]))
    assert client.get(HOME).status_code == 403
    assert client.get(REPORT).status_code == 403
    assert client.post(_action(case, "start")).status_code == 404
    case.refresh_from_db()
    assert case.status == "dispatched"


def test_page_weight_is_small(client, t):
    """With a case on it the phone page stays under 30 KB of HTML."""
    _dispatched(t, "我的楼道灯", "m111")
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.get(HOME)
    assert response.status_code == 200 and len(response.content) < 30 * 1024


def _png(name="spot.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_default_filter_shows_the_grids_open_work_by_deadline(client, t):
    """The grid worker holds nothing, yet the default tab (我的网格) lists the grid's open cases, earliest
    running deadline first, with the place, the stage deadline and a link to the full case; 我承办的 is empty
    and the status filter narrows the list."""
    late = _dispatched(t, "晚到期", "m111")
    early = _dispatched(t, "早到期", "m112", building="b2")
    Case.objects.filter(pk=early.pk).update(resolve_by=late.resolve_by - timedelta(days=2))
    client.force_login(staff("grid_worker", t["g11"]))
    response = client.get(HOME)
    assert [c["case"].title for c in response.context["cards"]] == ["早到期", "晚到期"]
    body = response.content.decode()
    assert "锦苑小区 2栋" in body and reverse("cases:case_detail", args=[early.public_id]) in body
    assert "办理 <time" in body and reverse("cases:case_queue") in body
    assert [c["case"].title for c in client.get(HOME, {"scope": "mine"}).context["cards"]] == []
    assert client.get(HOME, {"status": "in_progress"}).context["cards"] == []
    assert len(client.get(HOME, {"status": "dispatched"}).context["cards"]) == 2


def test_quick_report_with_a_photo_and_a_building(client, t):
    """The photo is attached to the new case and shown on the card as a thumbnail; a bad file writes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shequ.cases.models import CasePhoto

    client.force_login(staff("micro_grid_worker", t["m111"]))
    post = {"building": t["b1"].public_id, "case_type": "help", "description": "楼道灯坏了，晚上看不见路"}
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(REPORT, {**post, "photos": [bad]})
    assert response.status_code == 400 and Case.objects.count() == 0
    response = client.post(REPORT, {**post, "photos": [_png()]})
    assert response.status_code == 302
    case = Case.objects.get()
    photo = CasePhoto.objects.get(case=case)
    assert photo.kind == "report"
    accepted = services.case_accept(actor=staff("community_worker", t["c1"]), case=case)
    services.case_dispatch(actor=staff("community_worker", t["c1"]), case=accepted, target=t["m111"])
    body = client.get(HOME).content.decode()
    assert reverse("cases:photo_file", args=[photo.public_id]) + "?thumb=1" in body


def test_quick_report_place_is_checked(client, t):
    """No building and no position, a half position or one off the globe: 400 and nothing written."""
    client.force_login(staff("micro_grid_worker", t["m111"]))
    post = {"case_type": "help", "description": "楼道灯坏了"}
    response = client.post(REPORT, post)
    assert response.status_code == 400 and "请选择楼栋，或允许获取手机位置" in response.content.decode()
    assert client.post(REPORT, {**post, "lat": "30.6"}).status_code == 400
    assert client.post(REPORT, {**post, "lat": "130.6", "lng": "104.0"}).status_code == 400
    assert Case.objects.count() == 0


def test_review_page_approves_a_held_answer(client, t):
    """A complaint answered from the card waits; the community worker approves it on the review page."""
    case = _dispatched(t, "楼道堆物", "m111")
    Case.objects.filter(pk=case.pk).update(case_type="complaint")
    client.force_login(staff("micro_grid_worker", t["m111"]))
    response = client.post(_action(case, "resolve"), {"reply": "已清理楼道杂物"}, follow=True)
    assert "社区审核后向居民公开" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "answer_review"
    assert (
        client.post(reverse("cases:answer_review_decide", args=[case.public_id]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(staff("community_worker", t["c1"]))
    page = client.get(reverse("cases:answer_reviews")).content.decode()
    assert "已清理楼道杂物" in page
    client.post(reverse("cases:answer_review_decide", args=[case.public_id]), {"decision": "approve"})
    case.refresh_from_db()
    assert (case.status, case.reply) == ("resolved", "已清理楼道杂物")


def test_settings_page_for_the_secretary_only(client, t):
    """The secretary saves the setting; a community worker gets 403."""
    client.force_login(staff("community_worker", t["c1"]))
    assert client.get(reverse("cases:review_settings")).status_code == 403
    client.force_login(staff("community_secretary", t["c1"]))
    url = reverse("cases:review_settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {"case_types": ["complaint", "report"]}).status_code == 302
    assert CommunityCaseSettings.objects.get(community=t["c1"]).review_answers_for == ["complaint", "report"]
