"""The object-access matrix of the REST API: every endpoint × every role × own scope / other scope.

The world is a ladder of sibling subtrees (DESIGN §2: scope by territory). Every role is assigned on the
path down to micro-grid m1, whose cluster (compound, building, dwelling, household, resident) is its own
scope; its "other" scope is the nearest cluster just outside its node: the neighbouring micro-grid for a
micro-grid worker, the neighbouring grid for a grid worker, and so on up to another district.

`MATRIX` lists every operation of /api/v1/ with the request it makes for a scope and the answer it expects
per role. A test compares it with the operations the schema documents and the views the URLconf routes:
an endpoint added without its row here fails the suite.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.schemas.generators import is_api_view
from rest_framework.test import APIClient

from shequ.accounts import services as accounts_services
from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.core.actors import COMMAND_LINE
from shequ.core.models import AuditRecord
from shequ.organisations.tests.factories import unit
from shequ.registry import services as registry_services
from shequ.registry.models import Household, Resident
from shequ.registry.tests.factories import make_resident, valid_id
from shequ.territory import services as territory_services
from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling
from shequ.web.tests.api_matrix_coordination import GOVERNANCE_WRITES as COORDINATION_GOVERNANCE_WRITES
from shequ.web.tests.api_matrix_coordination import (
    build_coordination,
    check_coordination,
    coordination_rows,
    coordination_state,
)
from shequ.web.tests.api_matrix_governance import build_governance, governance_state, scan_upload
from shequ.web.tests.api_matrix_party import (
    ORGANISER,
    SERVICE_KINDS,
    SERVICE_WRITES,
    build_party,
    party_state,
    service_ids,
    service_rows,
)
from shequ.web.tests.api_matrix_volunteers import build_volunteers, check_volunteers, volunteer_rows, volunteer_state

pytestmark = pytest.mark.django_db

# --- the world ------------------------------------------------------------------------------------

# Areas below the city: key -> (parent key, level, code). m1..m6 each hold one cluster of objects.
AREAS = {
    "d1": ("city", "district", "510107000000"),
    "s1": ("d1", "street", "510107001000"),
    "c1": ("s1", "community", "510107001001"),
    "g1": ("c1", "grid", "510107001001-01"),
    "m1": ("g1", "micro_grid", "510107001001-01-01"),
    "m2": ("g1", "micro_grid", "510107001001-01-02"),
    "g2": ("c1", "grid", "510107001001-02"),
    "m3": ("g2", "micro_grid", "510107001001-02-01"),
    "c1b": ("s1", "community", "510107001002"),
    "g1b": ("c1b", "grid", "510107001002-01"),
    "m4": ("g1b", "micro_grid", "510107001002-01-01"),
    "s2": ("d1", "street", "510107005000"),
    "c2": ("s2", "community", "510107005001"),
    "g2c": ("c2", "grid", "510107005001-01"),
    "m5": ("g2c", "micro_grid", "510107005001-01-01"),
    "d2": ("city", "district", "510104000000"),
    "s3": ("d2", "street", "510104001000"),
    "c3": ("s3", "community", "510104001001"),
    "g3": ("c3", "grid", "510104001001-01"),
    "m6": ("g3", "micro_grid", "510104001001-01-01"),
}
CLUSTERS = ("m1", "m2", "m3", "m4", "m5", "m6")

# role -> (area key of its assignment, whether it works for a unit, the cluster outside its scope)
ROLES: dict[str, tuple[str, bool, str] | None] = {
    "anonymous": None,
    "resident": ("c1", False, "m6"),
    "micro_grid_worker": ("m1", False, "m2"),
    "grid_worker": ("g1", False, "m3"),
    "community_worker": ("c1", False, "m4"),
    "community_secretary": ("c1", False, "m4"),
    "street_officer": ("s1", False, "m5"),
    "district_officer": ("d1", False, "m6"),
    "department_officer": ("d1", True, "m6"),
    "org_staff": ("c1", True, "m6"),
    ORGANISER: ("m1", True, "m2"),  # holds the unit of m1's Party branch (api_matrix_party.py)
    "auditor": ("d1", False, "m6"),
    "security_admin": ("d1", False, "m6"),
    "system_admin": ("d1", False, "m6"),
}
SCOPES = ("own", "other")

# What each role may do (accounts/domain.py, registry/permissions.py); everyone else gets nothing.
TERRITORY_READERS = {
    "micro_grid_worker",
    "grid_worker",
    "community_worker",
    "community_secretary",
    "street_officer",
    "district_officer",
    "system_admin",
}
REGISTRY_VIEWERS = TERRITORY_READERS - {"system_admin"}
REGISTRY_EDITORS = {"micro_grid_worker", "grid_worker", "community_worker", "community_secretary"}
MOBILE_REVEALERS = REGISTRY_EDITORS
SECOND_FACTOR_ROLES = {"auditor", "security_admin", "system_admin"}


def _square(i: int) -> list[list[float]]:
    x, y = 104.0 + i * 0.01, 30.6
    return [[x, y], [x + 0.005, y], [x + 0.005, y + 0.005], [x, y + 0.005], [x, y]]


def point_in(cluster: str) -> dict[str, float]:
    i = CLUSTERS.index(cluster)
    return {"lng": 104.0 + i * 0.01 + 0.0025, "lat": 30.6025}


def build_world() -> dict[str, Any]:
    """The areas above, one cluster per micro-grid, their boundaries, and one account per role."""
    w: dict[str, Any] = {"city": Area.objects.create(level="city", code="510100000000", name="成都市")}
    for key, (parent, level, code) in AREAS.items():
        w[key] = Area.objects.create(parent=w[parent], level=level, code=code, name=f"区域{key}")
    for i, m in enumerate(CLUSTERS):
        community = w[m].parent.parent
        compound = Compound.objects.create(community=community, code=f"{w[m].code}-C", name=f"小区{m}")
        building = Building.objects.create(compound=compound, micro_grid=w[m], name="1栋", number=1)
        bunit = BuildingUnit.objects.create(building=building, number=1, name="1单元")
        dwelling = Dwelling.objects.create(
            unit=bunit, building=building, floor=1, number="1-101", floor_area=Decimal("80")
        )
        registrar = staff("community_worker", community)
        household = registry_services.household_create(
            actor=registrar, community=community, number=f"H{i}", dwelling=dwelling
        )
        resident = make_resident(
            community,
            dwelling,
            actor=registrar,
            name=f"居民{m}",
            id_number=valid_id("19800101", 100 + i),
            mobile=f"1380000000{i}",
            household=household,
            relation="head",
        )
        w[m, "areas"], w[m, "compounds"], w[m, "buildings"] = w[m], compound, building
        w[m, "dwellings"], w[m, "households"], w[m, "residents"] = dwelling, household, resident
        w[m, "mobile"] = f"1380000000{i}"
    territory_services.boundaries_import(
        actor=COMMAND_LINE,
        collection={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": w[m].code},
                    "geometry": {"type": "Polygon", "coordinates": [_square(i)]},
                }
                for i, m in enumerate(CLUSTERS)
            ],
        },
        crs="wgs84",
    )
    territory_services.micro_grid_index(force=True)
    build_party(w, CLUSTERS)  # with the Party organiser's account
    for role, spec in ROLES.items():
        if spec is None or role == ORGANISER:
            continue
        area, with_unit, _ = spec
        kind = "department" if role == "department_officer" else "property_company"
        works_for = unit(kind, f"单位{role}", w[area]) if with_unit else None
        w["user", role] = staff(role, w[area], username=role, unit=works_for)
    build_governance(w, CLUSTERS)
    build_volunteers(w, CLUSTERS)  # after the role accounts: m1's activities are org_staff's unit's
    build_coordination(w, CLUSTERS)  # after the role accounts: the department officer's unit has a role in c1
    return w


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Build the world once for the module, in a transaction rolled back at its end; each test runs inside
    it in a savepoint of its own (pytest-django's `db`), so the hundreds of cells stay fast."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    cache.clear()  # the token endpoint's throttle counts per client address in the cache
    return shared_world


def client_for(w: dict[str, Any], role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        key, _ = accounts_services.token_issue(actor=w["user", role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def cluster_for(role: str, scope: str) -> str:
    spec = ROLES[role]
    if scope == "own" or spec is None:
        return "m1" if scope == "own" else "m6"
    return spec[2]


def in_scope(w: dict[str, Any], role: str, cluster: str) -> bool:
    spec = ROLES[role]
    return spec is not None and w[cluster].path.startswith(w[spec[0]].path)


# --- the matrix -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """What one (role, scope) cell sends, and what it expects back."""

    method: str
    url: str
    body: dict[str, Any] | None
    status: int
    format: str = "json"  # multipart for an upload


@dataclass(frozen=True)
class Row:
    """One operation: `call(w, role, cluster, scope)` builds the request and the expected status."""

    call: Callable[[dict[str, Any], str, str, str], Call]
    collection: str | None = None  # a list whose ids must be exactly the role's scope
    governance: tuple[str, frozenset[str]] | None = None  # (kind, readers) of a list scoped by community
    party: str | None = None  # a Party list whose ids must be exactly what the role sees or reaches


def _anonymous(role: str, status: int) -> int:
    return 401 if role == "anonymous" else status


def _list(kind: str, readers: set[str], denied: int = 200) -> Row:
    def call(w, role, cluster, scope):
        return Call("get", f"/api/v1/{kind}/", None, _anonymous(role, 200 if role in readers else denied))

    return Row(call, collection=kind)


def _retrieve(kind: str, readers: set[str]) -> Row:
    def call(w, role, cluster, scope):
        visible = role in readers and in_scope(w, role, cluster)
        url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/"
        return Call("get", url, None, _anonymous(role, 200 if visible else 404))

    return Row(call)


def _locate(w, role, cluster, scope):
    visible = role in TERRITORY_READERS and in_scope(w, role, cluster)
    query = "&".join(f"{k}={v}" for k, v in point_in(cluster).items())
    return Call("get", f"/api/v1/locate/?{query}", None, _anonymous(role, 200 if visible else 404))


def _create(w, role, cluster, scope):
    body = {"dwelling": str(w[cluster, "dwellings"].public_id), "name": "新居民"}
    if role not in REGISTRY_EDITORS:
        status = 403
    else:
        status = 201 if in_scope(w, role, cluster) else 400  # "房屋不存在或不在您的辖区内"
    return Call("post", "/api/v1/residents/", body, _anonymous(role, status))


def _search(w, role, cluster, scope):
    status = 200 if role in REGISTRY_VIEWERS else 403
    return Call("post", "/api/v1/residents/search/", {"mobile": w[cluster, "mobile"]}, _anonymous(role, status))


def _reveal(w, role, cluster, scope):
    if role not in REGISTRY_VIEWERS or not in_scope(w, role, cluster):
        status = 404
    else:
        status = 200 if role in MOBILE_REVEALERS else 403
    url = f"/api/v1/residents/{w[cluster, 'residents'].public_id}/reveal/"
    return Call(
        "post",
        url,
        {"field": "mobile", "reason_code": "home_visit", "reason": "核实联系方式"},
        _anonymous(role, status),
    )


def _token(w, role, cluster, scope):
    """Own scope: the caller's own credentials; other scope: another account's name with a wrong password."""
    if role == "anonymous" or scope == "other":
        body = {"username": "community_worker", "password": "not-the-password"}
        return Call("post", "/api/v1/auth/token/", body, 400)
    status = 403 if role in SECOND_FACTOR_ROLES else 200  # their second factor is not set up yet
    return Call("post", "/api/v1/auth/token/", {"username": role, "password": PASSWORD}, status)


def _me(w, role, cluster, scope):
    return Call("get", "/api/v1/me/", None, _anonymous(role, 200))


def _root(w, role, cluster, scope):
    return Call("get", "/api/v1/", None, _anonymous(role, 200))


MATRIX: dict[str, Row] = {
    "GET /api/v1/": Row(_root),
    "POST /api/v1/auth/token/": Row(_token),
    "GET /api/v1/me/": Row(_me),
    "GET /api/v1/locate/": Row(_locate),
    "GET /api/v1/areas/": _list("areas", TERRITORY_READERS),
    "GET /api/v1/areas/{id}/": _retrieve("areas", TERRITORY_READERS),
    "GET /api/v1/compounds/": _list("compounds", TERRITORY_READERS),
    "GET /api/v1/compounds/{id}/": _retrieve("compounds", TERRITORY_READERS),
    "GET /api/v1/buildings/": _list("buildings", TERRITORY_READERS),
    "GET /api/v1/buildings/{id}/": _retrieve("buildings", TERRITORY_READERS),
    "GET /api/v1/dwellings/": _list("dwellings", TERRITORY_READERS),
    "GET /api/v1/dwellings/{id}/": _retrieve("dwellings", TERRITORY_READERS),
    "GET /api/v1/residents/": _list("residents", REGISTRY_VIEWERS, denied=403),
    "POST /api/v1/residents/": Row(_create),
    "GET /api/v1/residents/{id}/": _retrieve("residents", REGISTRY_VIEWERS),
    "POST /api/v1/residents/search/": Row(_search),
    "POST /api/v1/residents/{id}/reveal/": Row(_reveal),
    "GET /api/v1/households/": _list("households", REGISTRY_VIEWERS, denied=403),
    "GET /api/v1/households/{id}/": _retrieve("households", REGISTRY_VIEWERS),
}
# Endpoints the schema leaves out on purpose (the router's index of the collections).
UNDOCUMENTED = {"GET /api/v1/"}

# Owners' votes, deliberation and public notices are scoped by community: staff see them when their subtree
# holds the community (votes/permissions.py, deliberation/permissions.py, notices/permissions.py).
COMMUNITY_STAFF = {"community_worker", "community_secretary"}
COMMUNITY_READERS = COMMUNITY_STAFF | {"street_officer", "district_officer"}
# Staff who work with residents (not the system admin); below a community (grids) no notice is in scope.
NOTICE_READERS = TERRITORY_READERS - {"system_admin"}


def covers_community(w: dict[str, Any], role: str, cluster: str) -> bool:
    spec = ROLES[role]
    return spec is not None and w[cluster].parent.parent.path.startswith(w[spec[0]].path)


def _gov_list(kind: str, readers: set[str]) -> Row:
    def call(w, role, cluster, scope):
        return Call("get", f"/api/v1/{kind}/", None, _anonymous(role, 200 if role in readers else 403))

    return Row(call, governance=(kind, frozenset(readers)))


def _gov_retrieve(kind: str, readers: set[str], key: str | None = None, suffix: str = "") -> Row:
    def call(w, role, cluster, scope):
        visible = role in readers and covers_community(w, role, cluster)
        url = f"/api/v1/{kind}/{w[cluster, key or kind].public_id}/{suffix}"
        return Call("get", url, None, _anonymous(role, 200 if visible else 404))

    return Row(call)


def _gov_write(kind: str, key: str, suffix: str, readers: set[str], doers: set[str], success: int, body: Any) -> Row:
    """A POST on one object: 404 unless the caller sees it, 403 unless they may do it, else `success`."""

    def call(w, role, cluster, scope):
        if not (role in readers and covers_community(w, role, cluster)):
            status = 404
        else:
            status = success if role in doers else 403
        data, fmt = body(w, cluster)
        return Call("post", f"/api/v1/{kind}/{w[cluster, key].public_id}/{suffix}", data, _anonymous(role, status), fmt)

    return Row(call)


def _gov_create(kind: str, body: Callable[[dict[str, Any], str], dict[str, Any]]) -> Row:
    """A new object for the cluster's community: 403 for a role that is community staff nowhere, 400 ("not
    found") for a community outside the caller's, else 201."""

    def call(w, role, cluster, scope):
        if role not in COMMUNITY_STAFF:
            status = 403
        else:
            status = 201 if covers_community(w, role, cluster) else 400
        return Call("post", f"/api/v1/{kind}/", body(w, cluster), _anonymous(role, status))

    return Row(call)


def _notice_body(w, cluster):
    today = timezone.localdate()
    return {
        "community": str(w[cluster, "compounds"].community.public_id),
        "compound": str(w[cluster, "compounds"].public_id),
        "kind": "other",
        "title": "停水公示",
        "body": "下周二小区全天停水，请提前储水",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=6)).isoformat(),
    }


def _proposal_body(w, cluster):
    community = w[cluster, "compounds"].community
    return {"community": str(community.public_id), "title": "改造场地", "description": "更换器材", "source": "staff"}


def _json(data: dict[str, Any] | None = None) -> Callable[[dict[str, Any], str], tuple[Any, str]]:
    return lambda w, cluster: (data, "json")


def _paper_body(w, cluster):
    return {"dwelling": w[cluster, "label"], "choices": json.dumps({"1": "agree"}), "scan": scan_upload()}, "multipart"


def _ballot_body(w, cluster):
    return {"ballot": str(w[cluster, "ballots"].public_id)}, "json"


def _vote_body(w, cluster):
    closes = timezone.now() + timedelta(days=14)
    item = {"kind": "ordinary", "title": "续聘物业服务企业"}
    return {
        "compound": str(w[cluster, "compounds"].public_id),
        "title": "续聘物业",
        "closes_at": closes.isoformat(),
        "items": [item],
    }


def _reject_body(w, cluster):
    return {"ballot": str(w[cluster, "ballots"].public_id), "reason": "签名与名册不符"}, "json"


def _proxy_body(w, cluster):
    return {"dwelling": w[cluster, "label"], "mobile": w[cluster, "mobile"], "scan": scan_upload()}, "multipart"


def _objection_body(w, cluster):
    body = {"resident": str(w[cluster, "residents"].public_id), "channel": "phone", "text": "公示的金额与账目不符"}
    return {**body, "received_on": timezone.localdate().isoformat()}, "json"


def _comment_hide_body(w, cluster):
    return {"comment": str(w[cluster, "comments"].public_id), "reason": "与议题无关"}, "json"


def _supporter_body(w, cluster):
    return {"resident": str(w[cluster, "residents"].public_id)}, "json"


def _resolution_body(w, cluster):
    return {"title": "增设充电桩", "text": "同意增设", "votes": {str(w[cluster, "member"].public_id): "yes"}}, "json"


MATRIX.update(
    {
        "GET /api/v1/notices/": _gov_list("notices", NOTICE_READERS),
        "POST /api/v1/notices/": _gov_create("notices", _notice_body),
        "GET /api/v1/notices/{id}/": _gov_retrieve("notices", NOTICE_READERS),
        "POST /api/v1/notices/{id}/publish/": _gov_write(
            "notices", "draft_notices", "publish/", NOTICE_READERS, COMMUNITY_STAFF, 200, _json()
        ),
        "POST /api/v1/notices/{id}/withdraw/": _gov_write(
            "notices", "notices", "withdraw/", NOTICE_READERS, COMMUNITY_STAFF, 200, _json({"reason": "内容有误重发"})
        ),
        "POST /api/v1/notices/{id}/objections/": _gov_write(
            "notices", "notices", "objections/", NOTICE_READERS, COMMUNITY_STAFF, 201, _objection_body
        ),
        "POST /api/v1/objections/{id}/answer/": _gov_write(
            "objections", "objections", "answer/", NOTICE_READERS, COMMUNITY_STAFF, 200, _json({"answer": "已核实更正"})
        ),
        "GET /api/v1/votes/": _gov_list("votes", COMMUNITY_READERS),
        "POST /api/v1/votes/": _gov_create("votes", _vote_body),
        "GET /api/v1/votes/{id}/": _gov_retrieve("votes", COMMUNITY_READERS),
        "GET /api/v1/votes/{id}/published/": _gov_retrieve("votes", COMMUNITY_READERS, "closed_votes", "published/"),
        "POST /api/v1/votes/{id}/open/": _gov_write(
            "votes", "draft_votes", "open/", COMMUNITY_READERS, COMMUNITY_STAFF, 200, _json()
        ),
        # Before its deadline: the community's staff get 400 (past the permission), the street and district 403.
        "POST /api/v1/votes/{id}/close/": _gov_write(
            "votes", "votes", "close/", COMMUNITY_READERS, COMMUNITY_STAFF, 400, _json()
        ),
        "POST /api/v1/votes/{id}/paper/": _gov_write(
            "votes", "paper_votes", "paper/", COMMUNITY_READERS, COMMUNITY_STAFF, 201, _paper_body
        ),
        "POST /api/v1/votes/{id}/confirm-paper/": _gov_write(
            "votes", "votes", "confirm-paper/", COMMUNITY_READERS, COMMUNITY_STAFF, 200, _ballot_body
        ),
        "POST /api/v1/votes/{id}/reject-paper/": _gov_write(
            "votes", "votes", "reject-paper/", COMMUNITY_READERS, COMMUNITY_STAFF, 200, _reject_body
        ),
        "POST /api/v1/votes/{id}/proxies/": _gov_write(
            "votes", "paper_votes", "proxies/", COMMUNITY_READERS, COMMUNITY_STAFF, 201, _proxy_body
        ),
        "GET /api/v1/bodies/": _gov_list("bodies", COMMUNITY_READERS),
        "GET /api/v1/bodies/{id}/": _gov_retrieve("bodies", COMMUNITY_READERS),
        "GET /api/v1/proposals/": _gov_list("proposals", COMMUNITY_READERS),
        "POST /api/v1/proposals/": _gov_create("proposals", _proposal_body),
        "GET /api/v1/proposals/{id}/": _gov_retrieve("proposals", COMMUNITY_READERS),
        "GET /api/v1/proposals/{id}/comments/": _gov_retrieve("proposals", COMMUNITY_READERS, suffix="comments/"),
        "POST /api/v1/proposals/{id}/comments/": _gov_write(
            "proposals",
            "proposals",
            "comments/",
            COMMUNITY_READERS,
            COMMUNITY_STAFF,
            201,
            _json({"text": "同意，建议分期实施"}),
        ),
        "POST /api/v1/proposals/{id}/hide-comment/": _gov_write(
            "proposals", "proposals", "hide-comment/", COMMUNITY_READERS, COMMUNITY_STAFF, 200, _comment_hide_body
        ),
        "GET /api/v1/meetings/": _gov_list("meetings", COMMUNITY_READERS),
        "GET /api/v1/meetings/{id}/": _gov_retrieve("meetings", COMMUNITY_READERS),
        "POST /api/v1/meetings/{id}/resolutions/": _gov_write(
            "meetings", "meetings", "resolutions/", COMMUNITY_READERS, COMMUNITY_STAFF, 201, _resolution_body
        ),
        "GET /api/v1/residents-groups/": _gov_list("residents-groups", COMMUNITY_READERS),
        "GET /api/v1/residents-groups/{id}/": _gov_retrieve("residents-groups", COMMUNITY_READERS),
        "GET /api/v1/meeting-requests/": _gov_list("meeting-requests", COMMUNITY_READERS),
        "GET /api/v1/meeting-requests/{id}/": _gov_retrieve("meeting-requests", COMMUNITY_READERS),
        "POST /api/v1/meeting-requests/{id}/supporters/": _gov_write(
            "meeting-requests",
            "meeting-requests",
            "supporters/",
            COMMUNITY_READERS,
            COMMUNITY_STAFF,
            200,
            _supporter_body,
        ),
    }
)
# The writes of the operations above, with the status that means "written" (any other answer writes nothing).
GOVERNANCE_WRITES = {
    "POST /api/v1/notices/": 201,
    "POST /api/v1/notices/{id}/publish/": 200,
    "POST /api/v1/notices/{id}/withdraw/": 200,
    "POST /api/v1/notices/{id}/objections/": 201,
    "POST /api/v1/objections/{id}/answer/": 200,
    "POST /api/v1/votes/": 201,
    "POST /api/v1/votes/{id}/open/": 200,
    "POST /api/v1/votes/{id}/paper/": 201,
    "POST /api/v1/votes/{id}/confirm-paper/": 200,
    "POST /api/v1/votes/{id}/reject-paper/": 200,
    "POST /api/v1/votes/{id}/proxies/": 201,
    "POST /api/v1/proposals/": 201,
    "POST /api/v1/proposals/{id}/comments/": 201,
    "POST /api/v1/proposals/{id}/hide-comment/": 200,
    "POST /api/v1/meetings/{id}/resolutions/": 201,
    "POST /api/v1/meeting-requests/{id}/supporters/": 200,
}


def _governance_ids(w: dict[str, Any], kind: str, readers: frozenset[str], role: str) -> set[str]:
    """The ids a governance list must answer `role`: every object of the clusters whose community it sees."""
    out: set[str] = set()
    for m in CLUSTERS:
        if role in readers and covers_community(w, role, m):
            out |= w[m, "all", kind] if (m, "all", kind) in w else {str(w[m, kind].public_id)}
    return out


# The Party side (party/permissions.py): an organisation is seen by community workers and secretaries, street and
# district officers whose subtree holds its place, and by whoever reaches it; members and meetings only by those
# who reach them: the organiser of m1's branch (that branch only) and the community Party secretary (every
# organisation placed in their community). Outside: 404, as missing.
PARTY_VIEWERS = COMMUNITY_READERS
PARTY_REACHERS = {"community_secretary", ORGANISER}


def party_reaches(w: dict[str, Any], role: str, cluster: str) -> bool:
    """Whether `role` reaches the members and meetings of the Party branch of `cluster`."""
    if role == ORGANISER:
        return w[cluster, "party-orgs"].tree_path.startswith(w["m1", "party-orgs"].tree_path)
    return role == "community_secretary" and covers_community(w, role, cluster)


def party_sees(w: dict[str, Any], role: str, cluster: str) -> bool:
    """Whether `role` sees the Party branch of `cluster` (placed in the community of the cluster's compound)."""
    return party_reaches(w, role, cluster) or (role in PARTY_VIEWERS and covers_community(w, role, cluster))


def _party_list(kind: str, readers: set[str]) -> Row:
    def call(w, role, cluster, scope):
        return Call("get", f"/api/v1/{kind}/", None, _anonymous(role, 200 if role in readers else 403))

    return Row(call, party=kind)


def _party_retrieve(kind: str, sees: Callable[[dict[str, Any], str, str], bool]) -> Row:
    def call(w, role, cluster, scope):
        url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/"
        return Call("get", url, None, _anonymous(role, 200 if sees(w, role, cluster) else 404))

    return Row(call)


def _party_write(kind: str, key: str, suffix: str, sees: Any, success: int, body: Any) -> Row:
    """A POST on one object: 404 unless the caller sees it, 403 unless it reaches it, else `success`."""

    def call(w, role, cluster, scope):
        if not sees(w, role, cluster):
            status = 404
        else:
            status = success if party_reaches(w, role, cluster) else 403
        url = f"/api/v1/{kind}/{w[cluster, key].public_id}/{suffix}"
        return Call("post", url, body(w, cluster), _anonymous(role, status))

    return Row(call)


def _party_create(kind: str, body: Callable[[dict[str, Any], str], dict[str, Any]]) -> Row:
    """A new object under the cluster's branch: 403 for a role that reaches no Party organisation, 400 ("not
    found") for a branch outside its reach, else 201."""

    def call(w, role, cluster, scope):
        if role not in PARTY_REACHERS:
            status = 403
        else:
            status = 201 if party_reaches(w, role, cluster) else 400
        return Call("post", f"/api/v1/{kind}/", body(w, cluster), _anonymous(role, status))

    return Row(call)


def _party_coverage(w, role, cluster, scope):
    """The coverage of the cluster's community: 403 for a role that sees the Party nowhere; the organiser has no
    territory, so any area is "not found" to it."""
    if role not in PARTY_VIEWERS | PARTY_REACHERS:
        status = 403
    else:
        status = 200 if role in PARTY_VIEWERS and covers_community(w, role, cluster) else 404
    community = w[cluster, "compounds"].community
    return Call("get", f"/api/v1/party-orgs/coverage/?area={community.public_id}", None, _anonymous(role, status))


def _party_org_body(w, cluster):
    branch = w[cluster, "party-orgs"]
    return {"level": "group", "name": "第一党小组", "area": str(w[cluster].public_id), "parent": str(branch.public_id)}


def _party_member_body(w, cluster):
    joined = timezone.localdate() - timedelta(days=30)
    org = str(w[cluster, "party-orgs"].public_id)
    return {"org": org, "name": "孙志强", "status": "probationary", "joined_on": joined.isoformat()}


def _party_meeting_body(w, cluster):
    present = [str(w[cluster, key].public_id) for key in ("party-secretary", "party-members")]
    return {
        "org": str(w[cluster, "party-orgs"].public_id),
        "kind": "general",
        "held_on": timezone.localdate().isoformat(),
        "topic": "讨论发展党员",
        "present": present,
        "decisions": [{"title": "同意列为发展对象", "votes_for": 2}],
    }


def _party_post_body(w, cluster):
    today = timezone.localdate()
    return {
        "member": str(w[cluster, "party-members"].public_id),
        "post": "deputy_secretary",
        "term_starts_on": today.isoformat(),
        "term_ends_on": (today + timedelta(days=3 * 365)).isoformat(),
    }


def _party_body(data: dict[str, Any]) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    return lambda w, cluster: data


MATRIX.update(
    {
        "GET /api/v1/party-orgs/": _party_list("party-orgs", PARTY_VIEWERS | PARTY_REACHERS),
        "POST /api/v1/party-orgs/": _party_create("party-orgs", _party_org_body),
        "GET /api/v1/party-orgs/coverage/": Row(_party_coverage),
        "GET /api/v1/party-orgs/{id}/": _party_retrieve("party-orgs", party_sees),
        "POST /api/v1/party-orgs/{id}/posts/": _party_write(
            "party-orgs", "party-orgs", "posts/", party_sees, 201, _party_post_body
        ),
        "GET /api/v1/party-members/": _party_list("party-members", PARTY_REACHERS),
        "POST /api/v1/party-members/": _party_create("party-members", _party_member_body),
        "GET /api/v1/party-members/{id}/": _party_retrieve("party-members", party_reaches),
        "POST /api/v1/party-members/{id}/make-full/": _party_write(
            "party-members",
            "probationary",
            "make-full/",
            party_reaches,
            200,
            _party_body({"full_on": timezone.localdate().isoformat()}),
        ),
        "POST /api/v1/party-members/{id}/transfer/": _party_write(
            "party-members",
            "party-members",
            "transfer/",
            party_reaches,
            200,
            _party_body({"outside_org": "某街道机关党支部", "on": timezone.localdate().isoformat()}),
        ),
        "POST /api/v1/party-members/{id}/reveal/": _party_write(
            "party-members", "party-members", "reveal/", party_reaches, 200, _party_body({"reason": "联系参加组织生活"})
        ),
        "GET /api/v1/party-meetings/": _party_list("party-meetings", PARTY_REACHERS),
        "POST /api/v1/party-meetings/": _party_create("party-meetings", _party_meeting_body),
        "GET /api/v1/party-meetings/{id}/": _party_retrieve("party-meetings", party_reaches),
    }
)
# The writes of the Party operations, with the status that means "written" (a reveal writes its audit record).
PARTY_WRITES = {
    "POST /api/v1/party-orgs/": 201,
    "POST /api/v1/party-orgs/{id}/posts/": 201,
    "POST /api/v1/party-members/": 201,
    "POST /api/v1/party-members/{id}/make-full/": 200,
    "POST /api/v1/party-members/{id}/transfer/": 200,
    "POST /api/v1/party-members/{id}/reveal/": 200,
    "POST /api/v1/party-meetings/": 201,
}


# 在职党员双报到 and hub households (api_matrix_party.py): the community Party secretary reaches its communities'
# registrations, needs and services; hubs are reached like members.
MATRIX.update(
    {
        op: Row(lambda w, role, cluster, scope, f=f: Call(*f(w, role, cluster, scope)), party=kind)
        for op, (f, kind) in service_rows(covers_community, party_reaches).items()
    }
)
PARTY_WRITES.update(SERVICE_WRITES)

# Volunteer service (volunteers/permissions.py; the rows and the world's objects in api_matrix_volunteers.py).
MATRIX.update(volunteer_rows(Row, Call, covers_community))

# "One core, many actors" and joint meetings (api_matrix_coordination.py); a follow-up turned into a proposal
# writes a deliberation proposal.
MATRIX.update({op: Row(call) for op, call in coordination_rows(Call, _anonymous, covers_community).items()})
GOVERNANCE_WRITES.update(COORDINATION_GOVERNANCE_WRITES)


def _party_ids(w: dict[str, Any], kind: str, role: str) -> set[str]:
    """The ids a Party list must answer `role`: the branches it sees and the committees of the communities in its
    territory; the members (on the roll) and meetings of the branches it reaches."""
    if kind in SERVICE_KINDS:
        return service_ids(w, kind, role, covers_community, party_reaches)
    out: set[str] = set()
    for m in CLUSTERS:
        if kind == "party-orgs":
            if party_sees(w, role, m):
                out.add(str(w[m, "party-orgs"].public_id))
            if role in PARTY_VIEWERS and covers_community(w, role, m):
                out.add(str(w[m, "party-committee"].public_id))
        elif party_reaches(w, role, m):
            out |= w[m, "all", kind] if kind == "party-members" else {str(w[m, kind].public_id)}
    return out


# --- completeness ---------------------------------------------------------------------------------


def documented_operations() -> set[str]:
    """The operations of the schema /api/schema/ serves (generated the same way, without a request)."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    paths = json.loads(OpenApiJsonRenderer().render(raw))["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}


class _EveryEndpoint(EndpointEnumerator):
    """DRF's endpoint enumerator, without leaving out the views the schema excludes."""

    def should_include_endpoint(self, path: str, callback: Any) -> bool:
        return is_api_view(callback) and not path.endswith((".{format}", ".{format}/"))


def routed_operations() -> set[str]:
    """Every (method, path) the URLconf routes under /api/v1/ to a DRF view, in the schema or not."""
    return {
        f"{method} {path}"
        for path, _regex, method, _view in _EveryEndpoint().get_api_endpoints()
        if path.startswith("/api/v1/") and "{format}" not in path and method not in ("OPTIONS", "HEAD")
    }


def _non_drf_views_under_api(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """URL patterns under /api/v1/ served by something other than a DRF view (not covered by the matrix)."""
    out = []
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if route.startswith("api/v1/") or "api/v1/".startswith(route):
                out += _non_drf_views_under_api(p, route)
        elif isinstance(p, URLPattern) and route.startswith("api/v1/") and not hasattr(p.callback, "cls"):
            out.append(route)
    return out


def test_matrix_lists_every_documented_and_routed_operation():
    """Every operation the schema documents or the URLconf routes under /api/v1/ has its row in MATRIX.

    A new endpoint fails here until its expected answer for every role and scope is written down.
    """
    documented, routed = documented_operations(), routed_operations()
    assert sorted(documented - set(MATRIX)) == [], "documented operations missing from MATRIX"
    assert sorted(routed - set(MATRIX)) == [], "routed operations missing from MATRIX"
    assert sorted(set(MATRIX) - documented - routed) == [], "MATRIX rows for operations that no longer exist"
    assert routed - documented == UNDOCUMENTED
    assert _non_drf_views_under_api() == []


# --- the cells ------------------------------------------------------------------------------------

READERS = {
    "areas": TERRITORY_READERS,
    "compounds": TERRITORY_READERS,
    "buildings": TERRITORY_READERS,
    "dwellings": TERRITORY_READERS,
    "residents": REGISTRY_VIEWERS,
    "households": REGISTRY_VIEWERS,
}


def _ids(response) -> set[str]:
    data = response.json()
    return {row["id"] for row in (data["results"] if isinstance(data, dict) else data)}


def _state() -> tuple[int, int, int]:
    return (
        Resident.objects.count(),
        Household.objects.count(),
        AuditRecord.objects.filter(action__startswith="registry.").count(),
    )


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("operation", list(MATRIX))
def test_access(world, operation, role, scope):
    """The answer of `operation` to `role` on an object of its own or of another scope is the matrix's."""
    w = world
    cluster = cluster_for(role, scope)
    call = MATRIX[operation].call(w, role, cluster, scope)
    before = _state()
    client = client_for(w, role)
    governance_before = governance_state()
    party_before = party_state()
    volunteers_before = volunteer_state()
    coordination_before = coordination_state()
    if call.method == "get":
        response = client.get(call.url)
    else:
        response = client.post(call.url, call.body, format=call.format)
    assert response.status_code == call.status, response.content.decode()[:300]

    wrote = operation == "POST /api/v1/residents/" and call.status == 201
    revealed = operation == "POST /api/v1/residents/{id}/reveal/" and call.status == 200
    residents, households, audits = _state()
    if wrote:
        created = Resident.objects.get(public_id=response.json()["id"])
        assert (created.dwelling_id, in_scope(w, role, cluster)) == (w[cluster, "dwellings"].pk, True)
        assert (residents, households) == (before[0] + 1, before[1])
    elif revealed:
        assert response.json() == {"value": w[cluster, "mobile"]}
        assert (residents, households, audits) == (before[0], before[1], before[2] + 1)
    else:
        assert (residents, households, audits) == before  # a denial changes nothing, not even the audit trail

    row = MATRIX[operation]
    if row.collection and call.status == 200:
        kind = row.collection
        expected = {str(w[m, kind].public_id) for m in CLUSTERS if role in READERS[kind] and in_scope(w, role, m)}
        got = _ids(response)
        if kind == "areas":
            assert got == _areas_in_scope(w, role)
        else:
            assert got == expected
        assert str(w[cluster_for(role, "other"), kind].public_id) not in got
    if operation == "POST /api/v1/residents/search/" and call.status == 200:
        expected_found = {str(w[cluster, "residents"].public_id)} if in_scope(w, role, cluster) else set()
        assert _ids(response) == expected_found
    if operation == "GET /api/v1/me/" and call.status == 200:
        assert response.json()["id"] == str(w["user", role].public_id)
    written = GOVERNANCE_WRITES.get(operation) == call.status
    assert (governance_state() != governance_before) == written  # a refusal writes nothing, audit included
    if row.governance and call.status == 200:
        kind, readers = row.governance
        assert _ids(response) == _governance_ids(w, kind, readers, role)
    party_written = PARTY_WRITES.get(operation) == call.status
    assert (party_state() != party_before) == party_written  # a refusal writes nothing, audit included
    if row.party and call.status == 200:
        assert _ids(response) == _party_ids(w, row.party, role)
    if operation == "POST /api/v1/party-members/{id}/reveal/" and call.status == 200:
        assert response.json() == w[cluster, "party-revealed"]
    check_volunteers(w, operation, role, call.status, response, volunteers_before, CLUSTERS, covers_community)
    check_coordination(w, operation, role, call.status, response, coordination_before, covers_community)


def _areas_in_scope(w: dict[str, Any], role: str) -> set[str]:
    if role not in TERRITORY_READERS:
        return set()
    root = w[ROLES[role][0]].path
    return {str(a.public_id) for a in Area.objects.all() if a.path.startswith(root)}


# --- methods the schema does not document ---------------------------------------------------------

UNDOCUMENTED_METHODS = ("put", "patch", "delete")


def _undocumented_method_cases() -> list[tuple[str, str]]:
    ops = documented_operations()
    paths = sorted({op.split(" ", 1)[1] for op in ops})
    return [
        (method, path)
        for path in paths
        for method in ("get", "post", *UNDOCUMENTED_METHODS)
        if f"{method.upper()} {path}" not in ops
    ]


@pytest.mark.parametrize(("method", "path"), _undocumented_method_cases())
def test_undocumented_methods_change_nothing(world, method, path):
    """A method the schema does not document answers 405 to a community worker (401 anonymous); nothing
    changes."""
    w = world
    url = path.replace("{id}", str(_object_for(w, path).public_id))
    before = _state()
    body = {"name": "改名", "field": "mobile", "reason": "核实"}
    anonymous = 405 if path == "/api/v1/auth/token/" else 401  # the token endpoint asks no credentials
    assert getattr(client_for(w, "community_worker"), method)(url, body, format="json").status_code == 405
    assert getattr(client_for(w, "anonymous"), method)(url, body, format="json").status_code == anonymous
    assert _state() == before


def _object_for(w: dict[str, Any], path: str) -> Any:
    kind = path.split("/")[3]
    return w["m1", kind] if ("m1", kind) in w else w["m1"]
