"""The figures of the statistics pages add up on the demo district (docs/figures.md).

Loading the demo takes most of a minute, so one test loads it once and checks every identity: the district's
counts are the sums of its streets', each street's the sum of its communities'; a street officer sees the same
street figures as the district officer; each count is the length of its list, each numerator's cases lie in its
denominator's; the 12 weekly spans add up to the 12 weeks; a resolved case's holder is the area that resolved it.
"""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from shequ.cases import figures, selectors
from shequ.web.management.commands.demo import build_demo

pytestmark = pytest.mark.django_db

User = apps.get_model("accounts", "User")
Area = apps.get_model("territory", "Area")
Case = apps.get_model("cases", "Case")
CaseTransition = apps.get_model("cases", "CaseTransition")


def _counts(f: figures.Figures) -> dict[str, int]:
    return dict(f.counts)


def _sum(parts: list[figures.Figures]) -> dict[str, int]:
    total = figures.Figures()
    for part in parts:
        total.add(part)
    return dict(total.counts)


def test_figures_nest_and_agree_with_their_lists_on_the_demo():
    """District = Σ streets = Σ communities for every count, as each leader sees it; counts equal their lists;
    rates recomputed from the nested parts agree; every street has cases."""
    build_demo()
    district = Area.objects.get(code="510107000000")
    officer = User.objects.get(username="district1")
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=90), today

    whole = figures.breakdown(officer, district, start, end)
    assert whole.unplaced is None and len(whole.rows) == 17
    assert _sum([f for _s, f in whole.rows]) == _counts(whole.total)
    assert all(f.counts["submitted"] > 0 for _s, f in whole.rows), "every street has some cases"
    assert whole.total.counts["resolved"] > 0 and whole.total.counts["rated"] > 0

    street_officers = {u.assignments.get().area_id: u for u in User.objects.filter(assignments__role="street_officer")}
    for street, street_figures in whole.rows:
        page = figures.breakdown(officer, street, start, end)
        assert _counts(page.total) == _counts(street_figures), street.name
        assert page.unplaced is None and _sum([f for _c, f in page.rows]) == _counts(page.total), street.name
        for community, community_figures in page.rows:
            assert _counts(figures.figures_for(officer, community, start, end)) == _counts(community_figures)
        if street.pk in street_officers:
            own = figures.breakdown(street_officers[street.pk], street, start, end)
            assert _counts(own.total) == _counts(page.total), street.name

    # Rates recomputed from the streets' numerators and denominators are the district's rates.
    for key in figures.RATES:
        parts = [f.rate(key) for _s, f in whole.rows]
        assert whole.total.rate(key) == figures.Rate(
            sum(p.numerator for p in parts), sum(p.denominator for p in parts)
        ), key
    # The level buckets add up to the resolved count.
    assert sum(whole.total.counts[k] for k in figures.LEVEL_BUCKETS) == whole.total.counts["resolved"]

    # Each count is the length of its list; a part's cases lie in its whole's.
    lists = {key: set(figures.figure_cases(officer, district, key, start, end)) for key in figures.COUNTS}
    assert {k: len(v) for k, v in lists.items()} == _counts(whole.total)
    for key, figure in figures.COUNTS.items():
        if figure.part_of:
            assert lists[key] <= lists[figure.part_of], key

    # The level a case counts at is the holder of its last resolution.
    holders = dict(Case.objects.filter(pk__in=[c.pk for c in lists["resolved"]]).values_list("pk", "holder_id"))
    last_resolver: dict[int, int] = {}
    steps = CaseTransition.objects.filter(case_id__in=list(holders), event="resolve").order_by("at", "id")
    for case_id, to_holder_id in steps.values_list("case_id", "to_holder_id"):
        last_resolver[case_id] = to_holder_id
    assert last_resolver == holders

    # The 12 weekly spans add up to the 12 weeks shown beside them.
    weeks = figures.trend(officer, district, today)
    twelve = figures.figures_for(officer, district, weeks[0].start, today)
    assert sum(w.on_time.numerator for w in weeks) == twelve.counts["resolved_on_time"]
    assert sum(w.on_time.denominator for w in weeks) == twelve.counts["resolved"]
    assert sum(w.satisfaction.numerator for w in weeks) == twelve.counts["satisfied"]
    assert sum(w.satisfaction.denominator for w in weeks) == twelve.counts["rated"]

    # The suggestion statistics: categories and months each add up to the overall tally; exact ⊂ first level.
    since, until = figures.local_bounds(start, end)
    routing = selectors.routing_stats(officer, since=since, until=until)
    for part in ("total", "accepted"):
        overall = getattr(routing.overall, part)
        assert sum(getattr(t, part) for t in routing.by_category.values()) == overall, part
        assert sum(getattr(t, part) for t in routing.by_month.values()) == overall, part
    assert all(
        r.exact <= r.same_first_level <= r.total for r in selectors.classifier_stats(officer, since=since, until=until)
    )
