"""Fixtures of the notice tests: the registry world (c1 with 张三丰 in b1 and 李四 in b2 of 锦苑小区; 王五 in c2),
community workers of both communities, a street officer of s1 and a grid worker of g11."""

import datetime as dt

import pytest

from shequ.accounts.tests.factories import staff
from shequ.notices import services
from shequ.registry.tests.factories import make_world

TODAY = dt.date(2026, 3, 16)  # the frozen clock's day (conftest.FIXED_NOW)
BODY = "经社区居民议事会讨论，决定在锦苑小区增设电动自行车集中充电桩二十个，费用由公共收益列支。"


@pytest.fixture
def w(clock):
    world = make_world()
    world["cw1"] = staff("community_worker", world["c1"], username="cw1")
    world["sec1"] = staff("community_secretary", world["c1"], username="sec1")
    world["cw2"] = staff("community_worker", world["c2"], username="cw2")
    world["so1"] = staff("street_officer", world["s1"], username="so1")
    world["gw11"] = staff("grid_worker", world["g11"], username="gw11")
    return world


def publish(w, actor=None, *, area="c1", starts=0, days=7, title="关于增设充电桩的决议公示", **kw):
    """Publish a notice in `area` starting `starts` days from today and lasting `days` days."""
    start = TODAY + dt.timedelta(days=starts)
    return services.notice_publish(
        actor=actor or w["cw1"],
        area=w[area],
        kind=kw.pop("kind", "resolution"),
        title=title,
        body=kw.pop("body", BODY),
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        **kw,
    )


def draft(w, actor=None, *, area="c1", starts=0, days=7, title="关于增设充电桩的决议公示", **kw):
    start = TODAY + dt.timedelta(days=starts)
    return services.notice_draft_create(
        actor=actor or w["cw1"],
        area=w[area],
        kind=kw.pop("kind", "resolution"),
        title=title,
        body=kw.pop("body", BODY),
        starts_on=start,
        ends_on=start + dt.timedelta(days=days - 1),
        **kw,
    )
