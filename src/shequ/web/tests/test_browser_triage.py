"""Browser journey of the triage queue: a community worker bulk-confirms the cases waiting in 待分拣 (全选本页 is
Alpine.js, so this runs the vendored Alpine), narrows 全部 by topic and submitted dates and exports that selection,
and follows a hot-spot alert's 查看这些诉求 to exactly its cases; a wrong date in the filter is named in Chinese.

Headless Debian chromium driven by Playwright, as in test_browser. The live server serves static files through
the staticfiles finders, so Alpine (its CSP build, static_vendor/vendor/alpine-csp.min.js) is there only after
`make static`, which `make test` runs first; without it the bulk journey is skipped (and under CI=true a skip fails
the run).
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.tests.factories import staff
from shequ.cases import services as case_services
from shequ.cases.models import Case, Category
from shequ.core import calendar
from shequ.territory.tests.factories import make_tree
from shequ.web.tests.browser_wait import wait_until
from shequ.web.tests.test_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)  # the `clock` fixture's now: 17:30 on 03-16 in Shanghai
ALPINE = "vendor/alpine-csp.min.js"
NOT_TRIAGED = "没有建议分类，请在诉求页面选择分类"
QUEUE = reverse("cases:case_queue")
EXPORT = reverse("cases:queue_export")


@pytest.fixture
def desk(browser, flushable_audit):
    """A desktop page in Chinese that accepts downloads (the Excel export)."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def alpine():
    if finders.find(ALPINE) is None:
        pytest.skip(f"{ALPINE} is not among the static files: run `make static` (npm ci, then static_vendor/)")


@pytest.fixture
def world(settings, clock):
    """c1 as of 03-16 17:30 (Shanghai), seen by the community worker `cw`.

    Waiting in 待分拣 (no category chosen; every suggestion below the 0.99 bar): 乱停车, 装修吵 (装修噪音), 垃圾
    (垃圾清运) and 咨询 (no suggestion at all). Categorised noise reports: 电钻 03-16 15:30, 凌晨 03-16 00:30
    (03-15 in UTC), 唱歌 03-15 11:30, 喧哗 03-14 15:30 and 旧 03-11: with 装修吵, five 噪音 reports in three days
    over two buildings, the one hot spot.
    """
    settings.SHEQU_CLASSIFIER_MIN_CONFIDENCE = 0.99
    calendar.seed_official_calendar()
    calendar.invalidate()
    case_services.categories_seed()
    t = make_tree()
    cw = staff("community_worker", t["c1"], username="cw")

    def submit(title, description, hours_ago, code=None, building="b1"):
        data = case_services.CaseInput(
            case_type="complaint",
            title=title,
            description=description,
            channel="staff",
            building=t[building],
            category=Category.objects.get(code=code) if code else None,
        )
        case = case_services.case_submit(actor=cw, data=data, now=NOW - dt.timedelta(hours=hours_ago))
        case.refresh_from_db()
        return case

    cases = {
        "乱停车": submit("乱停车", "小区门口有人乱停车", 1),
        "装修吵": submit("装修吵", "楼上邻居装修，电钻声音噪音太大", 3),
        "垃圾": submit("垃圾没人收", "垃圾桶满了好几天没人清运，垃圾堆发臭", 4, building="b2"),
        "咨询": submit("想咨询一件事", "请问社区活动室周末开放吗", 6),
        "电钻": submit("楼上装修电钻声", "楼上装修电钻声，请尽快处理", 2, "S01-02-001", "b2"),
        "凌晨": submit("凌晨还在装修", "凌晨还在装修，请尽快处理", 17, "S01-02-001"),
        "唱歌": submit("半夜有人唱歌", "半夜有人唱歌，请尽快处理", 30, "S01-02-002"),
        "喧哗": submit("深夜楼下喧哗", "深夜楼下喧哗，请尽快处理", 50, "S01-02-002", "b2"),
        "旧": submit("装修噪音又来了", "装修噪音又来了，请尽快处理", 24 * 5, "S01-02-001"),
    }
    # A message the classifier has nothing for: it waits in 待分拣 without a suggestion.
    Case.objects.filter(pk=cases["咨询"].pk).update(suggested_category=None, suggestion_confidence=None)
    waiting = {k for k, c in cases.items() if c.needs_triage}
    assert waiting == {"乱停车", "装修吵", "垃圾", "咨询"}
    suggested = [cases[k].suggested_category.name for k in ("乱停车", "装修吵", "垃圾")]
    assert suggested == ["乱停乱放", "装修噪音", "垃圾清运"]
    yield {"t": t, "cw": cw, "cases": cases}
    calendar.invalidate()


def _numbers(world, *keys) -> set[str]:
    return {world["cases"][k].tracking_number for k in keys}


def _rows(page) -> list[str]:
    """The tracking numbers of the queue table, top to bottom."""
    return page.locator("main table.table tbody tr td code").all_inner_texts()


def _messages(page) -> list[str]:
    return [m.strip() for m in page.locator("ul.messages li").all_inner_texts()]


def _code(code: str) -> str:
    return str(Category.objects.get(code=code).public_id)


def test_worker_bulk_triages_with_select_all_then_filters_exports_and_follows_a_hotspot(
    desk, live_server, world, alpine, tmp_path
):
    """全选本页 ticks every case of the page; the review lists what each will get (one skipped, with the reason);
    confirming sets the three suggestions and leaves only the skipped case waiting. 全部 filtered to 噪音 from
    03-15 to 03-16 lists the four reports of those Shanghai days, and 导出 Excel carries the filters and writes
    those rows. The hot-spot alert's 查看这些诉求 opens the queue with exactly the alert's five cases."""
    from playwright.sync_api import expect

    cases, url = world["cases"], live_server.url
    _login(desk, live_server, "cw")

    # 1. 待分拣: Alpine is running; nothing ticked yet, so the hint shows and the chosen-category box is off.
    desk.goto(f"{url}/cases/")
    desk.click("nav.action-bar a:has-text('待分拣')")
    desk.wait_for_url("**/cases/?tab=triage")
    wait_until(desk, "window.Alpine !== undefined")
    ticked = desk.locator("#bulk-triage input[name=case]")
    order = ticked.evaluate_all("boxes => boxes.map(b => b.value)")
    by_id = {str(c.public_id): c for c in cases.values()}
    assert {by_id[v].tracking_number for v in order} == _numbers(world, "乱停车", "装修吵", "垃圾", "咨询")
    assert _rows(desk) == [by_id[v].tracking_number for v in order]  # one box per row, in the rows' order
    hint = desk.locator("#bulk-triage p:has-text('请先勾选要分拣的诉求')")
    counter = desk.locator("#bulk-triage strong[x-text=n]")
    chosen_category = desk.locator("#bulk-category")
    expect(hint).to_be_visible()  # Alpine applies its bindings a tick later: expect() waits, is_visible() races
    expect(counter).to_be_hidden()
    expect(chosen_category).to_be_disabled()
    desk.check("#bulk-triage input[name=mode][value=chosen]")
    expect(chosen_category).to_be_enabled()
    desk.check("#bulk-triage input[name=mode][value=suggested]")
    expect(chosen_category).to_be_disabled()

    # 全选本页 ticks and unticks the whole page, and the count follows.
    desk.check("#select-all")
    assert ticked.evaluate_all("boxes => boxes.map(b => b.checked)") == [True] * 4
    expect(counter).to_have_text("4")
    expect(counter).to_be_visible()
    expect(hint).to_be_hidden()
    desk.uncheck("#select-all")
    assert ticked.evaluate_all("boxes => boxes.map(b => b.checked)") == [False] * 4
    expect(hint).to_be_visible()
    expect(counter).to_be_hidden()
    desk.check("#select-all")
    expect(counter).to_have_text("4")
    # Unticking one case unticks the header box; ticking it again ticks the header box again.
    ticked.first.uncheck()
    expect(counter).to_have_text("3")
    expect(desk.locator("#select-all")).not_to_be_checked()
    ticked.first.check()
    expect(desk.locator("#select-all")).to_be_checked()
    desk.fill("#bulk-note", "周一集中分拣")

    # 2. The review page: three will get their suggestion, 咨询 is skipped; nothing is written yet.
    with desk.expect_navigation():
        desk.click("#bulk-triage button:has-text('批量分拣所选诉求')")
    assert desk.inner_text("h1") == "批量分拣确认"
    review = desk.inner_text("#bulk-review")
    assert "将确认分类 3 件，跳过 1 件。" in review
    assert "分拣方式：确认各自的建议分类；备注：周一集中分拣" in review
    lines = desk.locator("#bulk-review tbody tr").all_inner_texts()
    outcome = {line.split("\t")[0].strip(): line.split("\t")[-1].strip() for line in lines}
    assert outcome == {
        cases["乱停车"].tracking_number: "将设为 社区事务 › 停车管理 › 乱停乱放",
        cases["装修吵"].tracking_number: "将设为 社区事务 › 噪音 › 装修噪音",
        cases["垃圾"].tracking_number: "将设为 社区事务 › 环境卫生 › 垃圾清运",
        cases["咨询"].tracking_number: f"跳过 {NOT_TRIAGED}",
    }
    assert Case.objects.filter(needs_triage=True).count() == 4

    # 3. Confirm: back on 待分拣 with the outcome; only the skipped case still waits.
    with desk.expect_navigation():
        desk.click("#bulk-review button:has-text('确认分拣 3 件')")
    assert urlsplit(desk.url).path == QUEUE and parse_qs(urlsplit(desk.url).query) == {"tab": ["triage"]}
    done = [by_id[v].tracking_number for v in order if v != str(cases["咨询"].public_id)]
    assert _messages(desk) == [
        f"已确认分类 3 件：{'、'.join(done)}",
        f"1 件未分拣（{NOT_TRIAGED}）：{cases['咨询'].tracking_number}",
    ]
    assert _rows(desk) == [cases["咨询"].tracking_number]
    triaged = {k: Case.objects.get(pk=cases[k].pk) for k in ("乱停车", "装修吵", "垃圾", "咨询")}
    assert {k: (c.needs_triage, c.category.name if c.category else None) for k, c in triaged.items()} == {
        "乱停车": (False, "乱停乱放"),
        "装修吵": (False, "装修噪音"),
        "垃圾": (False, "垃圾清运"),
        "咨询": (True, None),
    }

    # 4. 全部, filtered to 噪音 (with its subcategories) submitted 03-15 … 03-16 (Shanghai days).
    desk.click("nav.action-bar a:has-text('全部')")
    desk.wait_for_url("**/cases/?tab=all")
    desk.select_option("#f-category", _code("S01-02"))
    desk.fill("#f-from", "2026-03-15")
    desk.fill("#f-to", "2026-03-16")
    with desk.expect_navigation():
        desk.click("form.filter-form button:has-text('筛选')")
    filters = {"tab": "all", "category": _code("S01-02"), "submitted_from": "2026-03-15", "submitted_to": "2026-03-16"}
    query = parse_qs(urlsplit(desk.url).query)
    assert {k: v for k, v in query.items() if v != [""]} == {k: [v] for k, v in filters.items()}
    assert set(_rows(desk)) == _numbers(world, "电钻", "装修吵", "凌晨", "唱歌") and len(_rows(desk)) == 4
    assert desk.inner_text("#filter-summary").startswith(
        "当前筛选：分类：噪音；提交日期：2026-03-15 至 2026-03-16。共 4 件。"
    )
    assert (desk.input_value("#f-from"), desk.input_value("#f-to")) == ("2026-03-15", "2026-03-16")
    assert desk.input_value("#f-category") == _code("S01-02")

    export = desk.locator("a:has-text('导出 Excel')")
    href = export.get_attribute("href")
    assert urlsplit(href).path == EXPORT and parse_qs(urlsplit(href).query) == {k: [v] for k, v in filters.items()}
    with desk.expect_download() as download_info:
        export.click()
    path = tmp_path / "queue.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    exported = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(exported) == sorted(_rows(desk))

    # 5. The hot-spot alert (噪音 in c1, three days) links to its community, topic and the days of its reports:
    # exactly its cases.
    with desk.expect_navigation():
        desk.click("a:has-text('风险预警')")
    alerts = desk.locator("#hotspots li.hotspot")
    assert alerts.count() == 1
    assert "洗面桥社区 3天内：5件关于“噪音”的反映，涉及2栋楼" in alerts.inner_text()
    listed = set(alerts.locator("code").all_inner_texts())
    assert listed == _numbers(world, "电钻", "装修吵", "凌晨", "唱歌", "喧哗")
    with desk.expect_navigation():
        alerts.locator("a:has-text('查看这些诉求')").click()
    assert parse_qs(urlsplit(desk.url).query) == {
        "tab": ["all"],
        "category": [_code("S01-02")],
        "community": [str(world["t"]["c1"].public_id)],
        "submitted_from": ["2026-03-14"],
        "submitted_to": ["2026-03-16"],
    }
    assert set(_rows(desk)) == listed and len(_rows(desk)) == 5
    assert desk.locator("p[role=alert]").count() == 0
    assert desk.inner_text("#filter-summary").startswith(
        "当前筛选：分类：噪音；社区：洗面桥社区；提交日期：2026-03-14 至 2026-03-16。共 5 件。"
    )
    desk.screenshot(path=str(tmp_path / "hotspot-queue.png"), full_page=True)


def test_a_wrong_date_in_the_queue_filter_is_named_in_chinese(desk, live_server, world):
    """An end date before the start, a year out of range and an impossible date (in the address) each get their
    Chinese message by the field, the page says the filters were not applied, and the valid ones still are."""
    url = live_server.url
    _login(desk, live_server, "cw")
    desk.goto(f"{url}/cases/?tab=all")
    everything = set(_rows(desk))
    assert len(everything) == 9

    desk.fill("#f-from", "2026-03-16")
    desk.fill("#f-to", "2026-03-14")
    with desk.expect_navigation():
        desk.click("form.filter-form button:has-text('筛选')")
    assert desk.inner_text("p[role=alert]") == "部分筛选条件有误，未生效，请更正标红的项。"
    invalid = desk.locator(".field-invalid")  # the one field in error: 提交日期至, with the reason
    assert invalid.count() == 1 and invalid.locator("#f-to").count() == 1
    assert "结束日期不能早于开始日期" in invalid.inner_text()
    assert set(_rows(desk)) == _numbers(world, "乱停车", "装修吵", "垃圾", "咨询", "电钻", "凌晨")  # from 03-16
    export_href = desk.locator("a:has-text('导出 Excel')").get_attribute("href")
    assert parse_qs(urlsplit(export_href).query) == {"tab": ["all"], "submitted_from": ["2026-03-16"]}

    desk.fill("#f-from", "1900-01-01")  # below the field's min: the form is novalidate, the server says why
    desk.fill("#f-to", "")
    with desk.expect_navigation():
        desk.click("form.filter-form button:has-text('筛选')")
    invalid = desk.locator(".field-invalid")
    assert invalid.count() == 1 and invalid.locator("#f-from").count() == 1
    assert "日期应在 2000-01-01 至 2099-12-31 之间" in invalid.inner_text()
    assert set(_rows(desk)) == everything

    desk.goto(f"{url}/cases/?tab=all&submitted_from=2026-02-30")  # an address typed or kept by hand
    assert desk.inner_text("p[role=alert]") == "部分筛选条件有误，未生效，请更正标红的项。"
    assert "日期格式应为 年-月-日，例如 2026-03-16" in desk.inner_text(".field-invalid")
    assert set(_rows(desk)) == everything
