"""A grid worker's day on a 390×844 phone (issue 13): signs in, lands on the phone work page, sees the grid's
cards with the resident's photo and the deadline, filters them, and quick-reports a problem with a photo from
the camera input and a building."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.cases import photos
from shequ.cases.models import Case, CasePhoto
from shequ.cases.tests.factories import dispatched_case
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.browser_wait import wait_until
from shequ.web.tests.test_browser_cases import PHONE, contexts, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(path, colour):
    Image.new("RGB", (64, 48), colour).save(path, format="PNG")
    return path


def test_grid_worker_lands_on_the_phone_page_filters_and_quick_reports(contexts, live_server, seeded, tmp_path):  # noqa: F811
    t = make_tree()
    staff("grid_worker", t["g11"], username="gw")
    case = dispatched_case(t, case_type="help", title="楼道灯坏了", description="三楼楼道灯坏了，晚上看不见路")
    with open(_png(tmp_path / "lamp.png", (20, 20, 20)), "rb") as f:
        upload = SimpleUploadedFile("lamp.png", f.read(), content_type="image/png")
    photos.photos_attach(case=case, photos=photos.clean_photos([upload]))
    url = live_server.url

    phone = contexts(**PHONE)
    phone.goto(f"{url}/accounts/login/")
    phone.fill("input[name=username]", "gw")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{url}/cases/grid/")

    card = phone.locator(f"#c-{case.public_id}")
    assert "三楼楼道灯坏了" in card.inner_text()
    assert "锦苑小区 1栋" in card.inner_text()
    assert f"{timezone.localtime(case.resolve_by):%Y-%m-%d}" in card.inner_text()
    assert "期限：办理" in card.inner_text()
    thumb = card.locator(".thumbs img")
    assert thumb.count() == 1
    # The thumbnail really loads (a lazy image: wait until the browser has decoded it).
    wait_until(phone, f"document.querySelector('#c-{case.public_id} .thumbs img').naturalWidth > 0")
    assert card.locator("a:has-text('查看完整诉求')").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.click("nav.tabs a:has-text('我承办的')")
    phone.wait_for_url("**/cases/grid/?scope=mine")
    assert phone.locator("article.card").count() == 0
    assert "目前没有符合条件的诉求。" in phone.inner_text("main")
    phone.click("nav.tabs a:has-text('我的网格')")
    phone.select_option("#id_status", "dispatched")
    with phone.expect_navigation():
        phone.click("form.filters button")
    assert phone.locator("article.card").count() == 1

    phone.click("a:has-text('快速上报')")
    phone.wait_for_url(f"{url}/cases/grid/report/")
    camera = phone.locator("#id_photos")
    assert (camera.get_attribute("accept"), camera.get_attribute("capture")) == ("image/*", "environment")
    phone.set_input_files("#id_photos", str(_png(tmp_path / "bikes.png", (200, 60, 30))))
    phone.select_option("#id_building", str(t["b2"].public_id))
    phone.fill("#id_description", "二号楼门口电动车乱停放，堵塞通道")
    with phone.expect_navigation():
        phone.click("button:has-text('提交上报')")
    assert "等待社区受理" in phone.inner_text("body")
    new = Case.objects.get(title__startswith="二号楼门口")
    assert (new.building_id, new.channel) == (t["b2"].pk, "grid")
    assert CasePhoto.objects.filter(case=new, kind="report").count() == 1


def test_quick_report_takes_the_phones_position_when_allowed(contexts, live_server, seeded):  # noqa: F811
    """With the position allowed, 使用手机位置 fills the place; the case lies in the micro-grid of that point."""
    from shequ.core.actors import COMMAND_LINE
    from shequ.territory import services as territory

    t = make_tree()
    square = {  # m111's boundary (GCJ-02), wide enough to hold the WGS-84 point after conversion
        "type": "Polygon",
        "coordinates": [[[104.04, 30.63], [104.06, 30.63], [104.06, 30.65], [104.04, 30.65], [104.04, 30.63]]],
    }
    feature = {"type": "Feature", "properties": {"code": t["m111"].code}, "geometry": square}
    territory.boundaries_import(actor=COMMAND_LINE, collection={"type": "FeatureCollection", "features": [feature]})
    territory.micro_grid_index(force=True)
    staff("micro_grid_worker", t["m111"], username="mgw")
    phone = contexts(**PHONE, geolocation={"latitude": 30.6425, "longitude": 104.0475}, permissions=["geolocation"])
    url = live_server.url
    phone.goto(f"{url}/accounts/login/")
    phone.fill("input[name=username]", "mgw")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{url}/cases/grid/")
    phone.click("a:has-text('快速上报')")
    phone.wait_for_url(f"{url}/cases/grid/report/")
    phone.click("button:has-text('使用手机位置')")
    wait_until(phone, "document.getElementById('id_lat').value !== ''")
    assert "已获取位置： 30.642500, 104.047500" in phone.inner_text("[data-locate-status]")
    phone.fill("#id_description", "小区后门路灯不亮，晚上很黑")
    with phone.expect_navigation():
        phone.click("button:has-text('提交上报')")
    case = Case.objects.get(title__startswith="小区后门路灯")
    assert (round(case.lat, 4), round(case.lng, 4), case.building_id) == (30.6425, 104.0475, None)
    assert (case.micro_grid_id, case.community_id) == (t["m111"].pk, t["c1"].pk)
