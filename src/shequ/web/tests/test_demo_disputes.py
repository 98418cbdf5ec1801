"""Demo dispute files: built through the disputes services on the demo's dispute cases (here a small world)."""

import datetime as dt

import pytest
from django.apps import apps

from shequ.accounts.tests.factories import staff
from shequ.cases import services as cases
from shequ.core import calendar
from shequ.disputes.demo import build_disputes
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
Dispute, Party, MediationSession, AgreementDocument, FollowUpVisit = (
    apps.get_model("disputes", m)
    for m in ("Dispute", "Party", "MediationSession", "AgreementDocument", "FollowUpVisit")
)


def test_demo_fills_every_dispute_and_visits_finished_ones(clock, settings, tmp_path):
    """Each dispute gets a colour and two parties; mediated ones get sessions; finished ones may get a visit."""
    settings.MEDIA_ROOT = tmp_path
    calendar.seed_official_calendar()
    calendar.invalidate()
    w = make_world()
    cw, mg = staff("community_worker", w["c1"]), staff("micro_grid_worker", w["m111"])
    submitted = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    made = []
    for title in ("楼上漏水邻里纠纷", "地下车位被占用", "公共收益去向不明", "地下车位被占用"):
        data = cases.CaseInput(
            case_type="dispute",
            title=title,
            description="演示用纠纷描述，内容为虚构。",
            channel="staff",
            building=w["b1"],
            reporter_name="赵建华",
        )
        made.append(cases.case_submit(actor=cw, data=data, now=submitted))
    for case in made[1:]:
        cases.case_accept(actor=cw, case=case, now=submitted + dt.timedelta(hours=1))
        cases.case_dispatch(actor=cw, case=case, target=w["m111"], now=submitted + dt.timedelta(hours=2))
        cases.case_start(actor=mg, case=case)
    for case in made[2:]:
        cases.case_resolve(actor=mg, case=case, reply="双方已达成调解协议。", now=submitted + dt.timedelta(days=2))
    calendar.invalidate()
    assert build_disputes(communities=[w["c1"]], staff_by_community={w["c1"].pk: cw}) == 4
    assert Dispute.objects.exclude(risk_colour="").count() == 4
    assert Party.objects.filter(role="applicant").count() == 4 and Party.objects.filter(role="respondent").count() == 4
    assert not MediationSession.objects.filter(dispute__case=made[0]).exists()  # still waiting for acceptance
    assert MediationSession.objects.filter(dispute__case__in=made[1:]).count() >= 3
    assert AgreementDocument.objects.count() >= 1
    assert set(FollowUpVisit.objects.values_list("dispute__case__status", flat=True)) <= {"resolved"}
