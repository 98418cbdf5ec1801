"""The REST API of public notices: the list and the detail scoped as the pages, and the writes through the
services (draft, publish, withdraw, an objection recorded by staff, answer). Every endpoint: one success and
one denial; a refusal writes nothing (no notice, no objection, no audit record)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from shequ.core.models import AuditRecord
from shequ.notices import services
from shequ.notices.models import Notice, Objection

from .conftest import TODAY, draft, publish

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _counts():
    return (
        Notice.objects.count(),
        list(Notice.objects.order_by("id").values_list("status", flat=True)),
        list(Objection.objects.order_by("id").values_list("status", flat=True)),
        AuditRecord.objects.count(),
    )


def _objection(w, notice, text="充电桩位置离住户窗户太近，请调整"):
    return services.objection_record(
        actor=w["cw1"], notice=notice, resident=w["zsf"], text=text, channel="paper", received_on=TODAY
    )


# --- reads ---------------------------------------------------------------------------------------------------


def test_the_list_holds_the_notices_of_the_callers_communities_with_their_filters(w):
    """A community worker of c1 lists c1's notices only; `status` and `period` filter as on the page."""
    published = publish(w)
    drafted = draft(w, title="下月停水公示", starts=3)
    publish(w, w["cw2"], area="c2", title="c2 的公示")
    response = api(w["cw1"]).get("/api/v1/notices/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {str(published.public_id), str(drafted.public_id)}
    first = next(row for row in body["results"] if row["id"] == str(published.public_id))
    assert (first["status"], first["status_label"], first["phase"], first["days"], first["place"]) == (
        "published",
        "已发布",
        "running",
        7,
        w["c1"].name,
    )
    assert first["community"] == {"id": str(w["c1"].public_id), "name": w["c1"].name}
    assert first["open_objections"] == 0
    drafts = api(w["cw1"]).get("/api/v1/notices/", {"status": "draft"}).json()
    assert [row["id"] for row in drafts["results"]] == [str(drafted.public_id)]
    upcoming = api(w["cw1"]).get("/api/v1/notices/", {"period": "upcoming"}).json()
    assert [row["id"] for row in upcoming["results"]] == [str(drafted.public_id)]


def test_a_bad_filter_is_400_and_anonymous_is_401(w):
    """An unknown status names the field (core.invalid_choice); without credentials the answer is 401."""
    response = api(w["cw1"]).get("/api/v1/notices/", {"status": "lost"})
    assert (response.status_code, response.json()["codes"]) == (400, {"status": ["core.invalid_choice"]})
    assert api().get("/api/v1/notices/").status_code == 401


def test_the_detail_shows_the_objections_with_their_answers_and_another_community_gets_404(w):
    """Staff of the notice's community see its text and objections; staff of c2 get the 404 of a missing one."""
    notice = publish(w)
    objection = _objection(w, notice)
    response = api(w["so1"]).get(f"/api/v1/notices/{notice.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == notice.body
    assert [(o["id"], o["resident"]["name"], o["channel"], o["status"], o["answer"]) for o in body["objections"]] == [
        (str(objection.public_id), "张三丰", "paper", "open", "")
    ]
    assert body["open_objections"] == 1
    assert api(w["cw2"]).get(f"/api/v1/notices/{notice.public_id}/").status_code == 404


# --- writes --------------------------------------------------------------------------------------------------


def _new(w, **changes):
    body = {
        "community": str(w["c1"].public_id),
        "compound": str(w["compound1"].public_id),
        "kind": "resolution",
        "title": "关于增设充电桩的决议公示",
        "body": "经社区居民议事会讨论，决定增设充电桩。",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=6)).isoformat(),
    }
    return {**body, **changes}


def test_a_community_worker_saves_a_draft_for_a_compound_of_their_community(w):
    """201 with the draft; its area is the compound of c1."""
    response = api(w["cw1"]).post("/api/v1/notices/", _new(w), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["compound"]["id"], body["place"]) == (
        "draft",
        str(w["compound1"].public_id),
        f"{w['c1'].name} {w['compound1'].name}",
    )
    assert Notice.objects.get(public_id=body["id"]).created_by == w["cw1"]


def test_a_draft_is_refused_to_street_officers_and_outside_the_scope_and_writes_nothing(w):
    """A street officer publishes for no community (403); c2's worker does not find c1 (400); a short period
    names the field (400); nothing is written."""
    before = _counts()
    assert api(w["so1"]).post("/api/v1/notices/", _new(w), format="json").status_code == 403
    response = api(w["cw2"]).post("/api/v1/notices/", _new(w, compound=None), format="json")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["community"])
    short = _new(w, ends_on=(TODAY + dt.timedelta(days=1)).isoformat())
    response = api(w["cw1"]).post("/api/v1/notices/", short, format="json")
    assert response.status_code == 400 and "ends_on" in response.json()
    assert _counts() == before


def test_publish_a_draft_and_refusals_change_nothing(w):
    """The community worker publishes the draft (200, 已发布); a street officer gets 403, c2's worker 404; a
    published notice cannot be published again (400)."""
    notice = draft(w)
    before = _counts()
    assert api(w["so1"]).post(f"/api/v1/notices/{notice.public_id}/publish/").status_code == 403
    assert api(w["cw2"]).post(f"/api/v1/notices/{notice.public_id}/publish/").status_code == 404
    assert _counts() == before
    response = api(w["sec1"]).post(f"/api/v1/notices/{notice.public_id}/publish/")
    assert (response.status_code, response.json()["status"]) == (200, "published")
    again = api(w["sec1"]).post(f"/api/v1/notices/{notice.public_id}/publish/")
    assert (again.status_code, again.json()["codes"]) == (400, {"non_field_errors": ["core.invalid"]})


def test_withdraw_with_a_reason_and_refusals_change_nothing(w):
    """Withdrawal needs a reason of four characters or more (400 naming `reason`); a street officer gets 403."""
    notice = publish(w)
    before = _counts()
    url = f"/api/v1/notices/{notice.public_id}/withdraw/"
    assert api(w["so1"]).post(url, {"reason": "内容有误需要重发"}, format="json").status_code == 403
    response = api(w["cw1"]).post(url, {"reason": "错"}, format="json")
    assert (response.status_code, list(response.json()["codes"])) == (400, ["reason"])
    assert _counts() == before
    response = api(w["cw1"]).post(url, {"reason": "内容有误需要重发"}, format="json")
    assert (response.status_code, response.json()["status"], response.json()["withdraw_reason"]) == (
        200,
        "withdrawn",
        "内容有误需要重发",
    )


def test_answer_an_objection_once_and_refusals_change_nothing(w):
    """The community worker answers (200, 已答复); a street officer gets 403, c2's worker 404; a second answer is
    400."""
    objection = _objection(w, publish(w))
    url = f"/api/v1/objections/{objection.public_id}/answer/"
    text = {"answer": "已调整充电桩位置，远离住户窗户"}
    before = _counts()
    assert api(w["so1"]).post(url, text, format="json").status_code == 403
    assert api(w["cw2"]).post(url, text, format="json").status_code == 404
    assert _counts() == before
    response = api(w["cw1"]).post(url, text, format="json")
    assert (response.status_code, response.json()["status"], response.json()["answer"]) == (
        200,
        "answered",
        text["answer"],
    )
    assert api(w["cw1"]).post(url, text, format="json").status_code == 400


# --- an objection recorded by staff --------------------------------------------------------------------------


def _record(w, notice, user=None, **changes):
    body = {"resident": str(w["zsf"].public_id), "channel": "phone", "received_on": TODAY.isoformat()}
    body = {**body, "text": "充电桩位置离住户窗户太近，请调整", **changes}
    return api(user or w["cw1"]).post(f"/api/v1/notices/{notice.public_id}/objections/", body, format="json")


def test_staff_record_an_objection_a_resident_gave_by_phone(w):
    """201: the objection of 张三丰, by phone, received today, open, recorded by the worker; the notice counts it."""
    notice = publish(w)
    response = _record(w, notice)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["notice"], body["resident"], body["channel"], body["channel_label"]) == (
        str(notice.public_id),
        {"id": str(w["zsf"].public_id), "name": "张三丰"},
        "phone",
        "电话",
    )
    assert (body["received_on"], body["status"], body["text"], body["answer"]) == (
        "2026-03-16",
        "open",
        "充电桩位置离住户窗户太近，请调整",
        "",
    )
    objection = Objection.objects.get(public_id=body["id"])
    assert (objection.recorded_by, objection.notice_id) == (w["cw1"], notice.pk)
    assert api(w["cw1"]).get(f"/api/v1/notices/{notice.public_id}/").json()["open_objections"] == 1


def test_recording_an_objection_is_400_for_a_resident_outside_the_area_or_a_future_day(w):
    """A notice of building b1: 李四 (b2) does not live in its area (core.invalid under `resident`); a day after
    today names `received_on`; 王五 of c2 is "not found"; the portal is not a channel staff record. Nothing
    written."""
    notice = publish(w, building=w["b1"])
    before = _counts()
    response = _record(w, notice, resident=str(w["lisi"].public_id))
    assert (response.status_code, response.json()["resident"], response.json()["codes"]) == (
        400,
        ["该居民不在公示范围内居住"],
        {"resident": ["core.invalid"]},
    )
    response = _record(w, notice, received_on=(TODAY + dt.timedelta(days=1)).isoformat())
    assert (response.status_code, response.json()["received_on"]) == (400, ["收到日期不能晚于今天"])
    response = _record(w, notice, resident=str(w["wang"].public_id))
    assert (response.status_code, response.json()["resident"]) == (400, ["居民不存在或不在您的辖区内"])
    response = _record(w, notice, channel="portal")
    assert (response.status_code, response.json()["codes"]) == (400, {"channel": ["core.invalid_choice"]})
    assert _counts() == before


def test_recording_an_objection_is_refused_to_a_street_officer_and_another_community(w):
    """The street officer sees the notice but records nothing (403); c2's worker gets 404. Nothing written."""
    notice = publish(w)
    before = _counts()
    response = _record(w, notice, w["so1"])
    assert (response.status_code, response.json()["codes"]) == (403, {"detail": ["core.permission_denied"]})
    assert _record(w, notice, w["cw2"]).status_code == 404
    assert _counts() == before
