"""Residents' notice pages on the portal: notices of where they live (current first, past below), one notice
with the objection form, their objections with answers; another area's notice answers 404."""

import pytest
from django.urls import reverse

from shequ.notices import services
from shequ.notices.models import Objection

from .conftest import publish

pytestmark = pytest.mark.django_db


def sign_in(client, resident, clock):
    """Open a portal session for `resident` (the SMS sign-in itself is tested in portal.tests.test_portal)."""
    session = client.session
    session["portal_resident"] = str(resident.public_id)
    session["portal_last_activity"] = int(clock.now.timestamp())
    session.save()


def _notice_url(notice):
    return reverse("portal:notice", args=[notice.public_id])


def test_notices_for_me_lists_current_first_and_past_below(client, w, clock):
    running = publish(w)
    ended = publish(w, title="去年物业费收支情况公示", days=5)
    withdrawn = publish(w, title="车棚改造方案公示")
    services.notice_withdraw(actor=w["cw1"], notice=withdrawn, reason="方案需重新讨论")
    publish(w, title="2栋外墙维修资金使用公示", building=w["b2"])  # 张三丰 lives in b1: not his
    publish(w, actor=w["cw2"], area="c2", title="玉林社区公共收益使用公示")
    clock.advance(days=6)  # `ended` (5 days) is over, `running` (7 days) still runs
    sign_in(client, w["zsf"], clock)
    response = client.get(reverse("portal:notices"))
    assert response.status_code == 200
    assert [r["notice"].pk for r in response.context["current"]] == [running.pk]
    assert [r["notice"].pk for r in response.context["past"]] == [withdrawn.pk, ended.pk]


def test_notices_for_me_needs_a_portal_session(client, w):
    response = client.get(reverse("portal:notices"))
    assert (response.status_code, response.url) == (302, "/portal/login/")


def test_resident_objects_during_the_period(client, w, clock):
    notice = publish(w)
    sign_in(client, w["zsf"], clock)
    page = client.get(_notice_url(notice)).content.decode()
    assert "提交异议" in page and "2026-03-16 至 2026-03-22（共 7 天）" in page
    response = client.post(_notice_url(notice), {"text": "充电桩离单元门太近，有安全隐患"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.resident, objection.channel) == (w["zsf"], "portal")


def test_after_the_period_the_form_is_gone_and_a_post_is_refused(client, w, clock):
    notice = publish(w, days=5)
    clock.advance(days=5)
    sign_in(client, w["zsf"], clock)
    page = client.get(_notice_url(notice)).content.decode()
    assert "公示期已于2026-03-20结束，不能再提出异议" in page and "objection-form" not in page
    response = client.post(_notice_url(notice), {"text": "我不同意这个方案"})
    assert response.status_code == 400
    assert "公示期已于2026-03-20结束，不能再提出异议" in response.content.decode()
    assert Objection.objects.count() == 0


def test_another_areas_notice_is_404(client, w, clock):
    notice = publish(w, building=w["b2"])
    sign_in(client, w["zsf"], clock)
    assert client.get(_notice_url(notice)).status_code == 404
    assert client.post(_notice_url(notice), {"text": "我不同意这个方案"}).status_code == 404
    assert Objection.objects.count() == 0


def test_my_objections_show_the_answer(client, w, clock):
    notice = publish(w)
    sign_in(client, w["zsf"], clock)
    client.post(_notice_url(notice), {"text": "充电桩离单元门太近，有安全隐患"})
    page = client.get(reverse("portal:my_objections")).content.decode()
    assert "社区正在处理，答复后将显示在这里。" in page
    services.objection_answer(
        actor=w["cw1"], objection=Objection.objects.get(), answer="已调整到车棚内侧，远离单元门。"
    )
    page = client.get(reverse("portal:my_objections")).content.decode()
    assert "已调整到车棚内侧，远离单元门。" in page and "已答复" in page


def test_my_objections_show_only_ones_own(client, w, clock):
    notice = publish(w)
    services.objection_record(
        actor=w["cw1"],
        notice=notice,
        resident=w["lisi"],
        text="电话反映：担心充电桩噪音",
        channel="phone",
        received_on=notice.starts_on,
    )
    sign_in(client, w["zsf"], clock)
    assert client.get(reverse("portal:my_objections")).context["rows"] == []


def test_pdf_of_a_notice_and_404_for_another(client, w, clock):
    mine = publish(w)
    other = publish(w, actor=w["cw2"], area="c2", title="玉林社区公共收益使用公示")
    sign_in(client, w["zsf"], clock)
    response = client.get(reverse("portal:notice_pdf", args=[mine.public_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("portal:notice_pdf", args=[other.public_id])).status_code == 404
