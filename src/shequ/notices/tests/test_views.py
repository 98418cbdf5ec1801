"""Staff notice pages: one success and one denial per endpoint; forms keep what was typed on errors."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.notices import services
from shequ.notices.models import Notice, Objection

from .conftest import BODY, TODAY, draft, publish

pytestmark = pytest.mark.django_db
LIST = reverse("notices:notice_list")
NEW = reverse("notices:notice_new")
OBJECTIONS = reverse("notices:objection_list")


def _url(name, obj):
    return reverse(f"notices:{name}", args=[obj.public_id])


def _object(w, notice, resident="zsf", text="充电桩离单元门太近，有安全隐患"):
    return services.objection_file(actor=ResidentActor(w[resident]), notice=notice, text=text)


def test_list_shows_the_scope_with_filters_and_an_empty_state(client, w):
    mine = publish(w)
    draft(w, title="小区停车管理办法修订公示", kind="other")
    publish(w, actor=w["cw2"], area="c2", title="玉林社区公共收益使用公示", kind="fund_use")
    client.force_login(w["so1"])
    response = client.get(LIST)
    assert response.status_code == 200
    assert [r["notice"].title for r in response.context["rows"]] == [
        "小区停车管理办法修订公示",
        "关于增设充电桩的决议公示",
    ]
    assert "新建公示" not in response.content.decode()  # the street officer sees, does not publish
    client.force_login(w["cw1"])
    response = client.get(LIST, {"status": "published", "period": "running", "text": "充电桩"})
    assert [r["notice"].pk for r in response.context["rows"]] == [mine.pk]
    assert "新建公示" in response.content.decode()
    response = client.get(LIST, {"kind": "fund_use"})
    assert response.context["rows"] == []
    assert "没有符合条件的公示。" in response.content.decode()


def test_list_is_refused_to_staff_without_a_territory(client, w):
    from shequ.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="no-role"))
    assert client.get(LIST).status_code == 403


def test_new_notice_saves_a_draft(client, w):
    client.force_login(w["cw1"])
    assert client.get(NEW).status_code == 200
    data = {
        "place": f"p:{w['compound1'].public_id}",
        "kind": "resolution",
        "title": "关于增设充电桩的决议公示",
        "body": BODY,
        "starts_on": "2026-03-17",
        "ends_on": "2026-03-23",
    }
    response = client.post(NEW, data)
    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == _url("notice_detail", notice)
    assert (notice.status, notice.compound, notice.created_by) == ("draft", w["compound1"], w["cw1"])


def test_new_notice_with_a_short_period_shows_the_error_and_keeps_the_text(client, w):
    client.force_login(w["cw1"])
    data = {
        "place": f"c:{w['c1'].public_id}",
        "kind": "resolution",
        "title": "关于增设充电桩的决议公示",
        "body": BODY,
        "starts_on": "2026-03-17",
        "ends_on": "2026-03-19",
    }
    response = client.post(NEW, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "公示期不得少于5天（含开始和结束当天），当前为3天" in body and BODY in body
    assert Notice.objects.count() == 0


def test_new_notice_is_refused_to_the_street_officer(client, w):
    client.force_login(w["so1"])
    assert client.get(NEW).status_code == 403


def test_edit_a_draft_and_refusal_for_another_community(client, w):
    notice = draft(w)
    client.force_login(w["cw1"])
    assert client.get(_url("notice_edit", notice)).status_code == 200
    data = {
        "place": f"b:{w['b1'].public_id}",
        "kind": "other",
        "title": "1栋加装电梯公示",
        "body": BODY,
        "starts_on": "2026-03-16",
        "ends_on": "2026-03-22",
    }
    assert client.post(_url("notice_edit", notice), data).status_code == 302
    notice.refresh_from_db()
    assert (notice.title, notice.building) == ("1栋加装电梯公示", w["b1"])
    client.force_login(w["cw2"])
    assert client.post(_url("notice_edit", notice), data).status_code == 404


def test_publish_asks_for_confirmation_then_publishes(client, w):
    notice = draft(w)
    client.force_login(w["cw1"])
    response = client.get(_url("notice_publish", notice))
    assert response.status_code == 200 and "确认发布" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == "draft"
    assert client.post(_url("notice_publish", notice)).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.published_by) == ("published", w["cw1"])


def test_publish_is_refused_to_the_street_officer_and_writes_nothing(client, w):
    notice = draft(w)
    audits = AuditRecord.objects.count()
    client.force_login(w["so1"])
    assert client.post(_url("notice_publish", notice)).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "draft" and AuditRecord.objects.count() == audits


def test_detail_shows_objections_and_answer_forms(client, w):
    notice = publish(w)
    _object(w, notice)
    client.force_login(w["cw1"])
    response = client.get(_url("notice_detail", notice))
    body = response.content.decode()
    assert response.status_code == 200
    assert "充电桩离单元门太近，有安全隐患" in body and "提交答复" in body and "1 条异议待答复" in body


def test_detail_is_404_outside_the_scope_and_without_forms_for_the_street(client, w):
    notice = publish(w)
    _object(w, notice)
    client.force_login(w["cw2"])
    assert client.get(_url("notice_detail", notice)).status_code == 404
    client.force_login(w["so1"])
    body = client.get(_url("notice_detail", notice)).content.decode()
    assert "提交答复" not in body and "撤回" not in body


def test_answer_an_objection_and_denial(client, w):
    notice = publish(w)
    objection = _object(w, notice)
    url = _url("objection_answer", objection)
    field = f"a-{objection.public_id}-answer"
    client.force_login(w["so1"])
    assert client.post(url, {field: "已调整到车棚内侧。"}).status_code == 403
    client.force_login(w["cw1"])
    response = client.post(url, {field: "好"})
    assert response.status_code == 400 and "内容至少5个字" in response.content.decode()
    assert client.post(url, {field: "已调整到车棚内侧，远离单元门。"}).status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.answer) == ("answered", "已调整到车棚内侧，远离单元门。")


def test_record_an_objection_on_behalf_and_denial(client, w):
    notice = publish(w)
    url = _url("objection_record", notice)
    data = {
        "record-resident": str(w["lisi"].public_id),
        "record-channel": "phone",
        "record-received_on": "2026-03-16",
        "record-text": "电话反映：担心充电桩噪音",
    }
    client.force_login(w["so1"])
    assert client.post(url, data).status_code == 403
    client.force_login(w["cw1"])
    assert client.post(url, data).status_code == 302
    assert Objection.objects.get().channel == "phone"


def test_withdraw_asks_for_a_reason(client, w):
    notice = publish(w)
    client.force_login(w["cw1"])
    assert client.get(_url("notice_withdraw", notice)).status_code == 200
    response = client.post(_url("notice_withdraw", notice), {"reason": ""})
    assert response.status_code == 400 and "请填写撤回理由" in response.content.decode()
    assert client.post(_url("notice_withdraw", notice), {"reason": "方案需重新讨论"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "withdrawn"


def test_withdraw_is_refused_to_the_street_officer(client, w):
    notice = publish(w)
    client.force_login(w["so1"])
    assert client.post(_url("notice_withdraw", notice), {"reason": "方案需重新讨论"}).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "published"


def test_correction_starts_from_the_old_notice(client, w):
    old = publish(w)
    client.force_login(w["cw1"])
    response = client.get(NEW, {"corrects": old.public_id})
    assert response.status_code == 200
    assert response.context["form"].initial["title"] == "关于增设充电桩的决议公示（更正）"


def test_objection_list_filters_open_ones_and_denial(client, w):
    notice = publish(w)
    first = _object(w, notice)
    _object(w, notice, resident="lisi", text="希望增加充电桩数量")
    services.objection_answer(actor=w["cw1"], objection=first, answer="已调整到车棚内侧，远离单元门。")
    client.force_login(w["cw1"])
    response = client.get(OBJECTIONS, {"status": "open"})
    assert [r["o"].text for r in response.context["rows"]] == ["希望增加充电桩数量"]
    assert len(client.get(OBJECTIONS).context["rows"]) == 2
    client.force_login(w["cw2"])
    assert client.get(OBJECTIONS).context["rows"] == []


def test_pdf_download_and_denial(client, w):
    notice = publish(w)
    client.force_login(w["cw1"])
    response = client.get(_url("notice_pdf", notice))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(w["cw2"])
    assert client.get(_url("notice_pdf", notice)).status_code == 404


def test_dates_in_the_past_cannot_be_published_from_the_page(client, w):
    notice = draft(w, starts=-2)
    client.force_login(w["cw1"])
    response = client.post(_url("notice_publish", notice))
    assert response.status_code == 400
    assert "公示开始日期不能早于发布当天，请修改公示期" in response.content.decode()
    assert TODAY - dt.timedelta(days=2) == Notice.objects.get().starts_on
