"""The demo's 在职党员双报到 and 党员中心户 on a small world: needs open and closed, registrations (the portal's demo
resident among them), claims within the wanted counts, a year of services with some waiting for confirmation, and
every row written through the services (audited)."""

import datetime
import random

import pytest

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.party import inservice_selectors
from shequ.party.demo_service import seed_service
from shequ.party.models import InServiceMember, NeedClaim, ServiceEntry, ServiceNeed
from shequ.registry.selectors import demo_portal_resident
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 16)


def test_the_demo_fills_the_first_community(clock):
    w = make_world()
    secretary = staff("community_secretary", w["c1"], username="secretary1")
    counts = seed_service(w["c1"], random.Random(7), TODAY)
    assert counts["service_needs"] == ServiceNeed.objects.count() == 7
    assert set(ServiceNeed.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert InServiceMember.objects.filter(resident=demo_portal_resident()).exists()
    for need in inservice_selectors.needs_for(secretary):
        assert need.holding <= need.wanted
    assert NeedClaim.objects.exists()
    statuses = set(ServiceEntry.objects.values_list("status", flat=True))
    assert statuses <= {"confirmed", "pending"} and "confirmed" in statuses
    assert counts["service_entries"] == ServiceEntry.objects.count()
    assert AuditRecord.objects.filter(action="party.service_recorded").count() == ServiceEntry.objects.count()
