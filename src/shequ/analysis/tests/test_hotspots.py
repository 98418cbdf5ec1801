"""Hot spots: same-topic reports in a community within the window raise an alert (topic from the category tree
or its keywords), below the threshold or outside the window they do not; scope, settings and the warnings page."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.analysis.hotspots import HotspotSettings, hotspots_for
from shequ.cases import services
from shequ.cases.models import Case, CaseSupport, Category
from shequ.registry.tests.factories import make_resident
from shequ.territory.tests.factories import make_tree

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)  # the `clock` fixture's now
WARNINGS = reverse("analysis:warnings")


@pytest.fixture
def world(calendar, categories):
    """c1 within the last 3 days: 4 noise reports with a noise category (装修噪音 ×2 on b1, 夜间噪音 on b1 and b2)
    and one without a category whose text names 广场舞 (a 夜间噪音 keyword); 4 parking reports; one noise report
    5 days ago. One resident supports one noise case."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    cat = {code: Category.objects.get(code=code) for code in ("S01-02-001", "S01-02-002", "S01-01-001")}

    def submit(title, building, code=None, hours_ago=1):
        data = services.CaseInput(
            case_type="complaint",
            title=title,
            description=f"{title}，请尽快处理",
            channel="staff",
            building=t[building],
            category=cat[code] if code else None,
        )
        return services.case_submit(actor=cw, data=data, now=NOW - dt.timedelta(hours=hours_ago))

    noise = [
        submit("楼上装修电钻声", "b1", "S01-02-001", 2),
        submit("周末一早装修敲打", "b1", "S01-02-001", 20),
        submit("半夜有人唱歌", "b1", "S01-02-002", 30),
        submit("深夜楼下喧哗", "b2", "S01-02-002", 50),
        submit("楼下广场舞音量大", "b2", None, 60),
    ]
    for i in range(4):
        submit(f"门口车辆乱停{i}", "b1", "S01-01-001", 3 + i)
    old = submit("装修噪音又来了", "b1", "S01-02-001", 24 * 5)
    CaseSupport.objects.create(case=noise[0], resident=make_resident(t["c1"]))
    return {"t": t, "cw": cw, "noise": noise, "old": old}


def test_five_noise_reports_in_three_days_raise_one_alert(world):
    """5 noise reports (one by keywords) on 2 buildings in 3 days with 1 support: one alert; parking (4) is below
    the threshold and the 5-day-old report is outside the window."""
    found = hotspots_for(world["cw"], window_days=3, min_reports=5, now=NOW)
    assert [(h.topic, h.count, h.buildings, h.compounds, h.supporters) for h in found] == [("噪音", 5, 2, 1, 1)]
    hot = found[0]
    assert hot.message == "洗面桥社区 3天内：5件关于“噪音”的反映，涉及2栋楼，1位居民附议"
    assert [c.pk for c in hot.cases] == [c.pk for c in world["noise"]]
    assert world["old"].pk not in {c.pk for c in hot.cases}
    assert hot.first_at == NOW - dt.timedelta(hours=60) and hot.last_at == NOW - dt.timedelta(hours=2)


def test_no_alert_below_the_threshold_or_for_withdrawn_reports(world):
    """With min_reports 6 nothing is raised; a withdrawn noise report drops the group below 5."""
    assert hotspots_for(world["cw"], window_days=3, min_reports=6, now=NOW) == []
    Case.objects.filter(pk=world["noise"][4].pk).update(status="withdrawn")
    assert hotspots_for(world["cw"], window_days=3, min_reports=5, now=NOW) == []


def test_a_wider_window_counts_the_older_report_and_settings_apply(world, settings):
    """A 7-day window counts 6 noise reports; SHEQU_HOTSPOTS gives the defaults used without arguments."""
    (hot,) = hotspots_for(world["cw"], window_days=7, min_reports=5, now=NOW)
    assert hot.count == 6 and hot.message.startswith("洗面桥社区 7天内：6件关于“噪音”的反映")
    settings.SHEQU_HOTSPOTS = {"window_days": 7, "min_reports": 4}
    assert HotspotSettings.from_settings() == HotspotSettings(window_days=7, min_reports=4)
    assert [(h.topic, h.count) for h in hotspots_for(world["cw"], now=NOW)] == [("噪音", 6), ("停车管理", 4)]


def test_other_community_sees_no_alert(world):
    """A community worker of c2 gets no alert about c1."""
    assert hotspots_for(staff("community_worker", world["t"]["c2"]), window_days=3, min_reports=5, now=NOW) == []


def test_warnings_page_shows_the_alert_on_top(client, clock, world):
    """The warnings page lists the hot-spot alert with links to its cases; c2's worker sees the empty state."""
    client.force_login(world["cw"])
    body = client.get(WARNINGS).content.decode()
    assert "热点聚集预警" in body
    assert "洗面桥社区 3天内：5件关于“噪音”的反映，涉及2栋楼，1位居民附议" in body
    assert body.index("热点聚集预警") < body.index("预警阈值")
    section = body[body.index("热点聚集预警") : body.index("预警阈值")]
    assert all(c.tracking_number in section for c in world["noise"])
    assert world["old"].tracking_number not in section
    client.force_login(staff("community_worker", world["t"]["c2"]))
    body = client.get(WARNINGS).content.decode()
    assert "暂无热点聚集。" in body and "洗面桥社区" not in body
