"""Fixtures of the dispute tests: the registry world (two communities, residents), dispute cases in c1 and c2."""

import datetime as dt

import pytest

from shequ.accounts.tests.factories import staff
from shequ.cases import services as case_services
from shequ.cases.tests.factories import submitted_case
from shequ.registry.tests.factories import make_world

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SUBMITTED = dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)  # a week before the frozen clock (2026-03-16)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(calendar):
    world = make_world()
    world["cw1"] = staff("community_worker", world["c1"])
    world["cw2"] = staff("community_worker", world["c2"])
    world["mg111"] = staff("micro_grid_worker", world["m111"])
    return world


def submit(w, actor=None, *, case_type="dispute", building="b1", title="楼上漏水邻里纠纷", now=SUBMITTED):
    return submitted_case(
        w,
        actor or w["cw1"],
        now=now,
        case_type=case_type,
        building=building,
        title=title,
        description="楼上卫生间漏水到楼下，多次沟通对方不愿维修，请社区帮忙调解。",
        reporter_name="王秀英",
    )


def resolve(w, case):
    """Accept, dispatch to micro-grid m111, start and resolve the case (c1)."""
    cw, mg = w["cw1"], w["mg111"]
    case_services.case_accept(actor=cw, case=case, now=SUBMITTED + dt.timedelta(hours=1))
    case_services.case_dispatch(actor=cw, case=case, target=w["m111"], now=SUBMITTED + dt.timedelta(hours=2))
    case_services.case_start(actor=mg, case=case)
    case_services.case_resolve(
        actor=mg, case=case, reply="双方经调解达成协议，漏水已修复。", now=SUBMITTED + dt.timedelta(days=3)
    )
    case.refresh_from_db()
    return case


@pytest.fixture
def case(w, clock):
    return submit(w)
