"""The demo's notices: one running with an objection waiting, one running with an answered objection, one ended."""

import pytest

from shequ.notices.demo import build_notices
from shequ.notices.models import Notice, Objection

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_demo_notices(w, clock):
    assert build_notices(community=w["c1"], worker=w["cw1"], objectors=[w["zsf"], w["lisi"]], today=TODAY) == 3
    notices = {n.kind: n for n in Notice.objects.all()}
    assert {n.status for n in notices.values()} == {"published"}
    assert notices["vote_result"].ends_on < TODAY <= notices["resolution"].ends_on
    assert notices["resolution"].starts_on < TODAY
    waiting = Objection.objects.get(status="open")
    answered = Objection.objects.get(status="answered")
    assert (waiting.notice, waiting.resident) == (notices["resolution"], w["zsf"])
    assert (answered.notice, answered.resident, answered.answered_by) == (notices["fund_use"], w["lisi"], w["cw1"])
