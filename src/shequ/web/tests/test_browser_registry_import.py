"""Browser journey of a register import on a 1366×768 desktop (issue 13): a community worker uploads a file
whose dwelling is not in the register, reads the report naming the building's units, floors and rooms,
confirms creating the dwelling, and the row becomes valid.

Headless Debian chromium driven by Playwright, as in test_browser.
"""

import io

import openpyxl
import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "小区", "楼栋", "单元", "房号"])
    ws.append(["孙八", "男", "锦苑小区", "1栋", "1单元", "302"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_worker_creates_the_missing_dwelling_from_the_import(desk, live_server, settings, tmp_path):
    """The report says 房屋未登记 with the layout; after 确认新增 the row counts as valid (新增 1, 有误 0)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    t = make_tree()
    staff("community_worker", t["c1"], username="cw")
    url = live_server.url
    desk.goto(f"{url}/accounts/login/")
    desk.fill("input[name=username]", "cw")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(lambda u: "/accounts/login/" not in u)

    desk.goto(url + reverse("registry:import_upload"))
    desk.set_input_files(
        "input[name=file]",
        files=[{"name": "名单.xlsx", "mimeType": "application/octet-stream", "buffer": _file()}],
    )
    desk.get_by_role("button", name="上传并校验").click()
    desk.wait_for_url(lambda u: "/upload/" not in u)
    report = desk.locator("main").inner_text()
    assert "房屋未登记：锦苑小区 1栋 1单元 302；该楼栋有 1 单元，1–3 层，每层 01 室" in report
    assert "有 1 行只因房屋未登记而不能导入，涉及 1 套房屋。" in report

    desk.get_by_role("link", name="查看并新增 1 套房屋").click()
    row = desk.locator("tbody tr")
    assert row.inner_text().split("\t")[:2] == ["锦苑小区 1栋 1单元 1-302（3 层）", "2"]
    assert desk.get_by_label("锦苑小区 1栋 1单元 1-302（3 层） 的面积").input_value() == "89.50"
    desk.get_by_role("button", name="确认新增 1 套房屋").click()
    desk.wait_for_url(lambda u: "/dwellings/" not in u)
    assert "已新增 1 套房屋，等待这些房屋的行已重新校验" in desk.locator(".messages").inner_text()
    counts = desk.locator("dl.counts").inner_text().split()
    assert counts[:6] == ["新增", "1", "更新", "0", "有误", "0"]
    assert "房屋未登记" not in desk.locator("main").inner_text()
