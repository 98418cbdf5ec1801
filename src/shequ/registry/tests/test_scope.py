"""Scope: each role sees exactly the residents of its subtree, the same on the page, in the API and in the export;
objects outside the scope answer 404 everywhere."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shequ.accounts.tests.factories import staff
from shequ.core.errors import PermissionDenied
from shequ.registry import services
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _page_names(client) -> list[str]:
    return sorted(row.r.name for row in client.get(reverse("registry:resident_list")).context["page"].object_list)


def _api_names(user) -> list[str]:
    api = APIClient()
    api.force_authenticate(user)
    return sorted(r["name"] for r in api.get("/api/v1/residents/").json()["results"])


def _export_names(client) -> list[str]:
    response = client.get(reverse("registry:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return sorted(row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize(
    ("role", "area", "expected"),
    [
        ("micro_grid_worker", "m111", ["小明", "张三丰"]),
        ("micro_grid_worker", "m112", ["李四"]),
        ("grid_worker", "g11", ["小明", "张三丰", "李四"]),
        ("grid_worker", "g12", []),
        ("community_worker", "c1", ["小明", "张三丰", "李四"]),
        ("community_secretary", "c2", ["王五"]),
        ("street_officer", "s1", ["小明", "张三丰", "李四"]),
        ("district_officer", "district", ["小明", "张三丰", "李四", "王五"]),
    ],
)
def test_same_residents_on_page_api_and_export(client, w, role, area, expected):
    """The page, the API and the Excel export list the same residents: those of the role's subtree."""
    user = staff(role, w[area])
    client.force_login(user)
    assert _page_names(client) == expected
    assert _api_names(user) == expected
    assert _export_names(client) == expected


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "auditor", "department_officer", "org_staff"])
def test_roles_without_registry_access_see_nothing(client, w, role):
    """Admins, auditors, departments and organisations are refused the register (403) and see no resident."""
    user = staff(role, w["district"] if role != "org_staff" else w["c1"])
    client.force_login(user)
    assert client.get(reverse("registry:resident_list")).status_code == 403
    assert client.get(reverse("registry:resident_detail", args=[w["zsf"].public_id])).status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/residents/").status_code == 403
    assert api.get(f"/api/v1/residents/{w['zsf'].public_id}/").status_code == 404


def test_community_worker_gets_404_for_another_community(client, w):
    """Every page and endpoint about a resident, household or building of c2 answers 404 to a worker of c1."""
    user = staff("community_worker", w["c1"])
    client.force_login(user)
    wang = w["wang"]
    household = services.household_create(actor=w["registrar2"], community=w["c2"], number="Y001", dwelling=w["d3"])
    for url in (
        reverse("registry:resident_detail", args=[wang.public_id]),
        reverse("registry:resident_edit", args=[wang.public_id]),
        reverse("registry:resident_action", args=[wang.public_id, "move_out"]),
        reverse("registry:household_detail", args=[household.public_id]),
        reverse("registry:building", args=[w["b3"].public_id]),
    ):
        assert client.get(url).status_code == 404, url
    reveal = reverse("registry:resident_reveal", args=[wang.public_id])
    assert client.post(reveal, {"field": "mobile", "reason_code": "home_visit", "reason": "核对"}).status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/residents/{wang.public_id}/").status_code == 404
    assert api.get(f"/api/v1/households/{household.public_id}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/residents/{wang.public_id}/reveal/",
            {"field": "mobile", "reason_code": "home_visit", "reason": "核对"},
        ).status_code
        == 404
    )
    assert Resident.objects.get(pk=wang.pk).status == "active"


def test_grid_worker_registers_only_into_their_micro_grid(client, w):
    """A micro-grid worker's form offers their community and their buildings; the service refuses elsewhere."""
    user = staff("micro_grid_worker", w["m111"])
    client.force_login(user)
    form = client.get(reverse("registry:resident_create")).context["form"]
    assert [label for _, label in form.fields["community"].choices] == ["洗面桥社区"]
    assert [label for _, label in form.fields["building"].choices][1:] == ["锦苑小区 1栋"]
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/v1/residents/", {"dwelling": str(w["d2"].public_id), "name": "赵六"}, format="json")
    assert response.json() == {
        "dwelling": ["房屋不存在或不在您的辖区内"],
        "codes": {"dwelling": ["registry.dwelling_not_found"]},
    }
    with pytest.raises(PermissionDenied):
        services.resident_register(
            actor=user, data=services.ResidentInput(name="赵六", community=w["c1"], dwelling=w["d2"])
        )
    assert not Resident.objects.filter(name="赵六").exists()
