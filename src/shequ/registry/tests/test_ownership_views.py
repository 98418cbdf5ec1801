"""Dwelling page: owners of record, history, and recording a transfer through the form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.registry import selectors
from shequ.registry.tests.factories import make_resident, valid_id
from shequ.territory.tests.factories import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def t():
    return make_tree()


def _url(dwelling):
    return reverse("registry:dwelling", args=[dwelling.public_id])


def test_transfer_from_developer_to_two_occupants(client, t):
    """A developer's dwelling passes to two occupants with half shares; the developer's row ends that day."""
    worker = staff("community_worker", t["c1"])
    a = make_resident(t["c1"], t["d1"], name="王甲", id_number=valid_id("19800101", 101), actor=worker)
    b = make_resident(t["c1"], t["d1"], name="李乙", id_number=valid_id("19820202", 202), actor=worker)
    client.force_login(worker)
    first = client.post(
        _url(t["d1"]), {"on": "2020-01-01", "kind_1": "developer", "org_name_1": "成都锦城置业有限公司", "share_1": "1"}
    )
    assert first.status_code == 302
    response = client.post(
        _url(t["d1"]),
        {
            "on": "2024-06-01",
            "kind_1": "person",
            "occupant_1": str(a.public_id),
            "share_1": "0.5",
            "kind_2": "person",
            "id_number_2": valid_id("19820202", 202),
            "share_2": "0.5",
        },
    )
    assert response.status_code == 302
    before = selectors.owners_as_of([t["d1"].pk], dt.date(2024, 5, 31))
    after = selectors.owners_as_of([t["d1"].pk], dt.date(2024, 6, 1))
    assert [o.organisation_name for o in before] == ["成都锦城置业有限公司"]
    assert sorted((o.resident_id, o.share, o.registered_area) for o in after) == sorted(
        [(a.pk, Decimal("0.5000"), Decimal("44.75")), (b.pk, Decimal("0.5000"), Decimal("44.75"))]
    )
    assert AuditRecord.objects.filter(action="registry.ownership_transferred").count() == 2
    page = client.get(_url(t["d1"])).content.decode()
    assert "王甲" in page and "成都锦城置业有限公司" in page


def test_shares_must_add_up_and_nothing_changes(client, t):
    """Shares not adding up to 1 are refused with a message and no row is written."""
    worker = staff("community_worker", t["c1"])
    client.force_login(worker)
    response = client.post(
        _url(t["d1"]), {"on": "2024-06-01", "kind_1": "developer", "org_name_1": "某公司", "share_1": "0.6"}
    )
    assert response.status_code == 200
    assert "产权份额合计应为1" in response.content.decode()
    assert selectors.owners_as_of([t["d1"].pk], dt.date(2025, 1, 1)).count() == 0


def test_outside_scope_is_404_and_viewers_cannot_transfer(client, t):
    """A community worker of c2 gets 404 for a dwelling of c1; a street officer may view but not transfer."""
    client.force_login(staff("community_worker", t["c2"]))
    assert client.get(_url(t["d1"])).status_code == 404
    client.force_login(staff("street_officer", t["s1"]))
    assert client.get(_url(t["d1"])).status_code == 200
    assert (
        client.post(
            _url(t["d1"]), {"on": "2024-06-01", "kind_1": "developer", "org_name_1": "X", "share_1": "1"}
        ).status_code
        == 404
    )
    assert selectors.owners_as_of([t["d1"].pk], dt.date(2025, 1, 1)).count() == 0
