"""Queue filters: category (a topic with its subcategories and keyword-matched uncategorised reports), community
within the scope and submitted dates (Asia/Shanghai days); Chinese errors for bad values; kept across pages and in
the export link; the Excel export applies them (and refuses invalid ones)."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.tests.factories import staff
from shequ.cases import services, views
from shequ.cases.models import Category
from shequ.core.models import AuditRecord
from shequ.organisations.tests.factories import unit
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar", "categories")]
NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)  # the `clock` fixture's now: 17:30 in Shanghai
QUEUE = reverse("cases:case_queue")
EXPORT = reverse("cases:queue_export")


def _code(code: str) -> str:
    return str(Category.objects.get(code=code).public_id)


@pytest.fixture
def world(db, clock):
    """c1: five noise reports within the last 3 days (装修噪音 ×2, 夜间噪音 ×2, one uncategorised naming 广场舞),
    one 装修噪音 report 5 days ago and one parking report; c2: one 装修噪音 report."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])

    def submit(title, hours_ago, code=None, building="b1", actor=cw):
        data = services.CaseInput(
            case_type="complaint",
            title=title,
            description=f"{title}，请尽快处理",
            channel="staff",
            building=t[building],
            category=Category.objects.get(code=code) if code else None,
        )
        return services.case_submit(actor=actor, data=data, now=NOW - dt.timedelta(hours=hours_ago))

    cases = {
        "电钻": submit("楼上装修电钻声", 2, "S01-02-001"),  # 03-16 15:30 Shanghai
        "凌晨": submit("凌晨还在装修", 17, "S01-02-001"),  # 03-16 00:30 Shanghai (03-15 in UTC)
        "唱歌": submit("半夜有人唱歌", 30, "S01-02-002"),  # 03-15 11:30
        "喧哗": submit("深夜楼下喧哗", 50, "S01-02-002", "b2"),  # 03-14 15:30
        "广场舞": submit("楼下广场舞音量大", 60, None, "b2"),  # 03-14 05:30, no category: 噪音 by keywords
        "旧": submit("装修噪音又来了", 24 * 5, "S01-02-001"),  # 03-11 17:30
        "停车": submit("门口车辆乱停", 3, "S01-01-001"),
        "c2": submit("玉林装修噪音", 1, "S01-02-001", "b3", staff("community_worker", t["c2"])),
    }
    return {"t": t, "cw": cw, "cases": cases}


def _titles(response) -> set[str]:
    assert response.status_code == 200
    return {row.case.title for row in response.context["page"].object_list}


def _names(world, *keys) -> set[str]:
    return {world["cases"][k].title for k in keys}


NOISE_C1 = ("电钻", "凌晨", "唱歌", "喧哗", "广场舞", "旧")


def test_category_filter_takes_the_topic_its_subcategories_and_keyword_matches(client, world):
    """噪音 (second level): 装修噪音, 夜间噪音 and the uncategorised 广场舞 report; 装修噪音 (a leaf): its own cases
    only; 社区事务 (first level): everything below it, parking too."""
    client.force_login(world["cw"])
    assert _titles(client.get(QUEUE, {"tab": "all", "category": _code("S01-02")})) == _names(world, *NOISE_C1)
    assert _titles(client.get(QUEUE, {"tab": "all", "category": _code("S01-02-001")})) == _names(
        world, "电钻", "凌晨", "旧"
    )
    assert _titles(client.get(QUEUE, {"tab": "all", "category": _code("S01")})) == _names(world, *NOISE_C1, "停车")
    assert _titles(client.get(QUEUE, {"tab": "all", "category": _code("C01")})) == set()
    body = client.get(QUEUE, {"tab": "all", "category": _code("S01-02")}).content.decode()
    assert "当前筛选：分类：噪音。共 6 件。含下级分类；未分类的诉求按标题和内容的关键词归入话题，与热点预警相同" in body


def test_community_filter_offers_and_accepts_only_communities_in_scope(client, world):
    """A district officer narrows to either community; a c1 worker is offered c1 only and gets an error for c2
    (the rest of the filters still apply); a grid worker may pick the community above the grid."""
    t = world["t"]
    client.force_login(staff("district_officer", t["district"]))
    c2 = str(t["c2"].public_id)
    assert _titles(client.get(QUEUE, {"tab": "all", "community": c2})) == _names(world, "c2")
    response = client.get(QUEUE, {"tab": "all", "community": str(t["c1"].public_id), "category": _code("S01-01")})
    assert _titles(response) == _names(world, "停车")

    client.force_login(world["cw"])
    response = client.get(QUEUE, {"tab": "all", "community": c2, "text": "装修"})
    assert [name for _value, name in response.context["filter_form"].fields["community"].choices] == [
        "全部社区",
        "洗面桥社区",
    ]
    assert response.context["filter_errors"] == {"community": ["所选社区不存在或不在您的辖区内"]}
    body = response.content.decode()
    assert "部分筛选条件有误，未生效，请更正标红的项。" in body and "所选社区不存在或不在您的辖区内" in body
    assert _titles(response) == _names(world, "电钻", "凌晨", "旧")

    client.force_login(staff("grid_worker", t["g11"]))
    response = client.get(QUEUE, {"tab": "all", "community": str(t["c1"].public_id), "category": _code("S01-02")})
    assert response.context["filter_errors"] == {}
    assert _titles(response) == _names(world, *NOISE_C1)


def test_date_range_counts_whole_days_in_shanghai(client, world):
    """从 03-14 至 03-15 holds the reports of those Shanghai days: not the 00:30 report of 03-16 (03-15 in UTC)."""
    client.force_login(world["cw"])
    params = {"tab": "all", "submitted_from": "2026-03-14", "submitted_to": "2026-03-15"}
    assert _titles(client.get(QUEUE, params)) == _names(world, "唱歌", "喧哗", "广场舞")
    slashed = client.get(QUEUE, {"tab": "all", "submitted_from": "2026/03/16"})
    assert _titles(slashed) == _names(world, "电钻", "凌晨", "停车")
    # The date box shows the date as a date input understands it, so pressing 筛选 again keeps it.
    assert 'name="submitted_from" min="2000-01-01" max="2099-12-31" placeholder="2026-03-16" value="2026-03-16"' in (
        slashed.content.decode()
    )
    assert _titles(client.get(QUEUE, {"tab": "all", "submitted_to": "2026-03-11"})) == _names(world, "旧")


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"submitted_from": "2026-13-01"}, {"submitted_from": ["日期格式应为 年-月-日，例如 2026-03-16"]}),
        ({"submitted_to": "昨天"}, {"submitted_to": ["日期格式应为 年-月-日，例如 2026-03-16"]}),
        (
            {"submitted_from": "2026-03-16", "submitted_to": "2026-03-14"},
            {"submitted_to": ["结束日期不能早于开始日期"]},
        ),
        ({"submitted_from": "1900-01-01"}, {"submitted_from": ["日期应在 2000-01-01 至 2099-12-31 之间"]}),
        ({"category": "not-a-category"}, {"category": ["请选择有效的分类"]}),
        ({"status": "lost"}, {"status": ["请选择有效的状态"]}),
        ({"text": "长" * 51}, {"text": ["标题关键词不能超过50个字"]}),
    ],
)
def test_bad_values_are_named_in_chinese_and_not_applied(client, world, params, errors):
    """Each bad value gets its message on the page (200) and is left out; the queue lists what the rest selects."""
    client.force_login(world["cw"])
    response = client.get(QUEUE, {"tab": "all", **params})
    assert response.context["filter_errors"] == errors
    body = response.content.decode()
    assert "部分筛选条件有误，未生效，请更正标红的项。" in body
    assert all(message in body for messages in errors.values() for message in messages)
    expected = _names(world, *NOISE_C1, "停车")
    if "submitted_to" in errors and "submitted_from" in params:
        expected = _names(world, "电钻", "凌晨", "停车")  # the valid start date still applies
    assert _titles(response) == expected


def test_filters_are_kept_across_pages_and_in_the_export_link(client, world, monkeypatch):
    """With 2 a page the next-page link and the 导出 Excel link carry every filter in use."""
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(world["cw"])
    c1 = str(world["t"]["c1"].public_id)
    params = {"tab": "all", "category": _code("S01-02"), "community": c1, "submitted_from": "2026-03-13"}
    response = client.get(QUEUE, params)
    assert response.context["page"].paginator.count == 5
    body = response.content.decode()
    export_href = body.split(f'href="{EXPORT}?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert parse_qs(export_href) == {k: [v] for k, v in params.items()}
    next_href = body.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(next_href).query) == {**{k: [v] for k, v in params.items()}, "page": ["2"]}
    second = client.get(QUEUE, {**params, "page": "2"})
    first_titles = _titles(response)
    assert len(first_titles | _titles(second)) == 4 and not first_titles & _titles(second)


def _sheet(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_export_applies_the_same_filters_and_audits_them(client, world):
    """The export of 噪音 in c1 from 03-14 holds exactly the page's cases; the audit record names the filters."""
    client.force_login(world["cw"])
    c1 = str(world["t"]["c1"].public_id)
    params = {"tab": "all", "category": _code("S01-02"), "community": c1, "submitted_from": "2026-03-14"}
    rows = _sheet(client.get(EXPORT, params))
    expected = {world["cases"][k].tracking_number for k in ("电钻", "凌晨", "唱歌", "喧哗", "广场舞")}
    assert {r[0] for r in rows[1:]} == expected
    assert {row.case.tracking_number for row in client.get(QUEUE, params).context["page"].object_list} == expected
    assert AuditRecord.objects.get(action="cases.export").after == {
        "rows": 5,
        "tab": "all",
        "filters": {k: v for k, v in params.items() if k != "tab"},
    }


def test_export_with_an_invalid_filter_goes_back_without_a_file(client, world):
    """An invalid date: no file and no audit record; back to the queue with the same parameters and the reason."""
    client.force_login(world["cw"])
    response = client.get(
        EXPORT, {"tab": "all", "category": _code("S01-02"), "submitted_from": "2026-02-30"}, follow=True
    )
    ((url, status),) = response.redirect_chain
    assert status == 302 and url.startswith(QUEUE + "?")
    assert parse_qs(urlsplit(url).query) == {
        "tab": ["all"],
        "category": [_code("S01-02")],
        "submitted_from": ["2026-02-30"],
    }
    body = response.content.decode()
    assert "筛选条件有误，未导出。请更正后再导出" in body and "日期格式应为 年-月-日，例如 2026-03-16" in body
    assert not AuditRecord.objects.filter(action="cases.export").exists()


def test_the_queue_with_filters_is_refused_without_case_access(client, world):
    """An auditor (no case role) is refused the queue, filters or not."""
    client.force_login(staff("auditor", world["t"]["city"]))
    assert client.get(QUEUE, {"tab": "all", "category": _code("S01-02")}).status_code == 403


def test_unit_staff_may_narrow_to_the_communities_of_the_cases_granted_to_them(client, world):
    """A department officer (no territory) is offered the community of the case dispatched to the department and
    lists it with the community and topic filters."""
    t, cw = world["t"], world["cw"]
    dept = unit("department", "区住建局", t["district"])
    officer = staff("department_officer", t["district"], unit=dept)
    case = world["cases"]["电钻"]
    services.case_accept(actor=cw, case=case)
    services.case_dispatch(actor=cw, case=case, target=dept)
    client.force_login(officer)
    params = {"tab": "all", "community": str(t["c1"].public_id), "category": _code("S01-02")}
    response = client.get(QUEUE, params)
    assert [name for _v, name in response.context["filter_form"].fields["community"].choices] == [
        "全部社区",
        "洗面桥社区",
    ]
    assert response.context["filter_errors"] == {}
    assert _titles(response) == {case.title}
