"""Open311 GeoReport v2 service requests: POST with an API key, GET list with filters, GET one, errors."""

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.cases.models import Case
from shequ.cases.selectors import categories
from shequ.core import audit
from shequ.core.actors import COMMAND_LINE, DEMO_LOADER, ApiClientActor, describe_label
from shequ.core.errors import PermissionDenied
from shequ.core.models import AuditRecord
from shequ.open311 import services
from shequ.open311.models import ApiClient
from shequ.territory.geo import convert_point

from .conftest import POINT

pytestmark = pytest.mark.django_db
PARKING = "S01-01-001"


def _post(client, world, fmt="json", **fields):
    data = {
        "api_key": world["key"],
        "service_code": PARKING,
        **POINT,
        "address_string": "幸福小区东门",
        "description": "东门口长期乱停车，消防通道被堵",
        "first_name": "小明",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang@example.com",
        "media_url": "https://example.com/a.jpg",
    }
    data.update(fields)
    return client.post(f"/open311/v2/requests.{fmt}", data)


def _errors_xml(response):
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description"), e.findtext("error_code")) for e in root.findall("error")]


def test_post_json_creates_an_open311_case_in_the_micro_grid_of_the_point(client, world):
    """A POST creates a case on channel open311 in the category's default type, placed in m111 of c1."""
    response = _post(client, world)
    assert response.status_code == 200
    body = response.json()
    case = Case.objects.get()
    assert body == [{"service_request_id": case.tracking_number, "service_notice": ""}]
    assert (case.channel, case.category.code, case.case_type) == ("open311", PARKING, case.category.default_type)
    assert (case.micro_grid_id, case.community_id, case.holder_id) == (world["m111"].pk, world["c1"].pk, world["c1"].pk)
    assert (case.lat, case.lng, case.title) == (30.6405, 104.0505, "东门口长期乱停车，消防通道被堵")
    assert case.reporter_name == "张小明" and case.reporter_mobile_masked == "139****5678"
    assert case.transitions.get().actor_label == "api:12345平台"
    # The intake suggests a category (keyword rules: 乱停车) with its confidence; the client's choice stays.
    assert case.suggested_category.name == "乱停乱放" and case.suggestion_source == "rules"
    assert case.suggestion_confidence > 0 and not case.needs_triage


def test_post_xml_returns_the_tracking_number(client, world):
    """The XML answer is one <request> with the service_request_id; the title is the description's first 30 chars."""
    long_text = "小区里" + "垃圾" * 30
    response = _post(client, world, fmt="xml", description=long_text)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    case = Case.objects.get()
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == case.tracking_number
    assert case.title == long_text[:30]


@pytest.mark.parametrize("key", ["", "wrong-key"])
def test_post_with_a_bad_api_key_is_403_and_creates_nothing(client, world, key):
    """A missing or unknown api_key answers 403 in the spec's error format; no case is created."""
    response = _post(client, world, api_key=key)
    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "api_key missing or invalid", "error_code": "open311.api_key_invalid"}
    ]
    xml = _post(client, world, fmt="xml", api_key=key)
    assert xml.status_code == 403
    assert _errors_xml(xml) == [("403", "api_key missing or invalid", "open311.api_key_invalid")]
    assert Case.objects.count() == 0


def test_inactive_client_is_403(client, world):
    """A deactivated client's key no longer works."""
    ApiClient.objects.update(active=False)
    assert _post(client, world).status_code == 403
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "description", "error_code"),
    [
        ({"service_code": "NOPE"}, "service_code NOPE not found", "open311.service_code_unknown"),
        ({"service_code": "S01-01"}, "service_code S01-01 not found", "open311.service_code_unknown"),
        ({"service_code": ""}, "service_code required", "open311.service_code_required"),
        ({"lat": "", "long": "", "address_string": ""}, "lat/long or address required", "open311.location_required"),
        (
            {"lat": "", "long": ""},
            "address_string alone cannot be located: send lat/long",
            "open311.address_not_locatable",
        ),
        ({"lat": "31.2", "long": "121.5"}, "location outside the service area", "open311.outside_service_area"),
        ({"lat": "north", "long": "104.05"}, "lat/long must be decimal degrees (WGS-84)", "open311.coordinate_invalid"),
        ({"lat": "95", "long": "104.05"}, "lat/long must be decimal degrees (WGS-84)", "open311.coordinate_invalid"),
        ({"description": "停车"}, "description required (at least 5 characters)", "open311.description_too_short"),
        ({"phone": "12345"}, "手机号码应为11位数字，以13–19开头", "core.mobile_format"),
    ],
)
def test_post_validation_errors_are_400(client, world, fields, description, error_code):
    """Invalid requests answer 400 with the reason and its stable code, in JSON and in XML, and create nothing."""
    response = _post(client, world, **fields)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": description, "error_code": error_code}]
    xml = _post(client, world, fmt="xml", **fields)
    assert xml.status_code == 400 and _errors_xml(xml) == [("400", description, error_code)]
    assert Case.objects.count() == 0


def test_unknown_format_is_404(client, world):
    assert client.get("/open311/v2/requests.csv").status_code == 404
    assert _post(client, world, fmt="html").status_code == 404


# --- GET ---------------------------------------------------------------------------------------------------


@pytest.fixture
def three(client, world):
    """Three requests: an open parking one, a resolved parking one, an open noise one from 100 days ago."""
    ids = []
    other = categories().filter(level=3).exclude(code=PARKING).first().code
    for code, text in [(PARKING, "东门口长期乱停车"), (PARKING, "西门口车辆乱停"), (other, "晚上广场舞噪音太大")]:
        ids.append(_post(client, world, service_code=code, description=text).json()[0]["service_request_id"])
    Case.objects.filter(tracking_number=ids[1]).update(status="resolved", reply="已联系车主挪车，车牌川A12345")
    Case.objects.filter(tracking_number=ids[2]).update(submitted_at=timezone.now() - dt.timedelta(days=100))
    return ids


def _ids_json(client, query=""):
    response = client.get(f"/open311/v2/requests.json{query}")
    assert response.status_code == 200
    return [r["service_request_id"] for r in response.json()]


def _ids_xml(client, query=""):
    response = client.get(f"/open311/v2/requests.xml{query}")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    return [r.findtext("service_request_id") for r in root.findall("request")]


@pytest.mark.parametrize("ids_of", [_ids_json, _ids_xml])
def test_get_list_filters(client, three, ids_of):
    """Default window is the last 90 days, newest first; service_code, status, ids and dates filter."""
    a, b, old = three
    assert ids_of(client) == [b, a]
    assert ids_of(client, f"?service_code={PARKING}&status=open") == [a]
    assert ids_of(client, "?status=closed") == [b]
    assert ids_of(client, f"?service_request_id={a},{old}") == [a, old]
    start = (timezone.now() - dt.timedelta(days=120)).date().isoformat()
    assert ids_of(client, f"?start_date={start}") == [b, a, old]
    end = (timezone.now() - dt.timedelta(days=50)).isoformat().replace("+", "%2B")
    assert ids_of(client, f"?start_date={start}&end_date={end}") == [old]


def test_get_list_rejects_bad_filters(client, world):
    """An unknown status or a malformed date answers 400 in the spec's format."""
    response = client.get("/open311/v2/requests.json?status=pending")
    assert response.status_code == 400 and response.json() == [
        {"code": 400, "description": "status must be open or closed", "error_code": "open311.status_invalid"}
    ]
    xml = client.get("/open311/v2/requests.xml?start_date=yesterday")
    assert xml.status_code == 400
    assert _errors_xml(xml) == [("400", "invalid date: yesterday (use ISO 8601)", "open311.date_invalid")]


def test_a_bare_end_date_includes_its_whole_day(client, three):
    """end_date=YYYY-MM-DD means the end of that day (Asia/Shanghai), not its midnight."""
    a, b, _old = three
    today = timezone.localdate().isoformat()
    assert _ids_json(client, f"?start_date={today}&end_date={today}") == [b, a]


@pytest.mark.parametrize(
    ("query", "description"),
    [
        ("end_date=0879-09-27T23:43:58-18:08", None),  # an offset Python accepts and PostgreSQL does not
        ("start_date=0001-01-01", "date out of range: 0001-01-01"),
        ("end_date=9999-12-31T23:00:00-05:00", "date out of range: 9999-12-31T23:00:00-05:00"),
        ("start_date=2024-01-01%08", "invalid date: 2024-01-01\x08 (use ISO 8601)"),
    ],
    ids=["offset-beyond-postgresql", "before-year-1-in-utc", "after-year-9999-in-utc", "control-character"],
)
def test_dates_at_the_edges_answer_200_or_400_never_500(client, world, query, description):
    """Dates PostgreSQL or Python's calendar cannot hold are moved to UTC or refused with 400; an error that
    echoes a control character is still well-formed XML (the character shows as U+FFFD)."""
    response = client.get(f"/open311/v2/requests.json?{query}")
    if description is None:
        assert (response.status_code, response.json()) == (200, [])
        return
    error_code = "open311.date_invalid" if description.startswith("invalid") else "open311.date_out_of_range"
    assert response.json() == [{"code": 400, "description": description, "error_code": error_code}]
    xml = client.get(f"/open311/v2/requests.xml?{query}")
    assert _errors_xml(xml) == [("400", description.replace("\x08", "\ufffd"), error_code)]


def test_other_methods_and_paths_answer_in_the_spec_format(client, world):
    """A method an endpoint does not take is 405 with Allow, and an unknown path 404, both in the spec's format
    (not Django's empty 405, CSRF page or HTML 404)."""
    put = client.put("/open311/v2/services.json")
    assert (put.status_code, put["Allow"]) == (405, "GET")
    assert put.json() == [
        {"code": 405, "description": "method not allowed: use GET", "error_code": "core.method_not_allowed"}
    ]
    delete = client.delete("/open311/v2/requests.xml")
    assert (delete.status_code, delete["Allow"], _errors_xml(delete)) == (
        405,
        "GET, POST",
        [("405", "method not allowed: use GET or POST", "core.method_not_allowed")],
    )
    missing = client.get("/open311/v2/requests/a/b.xml")
    assert missing.status_code == 404
    assert _errors_xml(missing) == [("404", "no such endpoint: see services.json, requests.json", "core.not_found")]


def test_get_one_has_the_spec_fields(client, three):
    """A single request carries the spec's fields, WGS-84 coordinates and the holder as agency."""
    a, b, _old = three
    data = client.get(f"/open311/v2/requests/{b}.json").json()
    assert len(data) == 1
    r = data[0]
    case = Case.objects.select_related("holder").get(tracking_number=b)
    assert {
        k: r[k] for k in ("service_request_id", "status", "service_name", "service_code", "agency_responsible")
    } == {
        "service_request_id": b,
        "status": "closed",
        "service_name": "乱停乱放",
        "service_code": PARKING,
        "agency_responsible": case.holder.name,
    }
    assert r["status_notes"] == "已联系车主挪车，车牌川A*****"
    assert (r["lat"], r["long"]) == (30.6405, 104.0505)
    assert r["requested_datetime"] == timezone.localtime(case.submitted_at).isoformat(timespec="seconds")
    assert r["expected_datetime"] is None and r["address"] == "幸福小区东门"
    assert client.get(f"/open311/v2/requests/{a}.json").json()[0]["status_notes"] == ""
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{b}.xml").content)
    assert xml.findtext("request/service_request_id") == b and xml.findtext("request/status") == "closed"


def test_get_one_unknown_is_404(client, world):
    response = client.get("/open311/v2/requests/999999999999.json")
    assert response.status_code == 404
    assert response.json() == [
        {
            "code": 404,
            "description": "service_request_id 999999999999 not found",
            "error_code": "open311.request_not_found",
        }
    ]
    xml = client.get("/open311/v2/requests/999999999999.xml")
    assert xml.status_code == 404
    assert _errors_xml(xml) == [("404", "service_request_id 999999999999 not found", "open311.request_not_found")]


def test_points_from_other_channels_are_converted_from_gcj02(client, three):
    """A case placed on a GCJ-02 map by another channel is published in WGS-84."""
    a = three[0]
    Case.objects.filter(tracking_number=a).update(channel="staff")
    r = client.get(f"/open311/v2/requests/{a}.json").json()[0]
    lng, lat = convert_point(104.0505, 30.6405, "gcj02", "wgs84")
    assert (r["lat"], r["long"]) == (round(lat, 7), round(lng, 7))


def test_public_output_is_redacted_and_carries_no_reporter(client, world):
    """Mobile, ID number, plate and room number are redacted everywhere; the reporter's name and mobile never appear."""
    text = "3-2-301住户（电话13800001111，身份证510104199001011234）的车川A12345堵门"
    number = _post(client, world, description=text, address_string="幸福小区3-2-301").json()[0]["service_request_id"]
    redacted = "*-*-***住户（电话138****1111，身份证5101**********1234）的车川A*****堵门"
    r = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert r["description"] == redacted and r["address"] == "幸福小区*-*-***"
    outputs = [
        client.get(f"/open311/v2/requests/{number}.json").content,
        client.get(f"/open311/v2/requests/{number}.xml").content,
        client.get("/open311/v2/requests.json").content,
        client.get("/open311/v2/requests.xml").content,
    ]
    for body in outputs:
        page = body.decode()
        for secret in ("张小明", "小明", "13912345678", "13800001111", "510104199001011234", "川A12345", "3-2-301"):
            assert secret not in page
    ET.fromstring(outputs[1])
    ET.fromstring(outputs[3])


def test_open311_key_command_prints_the_key_once_and_stores_only_a_hash(world, capsys):
    """`shequ open311-key NAME` creates an active client whose key works and is not stored in clear."""
    call_command("open311_key", "街道App", organisation="某街道")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    client = ApiClient.objects.get(name="街道App")
    assert (client.organisation, client.active) == ("某街道", True)
    assert key not in client.key_hash and len(key) >= 40
    from shequ.open311.selectors import client_for_key

    assert client_for_key(key) == client


def test_post_carries_the_contact_consent_extension_attribute(client, world):
    """`attribute[contact_consent]=true` stores the consent; without it (or with another value) none is stored."""
    assert _post(client, world).status_code == 200
    assert _post(client, world, **{"attribute[contact_consent]": "true"}).status_code == 200
    assert _post(client, world, **{"attribute[contact_consent]": "maybe"}).status_code == 200
    rows = list(Case.objects.order_by("id").values_list("reporter_contact_consent", flat=True))
    assert rows == [False, True, False]


def test_a_submission_is_audited_as_the_api_client_and_named_by_it(client, world):
    """The audit rows of an Open311 POST have kind api_client and the client's public id; pages say its name."""
    assert _post(client, world).status_code == 200
    case = Case.objects.get()
    rows = AuditRecord.objects.filter(object_id=str(case.public_id))
    assert rows.exists()
    api_client = world["api_client"]
    assert {(r.actor_kind, r.actor_ref, r.actor_id) for r in rows} == {("api_client", str(api_client.public_id), None)}
    assert audit.actor_words(list(rows[:1])) == ["接口 12345平台"]
    # Rows written before actor kinds named the client in their label; they read the same.
    assert describe_label("open311:12345平台") == "接口 12345平台"


def test_only_an_api_client_may_submit_and_only_the_command_line_manages_clients(world):
    """A staff member or a job cannot submit through Open311; no job but the command line creates a client."""
    data = services.RequestInput(service_code=PARKING, description="东门口长期乱停车", **POINT)
    worker = staff("community_worker", world["c1"])
    for actor in (worker, COMMAND_LINE, None):
        with pytest.raises(PermissionDenied):
            services.request_submit(actor=actor, data=data)
    with pytest.raises(PermissionDenied):
        services.api_client_create(actor=DEMO_LOADER, name="城市App")
    assert Case.objects.count() == 0 and ApiClient.objects.count() == 1


def test_a_disabled_client_is_refused(world):
    """A client switched off is refused by the service too, not only by the key lookup."""
    api_client = world["api_client"]
    api_client.active = False
    api_client.save(update_fields=["active"])
    data = services.RequestInput(service_code=PARKING, description="东门口长期乱停车", **POINT)
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=ApiClientActor(api_client), data=data)
    assert Case.objects.count() == 0
