""" "One core, many actors" and joint meetings in the access matrix's world (test_api_access_matrix.py).

Per community, made through the services by its community Party secretary (api_matrix_party.py): a residents'
committee with its role (contact person stored encrypted), and a joint meeting convened by the community's Party
committee with the residents' committee and one follow-up. The district department of the matrix's department
officer has a role in c1 (present there); the property company of the matrix's organisation staff is placed at c1.
So both read c1 (m1, m2, m3) and nothing else. The matrix's Party organiser holds a compound branch: it does not reach
a community's committee and sees nothing here.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shequ.cases.models import Case
from shequ.coordination import services as coordination_services
from shequ.coordination.models import ActorRole, FollowUp, JointMeeting
from shequ.core.models import AuditRecord
from shequ.organisations.models import Unit

ORGANISER = "party_organiser"
TERRITORIAL_VIEWERS = {"community_worker", "community_secretary", "street_officer", "district_officer"}
MANAGERS = {"community_worker", "community_secretary"}
# Roles to whom the action is open somewhere (a list answers 200, possibly empty; else 403).
LIST_READERS = TERRITORIAL_VIEWERS | {"org_staff", "department_officer", ORGANISER}
WRITERS = MANAGERS | {ORGANISER}
# Proposals belong to deliberation: the governance state of the matrix changes when a follow-up becomes one.
GOVERNANCE_WRITES = {"POST /api/v1/joint-follow-ups/{id}/proposal/": 200}
WRITES = {
    "POST /api/v1/community-actors/": 200,
    "POST /api/v1/community-actors/{id}/reveal/": 200,
    "POST /api/v1/joint-meetings/": 201,
    "POST /api/v1/joint-meetings/{id}/follow-ups/": 201,
    "POST /api/v1/joint-follow-ups/{id}/done/": 200,
    "POST /api/v1/joint-follow-ups/{id}/case/": 200,
    "POST /api/v1/joint-follow-ups/{id}/proposal/": 200,
}


def build_coordination(w: dict[str, Any], clusters: tuple[str, ...]) -> None:
    """Add the roles, meetings and follow-ups above to the world `w` (after its accounts are made)."""
    held_on = timezone.localdate() - timedelta(days=7)
    for m in clusters:
        community = w[m].parent.parent
        key = ("coordination", community.code)
        if key not in w:
            committee = w["party-committee", community.code]
            secretary = w[("party-committee", community.code), "secretary"]
            rc = Unit.objects.create(kind="residents_committee", name=f"{community.name}居委会", area=community)
            role = coordination_services.role_save(
                actor=secretary,
                community=community,
                unit=rc,
                data=coordination_services.RoleInput(
                    responsibilities="组织居民自治", contact_name="李梅", contact_mobile="13900001111"
                ),
            )
            meeting = coordination_services.meeting_record(
                actor=secretary,
                community=community,
                data=coordination_services.MeetingInput(
                    held_on=held_on,
                    topic="停车秩序整治",
                    minutes="各方同意重新划定停车位。",
                    participants=[committee.unit, rc],
                    follow_ups=[coordination_services.FollowUpInput(text="重新划定停车位", lead_unit=rc)],
                ),
            )
            w[key] = {"rc": rc, "roles": {str(role.public_id)}, "role": role, "meeting": meeting}
            w[key]["follow_up"] = meeting.follow_ups.get()
        found = w[key]
        w[m, "community-actors"], w[m, "joint-meetings"] = found["role"], found["meeting"]
        w[m, "joint-follow-ups"] = found["follow_up"]
    c1 = w["m1"].parent.parent
    department = Unit.objects.get(name="单位department_officer")
    secretary = w[("party-committee", c1.code), "secretary"]
    role = coordination_services.role_save(
        actor=secretary,
        community=c1,
        unit=department,
        data=coordination_services.RoleInput(responsibilities="老旧小区改造的技术指导"),
    )
    w["coordination", c1.code]["roles"].add(str(role.public_id))


def coordination_state() -> tuple[Any, ...]:
    """What a write of these endpoints changes: roles, meetings, follow-ups, cases, and their audit records."""
    return (
        sorted(ActorRole.objects.values_list("id", "responsibilities", "contact_mobile_masked")),
        JointMeeting.objects.count(),
        sorted(FollowUp.objects.values_list("id", "status", "kind", "case_id", "proposal_id")),
        Case.objects.count(),
        AuditRecord.objects.filter(Q(action__startswith="coordination.") | Q(action__startswith="cases.")).count(),
    )


def _community(w: dict[str, Any], cluster: str) -> Any:
    return w[cluster].parent.parent


def views(w: dict[str, Any], role: str, cluster: str, covers_community: Callable[..., bool]) -> bool:
    """Whether `role` sees the community of `cluster`."""
    if role in TERRITORIAL_VIEWERS:
        return covers_community(w, role, cluster)
    if role in ("org_staff", "department_officer"):
        return _community(w, cluster) == _community(w, "m1")
    return False


def manages(w: dict[str, Any], role: str, cluster: str, covers_community: Callable[..., bool]) -> bool:
    return role in MANAGERS and covers_community(w, role, cluster)


def coordination_rows(
    call_type: Any, anonymous: Callable[[str, int], int], covers_community: Callable[..., bool]
) -> dict[str, Callable[[dict[str, Any], str, str, str], Any]]:
    """The matrix rows of these endpoints: operation -> call(w, role, cluster, scope) building the request."""

    def sees(w: dict[str, Any], role: str, cluster: str) -> bool:
        return views(w, role, cluster, covers_community)

    def does(w: dict[str, Any], role: str, cluster: str) -> bool:
        return manages(w, role, cluster, covers_community)

    def listing(kind: str) -> Callable[..., Any]:
        def call(w, role, cluster, scope):
            return call_type("get", f"/api/v1/{kind}/", None, anonymous(role, 200 if role in LIST_READERS else 403))

        return call

    def retrieve(kind: str) -> Callable[..., Any]:
        def call(w, role, cluster, scope):
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/"
            return call_type("get", url, None, anonymous(role, 200 if sees(w, role, cluster) else 404))

        return call

    def write(kind: str, suffix: str, success: int, body: Callable[[dict[str, Any], str], dict[str, Any]]):
        """A POST on one object: 404 unless the caller sees it, 403 unless it manages it, else `success`."""

        def call(w, role, cluster, scope):
            status = 404 if not sees(w, role, cluster) else (success if does(w, role, cluster) else 403)
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/{suffix}"
            return call_type("post", url, body(w, cluster), anonymous(role, status))

        return call

    def create(kind: str, success: int, body: Callable[[dict[str, Any], str], dict[str, Any]]):
        """A write naming the community: 403 for a role that manages nowhere, 400 ("not found") for a community
        the caller does not see, 403 for one it only reads, else `success`."""

        def call(w, role, cluster, scope):
            if role not in WRITERS:
                status = 403
            elif not sees(w, role, cluster):
                status = 400
            else:
                status = success if does(w, role, cluster) else 403
            return call_type("post", f"/api/v1/{kind}/", body(w, cluster), anonymous(role, status))

        return call

    def overview(w, role, cluster, scope):
        if role not in LIST_READERS:
            status = 403
        else:
            status = 200 if sees(w, role, cluster) else 404
        url = f"/api/v1/community-actors/overview/?community={_community(w, cluster).public_id}"
        return call_type("get", url, None, anonymous(role, status))

    def role_body(w, cluster):
        rc = w["coordination", _community(w, cluster).code]["rc"]
        return {
            "community": str(_community(w, cluster).public_id),
            "unit": str(rc.public_id),
            "responsibilities": "新职责",
        }

    def meeting_body(w, cluster):
        community = _community(w, cluster)
        committee = w["party-committee", community.code]
        rc = w["coordination", community.code]["rc"]
        return {
            "community": str(community.public_id),
            "held_on": timezone.localdate().isoformat(),
            "topic": "垃圾分类",
            "minutes": "物业设点，居委会宣传。",
            "participants": [str(committee.unit.public_id), str(rc.public_id)],
        }

    def fixed(data: dict[str, Any]) -> Callable[[dict[str, Any], str], dict[str, Any]]:
        return lambda w, cluster: data

    today = timezone.localdate().isoformat()
    return {
        "GET /api/v1/community-actors/": listing("community-actors"),
        "POST /api/v1/community-actors/": create("community-actors", 200, role_body),
        "GET /api/v1/community-actors/overview/": overview,
        "GET /api/v1/community-actors/{id}/": retrieve("community-actors"),
        "POST /api/v1/community-actors/{id}/reveal/": write(
            "community-actors", "reveal/", 200, fixed({"reason": "通知开会"})
        ),
        "GET /api/v1/joint-meetings/": listing("joint-meetings"),
        "POST /api/v1/joint-meetings/": create("joint-meetings", 201, meeting_body),
        "GET /api/v1/joint-meetings/{id}/": retrieve("joint-meetings"),
        "POST /api/v1/joint-meetings/{id}/follow-ups/": write(
            "joint-meetings", "follow-ups/", 201, fixed({"text": "评估效果"})
        ),
        "GET /api/v1/joint-follow-ups/{id}/": retrieve("joint-follow-ups"),
        "POST /api/v1/joint-follow-ups/{id}/done/": write(
            "joint-follow-ups", "done/", 200, fixed({"done_on": today, "result": "已划线"})
        ),
        "POST /api/v1/joint-follow-ups/{id}/case/": write("joint-follow-ups", "case/", 200, fixed({})),
        "POST /api/v1/joint-follow-ups/{id}/proposal/": write("joint-follow-ups", "proposal/", 200, fixed({})),
    }


def check_coordination(
    w: dict[str, Any],
    operation: str,
    role: str,
    status: int,
    response: Any,
    before: tuple[Any, ...],
    covers_community: Callable[..., bool],
) -> None:
    """A refusal writes nothing (audit included); a list holds exactly the rows of the communities `role` sees."""
    written = WRITES.get(operation) == status
    assert (coordination_state() != before) == written, operation
    if status != 200 or operation not in ("GET /api/v1/community-actors/", "GET /api/v1/joint-meetings/"):
        return
    data = response.json()
    got = {row["id"] for row in data["results"]}
    communities = {
        _community(w, m).code for m in ("m1", "m2", "m3", "m4", "m5", "m6") if views(w, role, m, covers_community)
    }
    if operation == "GET /api/v1/community-actors/":
        expected = {i for code in communities for i in w["coordination", code]["roles"]}
    else:
        expected = {str(w["coordination", code]["meeting"].public_id) for code in communities}
    assert got == expected, operation
