"""Case metrics: response, on-time resolution and satisfaction rates, and the level of resolution."""

import datetime as dt

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import services
from shequ.cases.metrics import case_metrics
from shequ.cases.tests.factories import submitted_case
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SH = dt.timezone(dt.timedelta(hours=8))


def _case(t, cw, now, building="b1"):
    return submitted_case(
        t,
        cw,
        now=now,
        building=building,
        case_type="help",
        title="路灯不亮",
        description="后门通道路灯坏了一个月",
        reporter_name="",
        reporter_mobile="",
    )


def test_rates_and_levels():
    """Two cases: one accepted and resolved on time at the micro-grid and rated satisfied; one accepted late."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)
    a = _case(t, cw, monday)
    services.case_accept(actor=cw, case=a, now=monday + dt.timedelta(hours=1))
    services.case_dispatch(actor=cw, case=a, target=t["m111"], now=monday + dt.timedelta(hours=2))
    services.case_start(actor=mg, case=a)
    services.case_resolve(actor=mg, case=a, reply="已更换灯泡，恢复照明。", now=monday + dt.timedelta(days=1))
    services.case_rate(actor=cw, case=a, satisfaction="satisfied")
    b = _case(t, cw, monday)
    services.case_accept(actor=cw, case=b, now=monday + dt.timedelta(days=5))
    m = case_metrics(cw, t["c1"], dt.date(2026, 3, 1), dt.date(2026, 12, 31))
    assert (m.submitted, m.response.numerator, m.response.denominator) == (2, 1, 2)
    assert (m.on_time.numerator, m.on_time.denominator) == (1, 1)
    assert (m.satisfaction.numerator, m.satisfaction.denominator) == (1, 1)
    assert m.resolved_by_level["micro_grid"] == 1 and m.level_share("micro_grid") == 1.0
    assert m.resolved_within_compound == 1


def test_metrics_page_scoped(client):
    """The page renders the community's figures for its worker and is refused to a department officer."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    client.force_login(cw)
    page = client.get(reverse("cases:case_metrics"), {"area": str(t["c1"].public_id)})
    assert page.status_code == 200 and page.context["chosen"] == t["c1"]
    client.force_login(staff("department_officer", t["district"]))
    assert client.get(reverse("cases:case_metrics")).status_code == 403


def test_the_compound_s_own_property_company_resolves_within_the_compound():
    """A case led by the compound's property company stays in the compound; one led by a department does not."""
    from shequ.organisations.tests.factories import unit

    t = make_tree()
    cw = staff("community_worker", t["c1"])
    pm = unit("property_company", "锦苑物业", t["c1"])
    dept = unit("department", "区住建局", t["district"])
    monday = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)
    for target in (pm, dept):
        case = _case(t, cw, monday)
        services.case_accept(actor=cw, case=case, now=monday + dt.timedelta(hours=1))
        services.case_dispatch(actor=cw, case=case, target=target, now=monday + dt.timedelta(hours=2))
        handler = staff("org_staff" if target is pm else "department_officer", target.area, unit=target)
        services.case_resolve(
            actor=handler, case=case, reply="已处理完毕，已回复居民。", now=monday + dt.timedelta(days=1)
        )
    m = case_metrics(cw, t["c1"], dt.date(2026, 3, 1), dt.date(2026, 12, 31))
    assert m.resolved_within_compound == 1
    assert sum(m.resolved_by_level.values()) == 0
