"""Each hot-spot alert of the warning list links to the work queue filtered to its community, topic and days,
and that queue lists exactly the alert's cases; the work queue links to the warning list."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import services
from shequ.cases.models import Category
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar", "categories")]
NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)  # the `clock` fixture's now: 17:30 in Shanghai
QUEUE = reverse("cases:case_queue")
WARNINGS = reverse("analysis:warnings")


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


def test_each_hotspot_links_to_the_queue_of_its_community_topic_and_days(client, world):
    """The 噪音 alert of c1 (5 reports in 3 days) links to 全部 filtered to c1, 噪音 and the days of its first and
    last report (03-14 … 03-16); the link lists exactly those 5 reports, for the community worker and for a grid
    worker of the community."""
    t = world["t"]
    for user in (world["cw"], staff("grid_worker", t["g11"])):
        client.force_login(user)
        body = client.get(WARNINGS).content.decode()
        assert "洗面桥社区 3天内：5件关于“噪音”的反映，涉及2栋楼" in body
        section = body[body.index("热点聚集预警") : body.index("预警阈值")]
        href = section.split("查看这些诉求", 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert urlsplit(href).path == QUEUE
        assert parse_qs(urlsplit(href).query) == {
            "tab": ["all"],
            "category": [_code("S01-02")],
            "community": [str(t["c1"].public_id)],
            "submitted_from": ["2026-03-14"],
            "submitted_to": ["2026-03-16"],
        }
        response = client.get(href)
        assert response.context["filter_errors"] == {}
        assert _titles(response) == _names(world, "电钻", "凌晨", "唱歌", "喧哗", "广场舞")


def test_the_work_queue_links_to_the_warning_list(client, world):
    """The queue's header has the 风险预警 button (registered by analysis as a part of the queue page)."""
    client.force_login(world["cw"])
    body = client.get(QUEUE).content.decode()
    assert f'<a class="btn" href="{WARNINGS}">风险预警</a>' in body
