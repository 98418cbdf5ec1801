"""Volunteer service in the access matrix's world (test_api_access_matrix.py).

Per community, a residents' committee unit; per cluster, the cluster's resident registered as a volunteer, an
activity of the community that started yesterday with the volunteer signed up (hours still to confirm), and an
earlier activity with the volunteer's hours confirmed and a correction waiting for an answer. m1's two activities
are organised by the matrix's `org_staff` unit (a company placed in community c1), every other cluster's by its
residents' committee: `org_staff` organises m1's activities and nothing else; community workers and secretaries
organise and keep their community's; street and district officers read their subtree; the unit-holding roles that
organise nothing here (department officer, Party organiser) see empty lists.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.core.actors import ResidentActor
from shequ.core.models import AuditRecord
from shequ.core.scoping import scope_of
from shequ.organisations.models import Unit
from shequ.volunteers import services as volunteer_services
from shequ.volunteers.models import Activity, Correction, Entry, Proof, ServiceRecord, Signup, Volunteer

KEEPERS = frozenset({"community_worker", "community_secretary"})
VIEWERS = KEEPERS | {"street_officer", "district_officer"}
UNIT_HOLDERS = frozenset({"org_staff", "department_officer", "party_organiser"})
ORGANISERS = KEEPERS | UNIT_HOLDERS
UNIT_ORGANISER = ("org_staff", "m1")  # the only unit role that organises a cluster's activities


def _activity(organiser: Any, community: Any, title: str, start: dt.datetime) -> Activity:
    return Activity.objects.create(
        organiser=organiser,
        community=community,
        title=title,
        content="清理公共区域",
        place="中心花园",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        slots=10,
    )


def build_volunteers(w: dict[str, Any], clusters: tuple[str, ...]) -> None:
    """Add the objects above to the world `w` (after the role accounts exist)."""
    now = timezone.now()
    org_unit = Unit.objects.get(pk=next(iter(scope_of(w["user", "org_staff"]).unit_ids({"org_staff"}))))
    committees: dict[int, Unit] = {}
    for m in clusters:
        community = w[m, "compounds"].community
        if community.pk not in committees:
            committees[community.pk] = Unit.objects.create(
                kind="residents_committee", name=f"{community.name}居民委员会", area=community
            )
        organiser = org_unit if m == UNIT_ORGANISER[1] else committees[community.pk]
        resident = w[m, "residents"]
        volunteer = volunteer_services.volunteer_join(
            actor=ResidentActor(resident), resident=resident, data=volunteer_services.JoinInput(skills="急救")
        )
        current = _activity(organiser, community, "社区环境清洁", now - dt.timedelta(days=1))
        signup = Signup.objects.create(activity=current, volunteer=volunteer, signed_up_at=now - dt.timedelta(days=3))
        earlier = _activity(organiser, community, "关爱独居老人", now - dt.timedelta(days=30))
        done = Signup.objects.create(
            activity=earlier, volunteer=volunteer, signed_up_at=now - dt.timedelta(days=32), status="attended"
        )
        record = ServiceRecord.objects.create(
            volunteer=volunteer,
            activity=earlier,
            signup=done,
            organiser=organiser,
            title=earlier.title,
            served_on=timezone.localdate(earlier.starts_at),
            place=earlier.place,
            content=earlier.content,
            hours=Decimal("2"),
            confirmed_at=now - dt.timedelta(days=29),
        )
        correction = Correction.objects.create(record=record, volunteer=volunteer, text="时长应为3小时", asked_at=now)
        w[m, "volunteers"], w[m, "volunteer-activities"], w[m, "volunteer-corrections"] = volunteer, current, correction
        w[m, "volunteer-signup"], w[m, "volunteer-committee"] = signup, committees[community.pk]


def volunteer_state() -> tuple[Any, ...]:
    """What a write of volunteer service changes: rows, statuses, hours and its audit records."""
    return (
        Volunteer.objects.count(),
        list(Signup.objects.order_by("id").values_list("status", flat=True)),
        list(ServiceRecord.objects.order_by("id").values_list("hours", flat=True)),
        list(Activity.objects.order_by("id").values_list("status", flat=True)),
        Entry.objects.count(),
        list(Correction.objects.order_by("id").values_list("status", flat=True)),
        Proof.objects.count(),
        AuditRecord.objects.filter(action__startswith="volunteers.").count(),
    )


def volunteer_rows(row: Any, call: Any, covers: Callable[[dict[str, Any], str, str], bool]) -> dict[str, Any]:
    """The matrix rows of the volunteers API, built with the matrix's `Row` and `Call` and its community test."""

    def anonymous(role: str, status: int) -> int:
        return 401 if role == "anonymous" else status

    def sees_volunteer(w: dict[str, Any], role: str, cluster: str) -> bool:
        return role in VIEWERS and covers(w, role, cluster)

    def keeps(w: dict[str, Any], role: str, cluster: str) -> bool:
        return role in KEEPERS and covers(w, role, cluster)

    def organises(w: dict[str, Any], role: str, cluster: str) -> bool:
        return keeps(w, role, cluster) or (role, cluster) == UNIT_ORGANISER

    def sees_activity(w: dict[str, Any], role: str, cluster: str) -> bool:
        return sees_volunteer(w, role, cluster) or (role, cluster) == UNIT_ORGANISER

    def listing(kind: str, readers: frozenset[str]) -> Any:
        return row(
            lambda w, role, cluster, scope: call(
                "get", f"/api/v1/{kind}/", None, anonymous(role, 200 if role in readers else 403)
            )
        )

    def retrieve(kind: str, sees: Callable[[dict[str, Any], str, str], bool]) -> Any:
        def build(w, role, cluster, scope):
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/"
            return call("get", url, None, anonymous(role, 200 if sees(w, role, cluster) else 404))

        return row(build)

    def retrieve_suffix(kind: str, suffix: str, sees: Callable[[dict[str, Any], str, str], bool]) -> Any:
        def build(w, role, cluster, scope):
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/{suffix}"
            return call("get", url, None, anonymous(role, 200 if sees(w, role, cluster) else 404))

        return row(build)

    def write(kind: str, suffix: str, sees: Any, may: Any, success: int, body: Any) -> Any:
        def build(w, role, cluster, scope):
            status = 404 if not sees(w, role, cluster) else (success if may(w, role, cluster) else 403)
            url = f"/api/v1/{kind}/{w[cluster, kind].public_id}/{suffix}"
            return call("post", url, body(w, cluster), anonymous(role, status))

        return row(build)

    def create_volunteer(w, role, cluster, scope):
        community = w[cluster, "compounds"].community
        body = {"community": str(community.public_id), "name": "李雷", "birth_date": "1990-01-01"}
        status = 403 if role not in KEEPERS else (201 if keeps(w, role, cluster) else 400)
        return call("post", "/api/v1/volunteers/", body, anonymous(role, status))

    def create_activity(w, role, cluster, scope):
        start = timezone.now() + dt.timedelta(days=2)
        body = {
            "organiser": str(w[cluster, "volunteer-committee"].public_id),
            "title": "助老服务",
            "content": "陪伴老人",
            "place": "活动室",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "slots": 5,
        }
        status = 403 if role not in ORGANISERS else (201 if keeps(w, role, cluster) else 400)
        return call("post", "/api/v1/volunteer-activities/", body, anonymous(role, status))

    def confirm_body(w, cluster):
        return {"signup": str(w[cluster, "volunteer-signup"].public_id), "hours": "2.5", "travel_hours": "0.5"}

    return {
        "GET /api/v1/volunteers/": listing("volunteers", VIEWERS),
        "POST /api/v1/volunteers/": row(create_volunteer),
        "GET /api/v1/volunteers/{id}/": retrieve("volunteers", sees_volunteer),
        "POST /api/v1/volunteers/{id}/entries/": write(
            "volunteers",
            "entries/",
            sees_volunteer,
            keeps,
            201,
            lambda w, c: {"kind": "training", "on": timezone.localdate().isoformat(), "title": "急救培训"},
        ),
        # The matrix's volunteers are adults: past the permission, the consent is refused (400), nothing written.
        "POST /api/v1/volunteers/{id}/consent/": write(
            "volunteers",
            "consent/",
            sees_volunteer,
            keeps,
            400,
            lambda w, c: {"guardian_name": "张建国", "relation": "父亲"},
        ),
        "POST /api/v1/volunteers/{id}/proofs/": write(
            "volunteers", "proofs/", sees_volunteer, keeps, 201, lambda w, c: {}
        ),
        "GET /api/v1/volunteer-activities/": listing("volunteer-activities", VIEWERS | UNIT_HOLDERS),
        "POST /api/v1/volunteer-activities/": row(create_activity),
        "GET /api/v1/volunteer-activities/{id}/": retrieve("volunteer-activities", sees_activity),
        "GET /api/v1/volunteer-activities/{id}/sign-ups/": retrieve_suffix(
            "volunteer-activities", "sign-ups/", sees_activity
        ),
        "POST /api/v1/volunteer-activities/{id}/confirm-hours/": write(
            "volunteer-activities", "confirm-hours/", sees_activity, organises, 201, confirm_body
        ),
        "POST /api/v1/volunteer-activities/{id}/status/": write(
            "volunteer-activities", "status/", sees_activity, organises, 200, lambda w, c: {"event": "close"}
        ),
        "POST /api/v1/volunteer-activities/{id}/absent/": write(
            "volunteer-activities",
            "absent/",
            sees_activity,
            organises,
            200,
            lambda w, c: {"signup": str(w[c, "volunteer-signup"].public_id)},
        ),
        "GET /api/v1/volunteer-corrections/": listing("volunteer-corrections", ORGANISERS),
        "GET /api/v1/volunteer-corrections/{id}/": retrieve("volunteer-corrections", organises),
        "POST /api/v1/volunteer-corrections/{id}/answer/": write(
            "volunteer-corrections",
            "answer/",
            organises,
            organises,
            200,
            lambda w, c: {"accept": False, "answer": "签到表显示2小时"},
        ),
    }


# The writes of the operations above, with the status that means "written".
VOLUNTEER_WRITES = {
    "POST /api/v1/volunteers/": 201,
    "POST /api/v1/volunteers/{id}/entries/": 201,
    "POST /api/v1/volunteers/{id}/proofs/": 201,
    "POST /api/v1/volunteer-activities/": 201,
    "POST /api/v1/volunteer-activities/{id}/confirm-hours/": 201,
    "POST /api/v1/volunteer-activities/{id}/status/": 200,
    "POST /api/v1/volunteer-activities/{id}/absent/": 200,
    "POST /api/v1/volunteer-corrections/{id}/answer/": 200,
}


def _expected_ids(w: dict[str, Any], kind: str, role: str, clusters: tuple[str, ...], covers: Any) -> set[str]:
    out = set()
    for m in clusters:
        if kind == "volunteers":
            visible = role in VIEWERS and covers(w, role, m)
        elif kind == "volunteer-activities":
            visible = (role in VIEWERS and covers(w, role, m)) or (role, m) == UNIT_ORGANISER
        else:
            visible = (role in KEEPERS and covers(w, role, m)) or (role, m) == UNIT_ORGANISER
        if visible:
            out.add(str(w[m, kind].public_id))
    return out


def check_volunteers(
    w: dict[str, Any], operation: str, role: str, status: int, response: Any, before: Any, clusters: Any, covers: Any
) -> None:
    """A refusal wrote nothing (audit included); a list answered exactly the role's objects."""
    written = VOLUNTEER_WRITES.get(operation) == status
    assert (volunteer_state() != before) == written
    kind = operation.removeprefix("GET /api/v1/").removesuffix("/")
    if status == 200 and kind in ("volunteers", "volunteer-activities", "volunteer-corrections"):
        data = response.json()
        got = {r["id"] for r in (data["results"] if isinstance(data, dict) else data)}
        expected = _expected_ids(w, kind, role, clusters, covers)
        if kind == "volunteer-activities":  # the earlier activities of the same clusters are listed too
            got = {i for i in got if Activity.objects.get(public_id=i).title == "社区环境清洁"}
        assert got == expected
