"""The Party organisations of the access matrix's world (test_api_access_matrix.py).

Per community, a Party committee set up by a community Party secretary of that community; per cluster
(micro-grid), a branch of the cluster's compound (placed in its community) under its community's committee, with
three full members (the first its secretary) and one probationary member, and a general meeting they all attended
with one decision. The matrix's Party organiser (role `party_organiser`) holds the unit of m1's branch: it reaches
that branch and nothing else, not even m2's branch in the same community.

在职党员双报到 (`build_service`): per cluster, the cluster's resident registered with its community (m3's resident
left unregistered: m3 uses m2's registration), claiming a need of that community (wanted 3) with a service they
recorded (pending), a second need nobody claimed yet, and a hub household on the cluster's micro-grid hosted by
the branch's secretary. Only the community Party
secretary reaches a community's 双报到 in this world (the organiser holds a branch, not the community committee);
hubs are reached like members.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit
from shequ.party import hub_services
from shequ.party import inservice_services as service
from shequ.party import services as party_services
from shequ.party.models import (
    Attendance,
    Decision,
    Hub,
    HubHousehold,
    HubLink,
    InServiceMember,
    MemberTransfer,
    NeedClaim,
    PartyMeeting,
    PartyMember,
    PartyOrg,
    Post,
    ServiceEntry,
    ServiceNeed,
)

ORGANISER = "party_organiser"
# (name, status): the first three are full members, the last a probationary member.
MEMBERS = (("程丽", "full"), ("王建国", "full"), ("李秀英", "full"), ("赵小龙", "probationary"))


def mobile(i: int, j: int) -> str:
    """The mobile of the j-th member (from 0) of the i-th cluster's branch."""
    return f"1390000{i:02d}{j + 1:02d}"


def _member(secretary: Any, branch: Any, i: int, j: int, today: date) -> Any:
    name, status = MEMBERS[j]
    full = status == "full"
    data = party_services.MemberInput(
        name=name,
        status=status,
        joined_on=date(2010, 7, 1) if full else today - timedelta(days=200),
        full_on=date(2011, 7, 1) if full else None,
        mobile=mobile(i, j),
    )
    return party_services.member_add(actor=secretary, org=branch, data=data)


def _committee(w: dict[str, Any], community: Any) -> Any:
    key = ("party-committee", community.code)
    if key not in w:
        secretary = staff("community_secretary", community)
        w[key] = party_services.org_create(
            actor=secretary,
            data=party_services.OrgInput(level="committee", name=f"{community.name}党委", area=community),
        )
        w[key, "secretary"] = secretary
    return w[key], w[key, "secretary"]


def build_party(w: dict[str, Any], clusters: tuple[str, ...]) -> None:
    """Add the organisations, members, posts and meetings above to the world `w`, and the Party organiser."""
    today = timezone.localdate()
    for i, m in enumerate(clusters):
        compound = w[m, "compounds"]
        committee, secretary = _committee(w, compound.community)
        branch = party_services.org_create(
            actor=secretary,
            data=party_services.OrgInput(
                level="branch",
                name=f"{compound.name}党支部",
                area=compound.community,
                compound=compound,
                parent=committee,
            ),
        )
        members = [_member(secretary, branch, i, j, today) for j in range(len(MEMBERS))]
        party_services.post_assign(
            actor=secretary,
            org=branch,
            member=members[0],
            post="secretary",
            term_starts_on=today - timedelta(days=365),
            term_ends_on=today + timedelta(days=3 * 365),
        )
        meeting = party_services.meeting_record(
            actor=secretary,
            org=branch,
            data=party_services.MeetingInput(
                kind="general",
                held_on=today,
                topic="研究年度工作计划",
                present=members,
                decisions=[party_services.DecisionInput(title="通过年度工作计划", votes_for=3)],
            ),
        )
        w[m, "party-orgs"], w[m, "party-committee"], w[m, "party-meetings"] = branch, committee, meeting
        w[m, "party-committee", "secretary"] = secretary
        w[m, "party-members"], w[m, "probationary"], w[m, "party-secretary"] = members[1], members[3], members[0]
        w[m, "party-revealed"] = {"name": MEMBERS[1][0], "mobile": mobile(i, 1)}
        w[m, "all", "party-members"] = {str(x.public_id) for x in members}
    w["clusters"] = clusters
    w["user", ORGANISER] = staff(ORGANISER, w["m1"], username=ORGANISER, unit=w["m1", "party-orgs"].unit)
    build_service(w, clusters, today)


def build_service(w: dict[str, Any], clusters: tuple[str, ...], today: date) -> None:
    """The 双报到 registrations, needs, claim and service, and the hub of each cluster (see the module docstring).

    No resident is added (the residents' rows of the matrix count one per cluster): the resident of m3 stays
    unregistered, to be registered by the create row, and m3's rows use m2's registration."""
    slip = service.RegistrationInput(
        own_org_name="某局机关党支部", employer="某局", registered_on=today - timedelta(90)
    )
    for m in clusters:
        community, secretary = w[m, "compounds"].community, w[m, "party-committee", "secretary"]
        if m == "m3":
            w[m, "party-inservice"] = w["m2", "party-inservice"]
        else:
            w[m, "party-inservice"] = service.registration_create(
                actor=secretary, resident=w[m, "residents"], data=slip
            )
        registration = w[m, "party-inservice"]
        claimed = service.NeedInput(title="课业辅导", kind="tutoring", wanted=3, open_from=today - timedelta(30))
        w[m, "need-claimed"] = service.need_publish(actor=secretary, community=community, data=claimed)
        free = service.NeedInput(title="走访慰问", kind="visits", wanted=2, open_from=today - timedelta(10))
        w[m, "party-needs"] = service.need_publish(actor=secretary, community=community, data=free)
        claim = service.need_claim(actor=secretary, need=w[m, "need-claimed"], member=registration)
        entry = service.EntryInput(served_on=today, hours="2", content="辅导作业", claim=claim)
        w[m, "party-service-entries"] = service.entry_record(
            actor=ResidentActor(registration.resident), member=registration, data=entry
        )
        hub, _warnings = hub_services.hub_create(
            actor=secretary, area=w[m], host=w[m, "party-secretary"], name="党员中心户"
        )
        w[m, "party-hubs"], w[m, "hub-link"] = hub, HubLink.objects.get(hub=hub)


def party_state() -> tuple[Any, ...]:
    """What a write of the Party side changes: organisations (and their units), members, transfers, posts,
    meetings with attendance and decisions, and the Party audit records (a reveal writes only one of these)."""
    return (
        Unit.objects.count(),
        PartyOrg.objects.count(),
        list(PartyMember.objects.order_by("id").values_list("org_id", "status", "active")),
        MemberTransfer.objects.count(),
        Post.objects.count(),
        PartyMeeting.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        AuditRecord.objects.filter(action__startswith="party.").count(),
        list(InServiceMember.objects.order_by("id").values_list("status")),
        list(ServiceNeed.objects.order_by("id").values_list("status")),
        list(NeedClaim.objects.order_by("id").values_list("status")),
        list(ServiceEntry.objects.order_by("id").values_list("status")),
        list(Hub.objects.order_by("id").values_list("active")),
        HubLink.objects.count(),
        HubHousehold.objects.count(),
    )


# --- the matrix rows of 双报到 and hubs (test_api_access_matrix.py wraps them in its Row and Call) -----------------


def _unregistered(w: dict[str, Any], cluster: str) -> Any:
    """A resident of the cluster's community: m3's (unregistered) in its community, else the cluster's own."""
    same = w[cluster, "compounds"].community == w["m3", "compounds"].community
    return w["m3", "residents"] if same else w[cluster, "residents"]


SERVICE_KINDS = ("party-inservice", "party-needs", "party-service-entries", "party-hubs")
SERVICE_REACHERS = frozenset({"community_secretary"})
Expect = tuple[str, str, dict[str, Any] | None, int]  # method, url, body, status
Cell = Callable[[dict[str, Any], str, str, str], Expect]


def _status(role: str, status: int) -> int:
    return 401 if role == "anonymous" else status


def service_rows(
    covers_community: Callable[..., bool], party_reaches: Callable[..., bool]
) -> dict[str, tuple[Cell, str | None]]:
    """Each operation of 双报到 and hubs: the cell builder and the list kind whose ids the matrix checks."""

    def reaches(w: dict[str, Any], role: str, cluster: str) -> bool:
        return role in SERVICE_REACHERS and covers_community(w, role, cluster)

    def listing(kind: str, readers: frozenset[str]) -> Cell:
        def cell(w, role, cluster, scope):
            return ("get", f"/api/v1/{kind}/", None, _status(role, 200 if role in readers else 403))

        return cell

    def retrieve(kind: str, sees: Callable[..., bool]) -> Cell:
        def cell(w, role, cluster, scope):
            ok = sees(w, role, cluster)
            return ("get", f"/api/v1/{kind}/{w[cluster, kind].public_id}/", None, _status(role, 200 if ok else 404))

        return cell

    def write(kind: str, suffix: str, sees: Callable[..., bool], success: int, body: Callable[..., Any]) -> Cell:
        def cell(w, role, cluster, scope):
            status = success if sees(w, role, cluster) else 404
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/{suffix}"
            return ("post", url, body(w, cluster), _status(role, status))

        return cell

    def create(kind: str, readers: frozenset[str], sees: Callable[..., bool], body: Callable[..., Any]) -> Cell:
        def cell(w, role, cluster, scope):
            status = 403 if role not in readers else (201 if sees(w, role, cluster) else 400)
            return ("post", f"/api/v1/{kind}/", body(w, cluster), _status(role, status))

        return cell

    today = timezone.localdate().isoformat()
    hub_readers = frozenset({"community_secretary", ORGANISER})
    return {
        "GET /api/v1/party-inservice/": (listing("party-inservice", SERVICE_REACHERS), "party-inservice"),
        "POST /api/v1/party-inservice/": (
            create(
                "party-inservice",
                SERVICE_REACHERS,
                reaches,
                lambda w, c: {
                    "resident": str(_unregistered(w, c).public_id),
                    "own_org_name": "某党委",
                    "employer": "某公司",
                },
            ),
            None,
        ),
        "GET /api/v1/party-inservice/{id}/": (retrieve("party-inservice", reaches), None),
        "POST /api/v1/party-inservice/{id}/end/": (
            write("party-inservice", "end/", reaches, 200, lambda w, c: {}),
            None,
        ),
        "POST /api/v1/party-inservice/{id}/reveal/": (
            write("party-inservice", "reveal/", reaches, 200, lambda w, c: {"reason": "出具服务情况反馈"}),
            None,
        ),
        "POST /api/v1/party-inservice/{id}/services/": (
            write(
                "party-inservice",
                "services/",
                reaches,
                201,
                lambda w, c: {"served_on": today, "hours": "1.5", "content": "看望老人"},
            ),
            None,
        ),
        "GET /api/v1/party-needs/": (listing("party-needs", SERVICE_REACHERS), "party-needs"),
        "POST /api/v1/party-needs/": (
            create(
                "party-needs",
                SERVICE_REACHERS,
                reaches,
                lambda w, c: {
                    "community": str(w[c, "compounds"].community.public_id),
                    "title": "走访慰问",
                    "kind": "visits",
                    "wanted": 2,
                },
            ),
            None,
        ),
        "GET /api/v1/party-needs/{id}/": (retrieve("party-needs", reaches), None),
        "POST /api/v1/party-needs/{id}/close/": (write("party-needs", "close/", reaches, 200, lambda w, c: {}), None),
        "POST /api/v1/party-needs/{id}/claim/": (
            write(
                "party-needs", "claim/", reaches, 201, lambda w, c: {"member": str(w[c, "party-inservice"].public_id)}
            ),
            None,
        ),
        "GET /api/v1/party-service-entries/": (
            listing("party-service-entries", SERVICE_REACHERS),
            "party-service-entries",
        ),
        "POST /api/v1/party-service-entries/{id}/confirm/": (
            write("party-service-entries", "confirm/", reaches, 200, lambda w, c: {}),
            None,
        ),
        "GET /api/v1/party-hubs/": (listing("party-hubs", hub_readers), "party-hubs"),
        "POST /api/v1/party-hubs/": (
            create(
                "party-hubs",
                hub_readers,
                party_reaches,
                lambda w, c: {
                    "area": str(w[c].public_id),
                    "host": str(w[c, "party-members"].public_id),
                    "name": "第二党员中心户",
                },
            ),
            None,
        ),
        "GET /api/v1/party-hubs/{id}/": (retrieve("party-hubs", party_reaches), None),
        "POST /api/v1/party-hubs/{id}/links/": (
            write(
                "party-hubs", "links/", party_reaches, 201, lambda w, c: {"member": str(w[c, "probationary"].public_id)}
            ),
            None,
        ),
        "POST /api/v1/party-hubs/{id}/households/": (
            write(
                "party-hubs",
                "households/",
                party_reaches,
                201,
                lambda w, c: {"link": str(w[c, "hub-link"].public_id), "household": str(w[c, "households"].public_id)},
            ),
            None,
        ),
        "POST /api/v1/party-hubs/{id}/end/": (write("party-hubs", "end/", party_reaches, 200, lambda w, c: {}), None),
    }


SERVICE_WRITES = {
    "POST /api/v1/party-inservice/": 201,
    "POST /api/v1/party-inservice/{id}/end/": 200,
    "POST /api/v1/party-inservice/{id}/reveal/": 200,
    "POST /api/v1/party-inservice/{id}/services/": 201,
    "POST /api/v1/party-needs/": 201,
    "POST /api/v1/party-needs/{id}/close/": 200,
    "POST /api/v1/party-needs/{id}/claim/": 201,
    "POST /api/v1/party-service-entries/{id}/confirm/": 200,
    "POST /api/v1/party-hubs/": 201,
    "POST /api/v1/party-hubs/{id}/links/": 201,
    "POST /api/v1/party-hubs/{id}/households/": 201,
    "POST /api/v1/party-hubs/{id}/end/": 200,
}


def service_ids(
    w: dict[str, Any], kind: str, role: str, covers_community: Callable[..., bool], party_reaches: Callable[..., bool]
) -> set[str]:
    """The ids a list of 双报到 or hubs must answer `role`: those of the clusters it reaches."""
    out: set[str] = set()
    for m in w["clusters"]:
        if kind == "party-hubs":
            if party_reaches(w, role, m):
                out.add(str(w[m, kind].public_id))
        elif role in SERVICE_REACHERS and covers_community(w, role, m):
            out.add(str(w[m, kind].public_id))
            if kind == "party-needs":
                out.add(str(w[m, "need-claimed"].public_id))
    return out
