"""The demo step on a small world: roles of the first community's actors, a year of quarterly joint meetings with
one follow-up filed as a case, one turned into a proposal and one overdue."""

import pytest
from django.utils import timezone

from shequ.coordination import demo, selectors
from shequ.coordination.models import ActorRole, FollowUp, JointMeeting
from shequ.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_step(w):
    ctx = DemoContext(seed=7)
    ctx.put("territory.district", w["district"])
    ctx.put("territory.streets", [w["s1"], w["s2"]])
    ctx.put("territory.communities", [w["c1"], w["c2"]])
    ctx.put("accounts.staffed_communities", [w["c1"], w["c2"]])
    meetings_before = JointMeeting.objects.count()
    demo.seed(ctx)
    assert JointMeeting.objects.count() - meetings_before == 4 == ctx.counts["joint_meetings"]
    roles = ActorRole.objects.filter(community=w["c1"])
    assert roles.filter(unit=w["committee"].unit).exists() and roles.filter(unit=w["property"]).exists()
    assert all(r.contact_mobile_masked for r in roles.exclude(pk__in=[w["role_rc"].pk, w["role_department"].pk]))
    kinds = sorted(FollowUp.objects.values_list("kind", flat=True))
    assert kinds.count("case") == 1 and kinds.count("proposal") == 1
    assert selectors.overdue_for(w["secretary"], timezone.localdate()).count() == 1
