"""Figures of the statistics pages (cases/figures.py): rates, the share resolved at each level, nesting of areas,
the list behind each count, and the pages that show them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.cases import figures, services
from shequ.cases.tests.factories import submitted_case
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH)
MARCH, DECEMBER = dt.date(2026, 3, 1), dt.date(2026, 12, 31)


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


def _resolved_at_micro_grid(t, cw, mg, now, building="b1", micro_grid="m111", satisfaction="satisfied"):
    case = _case(t, cw, now, building)
    services.case_accept(actor=cw, case=case, now=now + dt.timedelta(hours=1))
    services.case_dispatch(actor=cw, case=case, target=t[micro_grid], now=now + dt.timedelta(hours=2))
    services.case_start(actor=mg, case=case)
    services.case_resolve(actor=mg, case=case, reply="已更换灯泡，恢复照明。", now=now + dt.timedelta(days=1))
    if satisfaction:
        services.case_rate(actor=cw, case=case, satisfaction=satisfaction)
    return case


def test_rates_and_levels():
    """Two cases: one accepted and resolved on time at the micro-grid and rated satisfied; one accepted late."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    _resolved_at_micro_grid(t, cw, mg, MONDAY)
    b = _case(t, cw, MONDAY)
    services.case_accept(actor=cw, case=b, now=MONDAY + dt.timedelta(days=5))
    f = figures.figures_for(cw, t["c1"], MARCH, DECEMBER)
    assert (f.counts["submitted"], f.rate("response_rate")) == (2, figures.Rate(1, 2))
    assert f.rate("on_time_rate") == figures.Rate(1, 1) and f.rate("satisfaction_rate") == figures.Rate(1, 1)
    shares = {key: share for key, _label, share in f.level_shares()}
    assert shares["resolved_micro_grid"] == figures.Rate(1, 1) and shares["resolved_micro_grid"].percent == 100
    assert f.counts["resolved_within_compound"] == 1


def test_withdrawn_cases_are_not_submitted():
    """A withdrawn case is in no count: the submitted count and its list leave it out."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    kept, gone = _case(t, cw, MONDAY), _case(t, cw, MONDAY)
    services.case_withdraw(actor=cw, case=gone, reason="居民已自行解决")
    assert figures.figures_for(cw, t["c1"], MARCH, DECEMBER).counts["submitted"] == 1
    assert list(figures.figure_cases(cw, t["c1"], "submitted", MARCH, DECEMBER)) == [kept]


def test_the_compound_s_own_property_company_resolves_within_the_compound():
    """A case led by the compound's property company stays in the compound; one led by a department does not.
    Both count as resolved by a unit, and the level buckets add up to the resolved count."""
    from shequ.organisations.tests.factories import unit

    t = make_tree()
    cw = staff("community_worker", t["c1"])
    pm = unit("property_company", "锦苑物业", t["c1"])
    dept = unit("department", "区住建局", t["district"])
    for target in (pm, dept):
        case = _case(t, cw, MONDAY)
        services.case_accept(actor=cw, case=case, now=MONDAY + dt.timedelta(hours=1))
        services.case_dispatch(actor=cw, case=case, target=target, now=MONDAY + dt.timedelta(hours=2))
        handler = staff("org_staff" if target is pm else "department_officer", target.area, unit=target)
        services.case_resolve(
            actor=handler, case=case, reply="已处理完毕，已回复居民。", now=MONDAY + dt.timedelta(days=1)
        )
    f = figures.figures_for(cw, t["c1"], MARCH, DECEMBER)
    assert f.counts["resolved_within_compound"] == 1
    assert {k: f.counts[k] for k in figures.LEVEL_BUCKETS if f.counts[k]} == {"resolved_unit": 2}
    assert sum(f.counts[k] for k in figures.LEVEL_BUCKETS) == f.counts["resolved"] == 2


def test_district_is_the_sum_of_its_streets_and_each_count_is_its_list():
    """A district officer's district counts equal the sum of the two streets' (as their street officers see
    them); each numerator is within its denominator; every count equals the length of its list."""
    t = make_tree()
    cw1, cw2 = staff("community_worker", t["c1"]), staff("community_worker", t["c2"])
    mg1, mg2 = staff("micro_grid_worker", t["m111"]), staff("micro_grid_worker", t["m211"])
    _resolved_at_micro_grid(t, cw1, mg1, MONDAY)
    _resolved_at_micro_grid(t, cw1, mg1, MONDAY, satisfaction="unsatisfied")
    _resolved_at_micro_grid(t, cw2, mg2, MONDAY, building="b3", micro_grid="m211", satisfaction="basically")
    _case(t, cw2, MONDAY, building="b3")
    district_officer = staff("district_officer", t["district"])
    street_officers = {s: staff("street_officer", t[s]) for s in ("s1", "s2")}

    district = figures.breakdown(district_officer, t["district"], MARCH, DECEMBER)
    assert [child for child, _f in district.rows] == [t["s1"], t["s2"]] and district.unplaced is None
    for key in figures.COUNTS:
        streets = [figures.figures_for(street_officers[s], t[s], MARCH, DECEMBER).counts[key] for s in ("s1", "s2")]
        assert district.total.counts[key] == sum(streets) == sum(f.counts[key] for _c, f in district.rows), key
        listed = figures.figure_cases(district_officer, t["district"], key, MARCH, DECEMBER)
        assert listed.count() == district.total.counts[key], key
        part_of = figures.COUNTS[key].part_of
        if part_of:
            whole = set(figures.figure_cases(district_officer, t["district"], part_of, MARCH, DECEMBER))
            assert set(listed) <= whole, key
    assert district.total.counts["submitted"] == 4 and district.total.rate("satisfaction_rate") == figures.Rate(2, 3)


def test_trend_weeks_add_up_to_the_twelve_weeks():
    """The weekly numerators and denominators add up to those of the whole 12 weeks; the last week ends today."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    now = timezone.now()
    for days in (3, 20, 60):
        _resolved_at_micro_grid(t, cw, mg, now - dt.timedelta(days=days))
    today = timezone.localdate()
    weeks = figures.trend(cw, t["c1"], today)
    assert len(weeks) == 12 and weeks[-1].end == today and weeks[0].start == today - dt.timedelta(days=83)
    whole = figures.figures_for(cw, t["c1"], weeks[0].start, today)
    assert sum(w.on_time.denominator for w in weeks) == whole.counts["resolved"] == 3
    assert sum(w.satisfaction.numerator for w in weeks) == whole.counts["satisfied"] == 3


def test_metrics_page_shows_definitions_and_links_each_count_to_its_list(client):
    """The page names every rate with its definition and links the counts to the list behind them; the list
    shows the same number of cases. A department officer is refused both."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    _resolved_at_micro_grid(t, cw, mg, MONDAY)
    client.force_login(cw)
    query = {"area": str(t["c1"].public_id), "start": "2026-03-01", "end": "2026-12-31"}
    page = client.get(reverse("cases:case_metrics"), query)
    html = page.content.decode()
    assert page.status_code == 200 and page.context["chosen"] == t["c1"]
    for rate in figures.RATES.values():
        assert str(rate.definition) in html
    assert str(figures.LEVEL_SHARE_DEFINITION) in html
    listed = client.get(reverse("cases:figure_cases"), {**query, "figure": "resolved_on_time"})
    assert listed.status_code == 200 and listed.context["page_obj"].paginator.count == 1
    assert str(figures.COUNTS["resolved_on_time"].definition) in listed.content.decode()
    assert client.get(reverse("cases:figure_cases"), {**query, "figure": "nonsense"}).status_code == 404
    client.force_login(staff("department_officer", t["district"]))
    assert client.get(reverse("cases:case_metrics")).status_code == 403
    assert client.get(reverse("cases:figure_cases"), {**query, "figure": "resolved"}).status_code == 403


def test_street_page_lists_its_communities_and_the_leader_chart_data(client):
    """A street officer's page has a row per community adding up to the total, and the chart data as JSON."""
    t = make_tree()
    cw = staff("community_worker", t["c1"])
    mg = staff("micro_grid_worker", t["m111"])
    _resolved_at_micro_grid(t, cw, mg, timezone.now() - dt.timedelta(days=2))
    client.force_login(staff("street_officer", t["s1"]))
    page = client.get(reverse("cases:case_metrics"))
    assert [row["area"] for row in page.context["child_rows"]] == [t["c1"]]
    assert [c["n"] for c in page.context["child_rows"][0]["cells"]] == [c["n"] for c in page.context["total_cells"]]
    html = page.content.decode()
    assert 'id="leader-figures-data"' in html and "vendor/echarts.min.js" in html and "<script>" not in html


def test_every_definition_is_written_in_the_docs():
    """docs/figures.md carries each figure's definition word for word, as the pages show it."""
    from pathlib import Path

    from django.utils import translation

    doc = (Path(__file__).resolve().parents[4] / "docs" / "figures.md").read_text(encoding="utf-8")
    with translation.override("zh-hans"):
        texts = [
            *(f.definition for f in figures.COUNTS.values()),
            *(f.definition for f in figures.RATES.values()),
            *(f.definition for f in figures.SUGGESTION_FIGURES.values()),
            figures.LEVEL_SHARE_DEFINITION,
            figures.TREND_DEFINITION,
        ]
        missing = [str(t) for t in texts if str(t) not in doc]
    assert missing == []


def test_routing_page_shows_the_definitions(client):
    """The suggestion statistics page names its columns with their definitions."""
    t = make_tree()
    client.force_login(staff("district_officer", t["district"]))
    html = client.get(reverse("cases:routing_accuracy")).content.decode()
    for f in figures.SUGGESTION_FIGURES.values():
        assert str(f.definition) in html, f.key
