"""The volunteers API: one success and one denial per endpoint; hours above a day refused with the Chinese reason
and its code; lists scoped to the caller."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from shequ.accounts import services as accounts_services
from shequ.core.actors import ResidentActor
from shequ.volunteers import services
from shequ.volunteers.models import Signup
from shequ.volunteers.tests.factories import activity, at, confirmed, make_volunteer_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def w(clock):
    return make_volunteer_world()


def api(user):
    client = APIClient()
    key, _ = accounts_services.token_issue(actor=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_volunteer_list_and_detail_are_scoped_and_masked(w):
    response = api(w["worker1"]).get("/api/v1/volunteers/")
    assert response.status_code == 200
    assert ids(response) == {str(w[k].public_id) for k in ("v_zsf", "v_lisi", "v_minor")}
    assert "张三丰" not in response.content.decode()
    assert api(w["so1_staff"]).get("/api/v1/volunteers/").status_code == 403
    detail = api(w["street1"]).get(f"/api/v1/volunteers/{w['v_zsf'].public_id}/")
    assert detail.status_code == 200 and detail.json()["name"] == "张**"
    assert api(w["worker2"]).get(f"/api/v1/volunteers/{w['v_zsf'].public_id}/").status_code == 404


def test_volunteer_create(w):
    body = {"community": str(w["c1"].public_id), "name": "李雷", "birth_date": "2010-02-02"}
    response = api(w["worker1"]).post("/api/v1/volunteers/", body, format="json")
    assert response.status_code == 201 and response.json()["minor"] is True
    assert api(w["worker2"]).post("/api/v1/volunteers/", body, format="json").status_code == 400
    assert api(w["street1"]).post("/api/v1/volunteers/", body, format="json").status_code == 403


def test_entries_and_proofs(w):
    confirmed(w)
    url = f"/api/v1/volunteers/{w['v_zsf'].public_id}/"
    entry = {"kind": "commendation", "on": "2026-03-01", "title": "优秀志愿者"}
    assert api(w["worker1"]).post(url + "entries/", entry, format="json").status_code == 201
    assert api(w["street1"]).post(url + "entries/", entry, format="json").status_code == 403
    response = api(w["worker1"]).post(url + "proofs/", {}, format="json")
    assert response.status_code == 201 and response.json()["total_hours"] == "2.5"
    lisi = f"/api/v1/volunteers/{w['v_lisi'].public_id}/proofs/"
    response = api(w["worker1"]).post(lisi, {}, format="json")
    assert response.status_code == 400 and response.json()["codes"] == {"volunteer": ["volunteers.no_records"]}


def test_activities_create_list_and_confirm_hours(w):
    body = {
        "organiser": str(w["so1"].public_id),
        "title": "助老服务",
        "content": "陪伴老人",
        "place": "活动室",
        "starts_at": "2026-03-15T09:00:00+08:00",
        "ends_at": "2026-03-15T12:00:00+08:00",
        "slots": 5,
    }
    response = api(w["so1_staff"]).post("/api/v1/volunteer-activities/", body, format="json")
    assert response.status_code == 201
    activity_id = response.json()["id"]
    assert api(w["so2_staff"]).post("/api/v1/volunteer-activities/", body, format="json").status_code == 400
    assert api(w["street1"]).post("/api/v1/volunteer-activities/", body, format="json").status_code == 403
    assert ids(api(w["so1_staff"]).get("/api/v1/volunteer-activities/")) == {activity_id}
    assert ids(api(w["so2_staff"]).get("/api/v1/volunteer-activities/")) == set()
    signup = Signup.objects.create(
        activity_id=Signup._meta.get_field("activity").related_model.objects.get(public_id=activity_id).pk,
        volunteer=w["v_zsf"],
        signed_up_at=at(TODAY, 8) - dt.timedelta(days=2),
    )
    url = f"/api/v1/volunteer-activities/{activity_id}/confirm-hours/"
    response = api(w["so1_staff"]).post(url, {"signup": str(signup.public_id), "hours": "25"}, format="json")
    assert response.status_code == 400
    assert response.json()["hours"][0] == "服务时长不能超过一天（24 小时）"
    assert set(response.json()["codes"]["hours"]) == {"volunteers.hours_invalid"}
    assert (
        api(w["so2_staff"]).post(url, {"signup": str(signup.public_id), "hours": "2"}, format="json").status_code == 404
    )
    assert (
        api(w["street1"]).post(url, {"signup": str(signup.public_id), "hours": "2"}, format="json").status_code == 403
    )
    response = api(w["so1_staff"]).post(
        url, {"signup": str(signup.public_id), "hours": "2.50", "travel_hours": "1"}, format="json"
    )
    assert response.status_code == 201 and response.json()["hours"] == "2.5"
    detail = api(w["so1_staff"]).get(f"/api/v1/volunteer-activities/{activity_id}/").json()
    assert [s["status"] for s in detail["signups"]] == ["attended"]


def test_corrections_list_detail_and_answer(w):
    record = confirmed(w)
    c = services.correction_ask(actor=ResidentActor(w["zsf"]), record=record, text="应为3小时")
    assert ids(api(w["so1_staff"]).get("/api/v1/volunteer-corrections/")) == {str(c.public_id)}
    assert api(w["street1"]).get("/api/v1/volunteer-corrections/").status_code == 403
    url = f"/api/v1/volunteer-corrections/{c.public_id}/"
    assert api(w["so2_staff"]).get(url).status_code == 404
    response = api(w["so1_staff"]).post(
        url + "answer/", {"accept": True, "hours": "3", "answer": "已核实"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert response.json()["record"]["hours"] == "3"
    assert (
        api(w["so2_staff"]).post(url + "answer/", {"accept": False, "answer": "否"}, format="json").status_code == 404
    )


def test_activity_detail_denied_outside(w):
    act = activity(w["worker2"], w["rc2"], w["c2"], starts_at=at(TODAY, 9))
    assert api(w["worker1"]).get(f"/api/v1/volunteer-activities/{act.public_id}/").status_code == 404
    assert api(w["worker2"]).get(f"/api/v1/volunteer-activities/{act.public_id}/").status_code == 200


def test_consent_for_a_minor_and_sign_ups_list(w):
    url = f"/api/v1/volunteers/{w['v_minor'].public_id}/consent/"
    body = {"guardian_name": "王大明", "relation": "父亲", "guardian_mobile": "13800001111"}
    response = api(w["worker1"]).post(url, body, format="json")
    assert response.status_code == 200 and response.json()["guardian_consent"] is True
    assert api(w["street1"]).post(url, body, format="json").status_code == 403
    adult = f"/api/v1/volunteers/{w['v_zsf'].public_id}/consent/"
    response = api(w["worker1"]).post(adult, body, format="json")
    assert response.status_code == 400 and response.json()["codes"] == {"volunteer": ["volunteers.not_a_minor"]}
    act = activity(w["worker1"], w["rc1"], w["c1"], starts_at=at(TODAY + dt.timedelta(days=1), 9))
    services.signup_create(actor=ResidentActor(w["zsf"]), volunteer=w["v_zsf"], activity=act)
    rows = api(w["worker1"]).get(f"/api/v1/volunteer-activities/{act.public_id}/sign-ups/").json()
    assert [(r["volunteer_name"], r["status"]) for r in rows] == [("张**", "signed_up")]
    assert api(w["worker2"]).get(f"/api/v1/volunteer-activities/{act.public_id}/sign-ups/").status_code == 404


def test_activity_status_and_absence(w):
    act = activity(w["so1_staff"], w["so1"], w["c1"], starts_at=at(TODAY, 9) - dt.timedelta(days=1))
    url = f"/api/v1/volunteer-activities/{act.public_id}/"
    staff = api(w["so1_staff"])
    assert staff.post(url + "status/", {"event": "close"}, format="json").json()["status"] == "closed"
    refused = staff.post(url + "status/", {"event": "close"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()["codes"]
    assert staff.post(url + "status/", {"event": "explode"}, format="json").status_code == 400
    assert api(w["so2_staff"]).post(url + "status/", {"event": "reopen"}, format="json").status_code == 404
    assert api(w["street1"]).post(url + "status/", {"event": "reopen"}, format="json").status_code == 403
    assert staff.post(url + "status/", {"event": "reopen"}, format="json").json()["status"] == "open"

    signup = Signup.objects.create(activity=act, volunteer=w["v_zsf"], signed_up_at=at(TODAY, 8) - dt.timedelta(days=3))
    response = staff.post(url + "absent/", {"signup": str(signup.public_id)}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "absent"
    other = confirmed(w)
    wrong = staff.post(url + "absent/", {"signup": str(other.signup.public_id)}, format="json")
    assert wrong.status_code == 400 and "signup" in wrong.json()
    cancel = staff.post(
        f"/api/v1/volunteer-activities/{other.activity.public_id}/status/", {"event": "cancel"}, format="json"
    )
    assert cancel.status_code == 400 and cancel.json()["status"] == ["已确认服务时长的活动不能取消"]
