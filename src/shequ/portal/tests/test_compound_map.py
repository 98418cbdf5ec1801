"""小区地图: the resident's compound's public cases as approximate markers over the compound's own geometry,
with the list below; the JSON carries no personal data and only cases of the resident's compound; photos
only once staff made them public."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases import photo_services, public_map
from shequ.cases import services as case_services
from shequ.portal.tests.test_portal import register, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
MAP = reverse("portal:compound_map")
DATA = reverse("portal:compound_map_data")
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[104.04, 30.64], [104.05, 30.64], [104.05, 30.65], [104.04, 30.65], [104.04, 30.64]]],
}


@pytest.fixture
def signed_in(client, resident, deliver, outbox):
    """The client signed in as 张建国 (1栋 of 锦苑小区)."""
    assert sign_in(client, deliver, outbox).url == "/portal/"
    return client


@pytest.fixture
def placed(tree):
    """Buildings b1, b2 of 锦苑小区 and b3 of 玉林北苑 with WGS-84 centres; micro-grid m111 with a boundary."""
    for key, lng, lat in (("b1", 104.04123, 30.64321), ("b2", 104.04488, 30.64402), ("b3", 104.06, 30.66)):
        b = tree[key]
        b.center_lng, b.center_lat, b.center_crs = lng, lat, "wgs84"
        b.save()
    m = tree["m111"]
    m.geometry, m.geometry_crs = SQUARE, "wgs84"
    m.save()
    return tree


def submit(tree, building, title, reporter_name="王小明", mobile="13912345678"):
    community = tree["b3"].compound.community if building == "b3" else tree["c1"]
    data = case_services.CaseInput(
        case_type="complaint",
        title=title,
        description="楼道灯坏了一个月，晚上看不见路，王小明家门口最黑",
        channel="staff",
        building=tree[building],
        reporter_name=reporter_name,
        reporter_mobile=mobile,
    )
    return case_services.case_submit(actor=staff("community_worker", community), data=data)


def features(client, kind):
    response = client.get(DATA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [f for f in response.json()["features"] if f["properties"]["kind"] == kind], response.content.decode()


def test_map_data_has_only_the_compound_cases_without_personal_data(signed_in, placed):
    """Cases of 锦苑小区 only, title redacted, approximate position (snapped); no reporter name, mobile or
    description anywhere in the JSON; the buildings and the micro-grid boundary are drawn."""
    mine = submit(placed, "b2", "2栋楼道灯坏了请回电13912345678")
    other = submit(placed, "b3", "玉林北苑门口积水", reporter_name="赵大海", mobile="13700001111")

    cases, body = features(signed_in, "case")

    assert [f["properties"]["tracking_number"] for f in cases] == [mine.tracking_number]
    props = cases[0]["properties"]
    assert props["title"] == "2栋楼道灯坏了请回电139****5678"
    assert (props["status"], props["type"], props["open"], props["photos"]) == ("已提交", "投诉", True, [])
    assert cases[0]["geometry"] == {"type": "Point", "coordinates": [104.0450, 30.6440]}
    text = body
    assert json.loads(body)["name"] == "锦苑小区"
    for secret in (
        "王小明",
        "13912345678",
        "赵大海",
        "13700001111",
        "楼道灯坏了一个月",
        other.tracking_number,
        "玉林北苑",
    ):
        assert secret not in text
    for key in ("reporter", "reporter_name", "mobile", "description", "address"):
        assert f'"{key}"' not in text
    buildings, _ = features(signed_in, "building")
    assert sorted(f["properties"]["name"] for f in buildings) == ["1栋", "2栋"]
    boundaries, _ = features(signed_in, "boundary")
    assert [b["properties"]["name"] for b in boundaries] == [placed["m111"].name]


def test_public_photo_is_shown_only_after_review(signed_in, placed):
    """A before photo is absent from the map until staff make it public; then its link serves the image to
    the resident; a private photo's link is 404."""
    case = submit(placed, "b1", "1栋门口路面塌陷")
    cw = staff("community_worker", placed["c1"])
    case_services.case_accept(actor=cw, case=case)
    case_services.case_dispatch(actor=cw, case=case, target=placed["m111"])
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buf, format="JPEG")
    shown, hidden = photo_services.photos_upload(
        actor=staff("micro_grid_worker", placed["m111"]),
        case=case,
        kind="before",
        uploads=[SimpleUploadedFile(n, buf.getvalue(), content_type="image/jpeg") for n in ("a.jpg", "b.jpg")],
    )
    assert features(signed_in, "case")[0][0]["properties"]["photos"] == []

    photo_services.photo_set_public(actor=cw, photo=shown, public=True)

    url = reverse("portal:compound_photo", args=[case.tracking_number, shown.public_id])
    assert features(signed_in, "case")[0][0]["properties"]["photos"] == [url]
    image = signed_in.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "no-store" in image["Cache-Control"]
    hidden_url = reverse("portal:compound_photo", args=[case.tracking_number, hidden.public_id])
    assert signed_in.get(hidden_url).status_code == 404


def test_photo_of_another_compound_is_404_even_when_public(signed_in, placed):
    """A public photo of a 玉林北苑 case is not served to a 锦苑小区 resident."""
    case = submit(placed, "b3", "玉林北苑门口积水")
    cw = staff("community_worker", placed["c2"])
    case_services.case_accept(actor=cw, case=case)
    case_services.case_dispatch(actor=cw, case=case, target=placed["m211"])
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, format="PNG")
    (photo,) = photo_services.photos_upload(
        actor=cw, case=case, kind="after", uploads=[SimpleUploadedFile("p.png", buf.getvalue())]
    )
    photo_services.photo_set_public(actor=cw, photo=photo, public=True)
    assert (
        signed_in.get(reverse("portal:compound_photo", args=[case.tracking_number, photo.public_id])).status_code == 404
    )


def test_map_page_lists_the_cases_below_the_map_and_needs_sign_in(client, signed_in, placed):
    """The page has the map container (local Leaflet), the same cases as a list, and a link from the list page;
    signed out, it sends the visitor to the sign-in page."""
    case = submit(placed, "b2", "2栋电梯停运")
    html = signed_in.get(MAP).content.decode()
    assert f'data-url="{DATA}"' in html
    assert "vendor/leaflet/leaflet.js" in html and "portal/compound_map.js" in html
    assert f'id="case-{case.tracking_number}"' in html and "2栋电梯停运" in html
    assert "地图上标出 1 件诉求。" in html
    assert MAP in signed_in.get(reverse("portal:compound_cases")).content.decode()
    signed_in.post(reverse("portal:logout"))
    assert signed_in.get(DATA).url == "/portal/login/"


def test_positions_are_snapped_to_the_grid():
    """Approximate positions: snapped to 0.0005° (about 50 m)."""
    assert (public_map._snap(104.04123), public_map._snap(30.64321)) == (104.041, 30.643)


def test_resident_without_dwelling_sees_the_community_cases_and_boundary(client, tree, worker, deliver, outbox, placed):
    """Without a registered dwelling the map falls back to the community, as the list does."""
    register(tree, worker, "周无房", mobile="13600001234")
    c1 = tree["c1"]
    c1.geometry, c1.geometry_crs = SQUARE, "wgs84"
    c1.save()
    case = submit(placed, "b1", "社区公园路灯")
    assert sign_in(client, deliver, outbox, mobile="13600001234").url == "/portal/"
    data = client.get(DATA).json()
    assert data["name"] == "洗面桥社区"
    kinds = [
        (f["properties"]["kind"], f["properties"].get("name") or f["properties"].get("tracking_number"))
        for f in data["features"]
    ]
    assert kinds == [("boundary", "洗面桥社区"), ("case", case.tracking_number)]
