"""Arguments for calling every write service in `test_write_services` (the permission check comes first).

`build_world()` makes a small territory with residents, staff and a case (make_world, ~0.15 s); other objects
(a photo, an export request, an import batch …) are made on first use by the builder that needs them.
`DEFAULTS` builds an argument from its parameter name; `ARGUMENTS` builds named arguments of one service where
the name is not enough (input dataclasses, a `kind` that means different things); `ACTOR_PARAMETERS` names an
actor parameter not called `actor`. Targets are always someone else's: a refusal proves the check.

`OWN_ACCOUNT` exempts an outsider from one service where that outsider legitimately acts on their own account
or session. `READS_ONLY` and `WRITES_WITHOUT_ACTOR` list the unmarked public functions of services modules,
each with the reason.
"""

import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.accounts.tests.factories import PASSWORD, UserFactory
from shequ.core.tests.calendar_seed import seed_calendar
from shequ.registry.models import Resident
from shequ.registry.tests.factories import make_world


@dataclass
class World:
    t: dict[str, Any]
    nobody: Any  # a staff account without any role
    stranger: Any  # a resident of the other street (c2)
    disabled_client: Any
    case: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.t[key]


def _case(t: dict[str, Any]) -> Any:
    from shequ.cases import services as cases

    data = cases.CaseInput(
        case_type="complaint",
        title="楼道堆放杂物",
        description="三单元楼道堆满纸箱，影响通行",
        channel="staff",
        building=t["b1"],
        reporter=t["zsf"],
        reporter_name="张三丰",
        reporter_mobile="13812345678",
    )
    return cases.case_submit(actor=t["registrar1"], data=data)


def build_world() -> World:
    from shequ.open311.models import ApiClient

    seed_calendar()
    t = make_world()
    nobody = UserFactory(username="nobody-without-role")
    client = ApiClient.objects.create(name="停用的客户端", key_hash="0" * 64, active=False)
    case = _case(t)
    return World(t=t, nobody=nobody, stranger=t["wang"], disabled_client=client, case=case)


def _text(_w: World) -> str:
    return "测试说明：请按规定办理。"


def _now(_w: World) -> dt.datetime:
    return timezone.now()


def _today(_w: World) -> dt.date:
    return timezone.localdate()


def _png(_w: World) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")


def _once(key: str, make: Callable[[World], Any]) -> Callable[[World], Any]:
    """A builder that makes its object on first use and hands the same one to later parameters."""

    def build(w: World) -> Any:
        if key not in w.extra:
            w.extra[key] = make(w)
        return w.extra[key]

    return build


def _category(_w: World) -> Any:
    from shequ.cases.models import Category

    return Category.objects.create(
        code="99", level=1, name="测试分类", default_type="complaint", handling_level="community"
    )


def _case_request(w: World) -> Any:
    from shequ.cases.models import CaseRequest

    return CaseRequest.objects.create(
        case=w.case,
        kind=CaseRequest.KIND_EXTEND,
        days=3,
        reason="需要协调物业，申请延期",
        approver_area=w["s1"],
        approver_path=w["s1"].path,
        requested_by=w["registrar1"],
        requested_at=timezone.now(),
    )


def _photo(w: World) -> Any:
    from shequ.cases.models import CasePhoto

    # The name alone: a refused call never opens the file.
    return CasePhoto.objects.create(case=w.case, image="case-photos/test.png", uploaded_at=timezone.now())


def _document(w: World) -> Any:
    from shequ.disputes.models import Agreement, AgreementDocument, Dispute

    dispute = Dispute.objects.create(case=w.case)
    agreement = Agreement.objects.create(dispute=dispute, terms="双方同意由物业在三日内清理楼道杂物。")
    return AgreementDocument.objects.create(
        agreement=agreement, version=1, file="dispute-agreements/test.pdf", sha256="0" * 64, size=1, terms="协议"
    )


def _delivery(w: World) -> Any:
    from shequ.notifications.models import Delivery, Notification

    note = Notification.objects.create(recipient=w["registrar1"], kind="case_dispatched", title="有新的派单")
    return Delivery.objects.create(notification=note, channel="email", status="failed", last_error="SMTPError")


def _export_request(w: World) -> Any:
    from shequ.registry.models import FullExportRequest

    return FullExportRequest.objects.create(
        requester=w["registrar1"],
        scope_paths=[w["c1"].path],
        reason_code="home_visit",
        reason_detail="入户走访需要完整名单",
        row_count=3,
        status="approved",
    )


def _batch(w: World) -> Any:
    from shequ.registry.models import ImportBatch

    return ImportBatch.objects.create(
        community=w["c1"], uploaded_by=w["registrar1"], file_name="居民.csv", file_sha256="0" * 64, file_format="csv"
    )


def _csv(_w: World) -> io.BytesIO:
    return io.BytesIO("姓名,证件号码\n赵六,\n".encode())


def _warning(w: World) -> Any:
    from shequ.analysis.models import Warning

    return Warning.objects.create(case=w.case, district=w["district"], score=50, reasons=[])


# Parameter name -> how to build it.
DEFAULTS: dict[str, Callable[[World], Any]] = {
    "case": lambda w: w.case,
    "into": lambda w: w.case,
    "resident": lambda w: w["zsf"],
    "community": lambda w: w["c1"],
    "area": lambda w: w["c1"],
    "street": lambda w: w["s1"],
    "target": lambda w: w["m111"],
    "compound": lambda w: w["compound1"],
    "building": lambda w: w["b1"],
    "dwelling": lambda w: w["d1"],
    "household": lambda w: w["h1"],
    "user": lambda w: w["registrar2"],
    "reason": _text,
    "note": _text,
    "reply": _text,
    "text": _text,
    "description": _text,
    "title": _text,
    "where_instead": _text,
    "now": _now,
    "on": _today,
    "day": _today,
    "number": lambda w: "H999",
    "name": lambda w: "测试名称",
    "satisfaction": lambda w: "satisfied",
    "reason_code": lambda w: "home_visit",
    "field": lambda w: "mobile",
    "upload": _png,
    "uploads": lambda w: [_png(w)],
    "photos": lambda w: [],
    "floor_area": lambda w: Decimal("80.5"),
    # accounts: another person's account wherever the service names one
    "role": lambda w: "community_worker",
    "assignment": lambda w: w["registrar2"].assignments.get(),
    "from_user": lambda w: w["registrar1"],
    "to_user": lambda w: w["registrar2"],
    "deactivate": lambda w: False,
    "username": lambda w: "new-worker",
    "display_name": lambda w: "新同事",
    "old_password": lambda w: PASSWORD,
    "new_password": lambda w: "Another-Passw0rd-2027",
    "session_key": lambda w: "k" * 32,
    "ip": lambda w: "127.0.0.1",
    "user_agent": lambda w: "pytest",
    "code": lambda w: "123456",
    "secret": lambda w: "JBSWY3DPEHPK3PXP",
    # cases
    "request": _once("request", _case_request),
    "approve": lambda w: True,
    "confirm": lambda w: True,
    "public": lambda w: True,
    "photo": _once("photo", _photo),
    "category": _once("category", _category),
    "public_ids": lambda w: [str(w.case.public_id)],
    "fileobj": _csv,
    "filename": lambda w: "12345工单.csv",
    "communities": lambda w: [w["c1"]],
    # disputes
    "document": _once("document", _document),
    "terms": lambda w: "双方同意由物业在三日内清理楼道杂物。",
    "signatory_ids": lambda w: [],
    "colour": lambda w: "red",
    "party_id": lambda w: uuid.uuid4(),
    # notifications
    "delivery_id": lambda w: _once("delivery", _delivery)(w).pk,
    "ids": lambda w: [_once("delivery", _delivery)(w).pk],
    "delivery_ids": lambda w: [_once("delivery", _delivery)(w).pk],
    "email": lambda w: "worker@example.com",
    "mobile": lambda w: "13900000000",
    "email_topics": lambda w: [],
    "sms_topics": lambda w: [],
    # open311
    "rate_limit": lambda w: 10,
    # registry
    "export_request": _once("export_request", _export_request),
    "queryset": lambda w: Resident.objects.all(),
    "filters": lambda w: {},
    "reason_detail": _text,
    "batch": _once("batch", _batch),
    "batch_id": lambda w: _once("batch", _batch)(w).pk,
    "file_name": lambda w: "居民.csv",
    "mode": lambda w: "valid_only",
    "month": lambda w: 3,
    "min_age": lambda w: 80,
    "relation": lambda w: "member",
    "band": lambda w: "80plus",
    # territory
    "collection": lambda w: {"type": "FeatureCollection", "features": []},
    "micro_grid": lambda w: w["m112"],
    "records": lambda w: [],
    # analysis
    "warning": _once("warning", _warning),
    "district": lambda w: w["district"],
    "threshold": lambda w: 50,
}


def _case_input(w: World) -> Any:
    from shequ.cases.services import CaseInput

    return CaseInput(
        case_type="complaint",
        title="路灯不亮",
        description="二栋门口路灯坏了一周",
        channel="staff",
        building=w["b1"],
        reporter_name="李四",
        reporter_mobile="13987654321",
    )


def _portal_report(w: World) -> Any:
    from shequ.cases.portal_services import PortalReport

    # A building of compound1: not the stranger's compound.
    return PortalReport(category_code="99", case_type="", description="楼道灯坏了", building=str(w["b1"].public_id))


def _resident_input(w: World) -> Any:
    from shequ.registry.services import ResidentInput

    return ResidentInput(community=w["c1"], dwelling=w["d2"], name="赵六", id_type="none")


def _current_input(w: World) -> Any:
    from shequ.registry.services import resident_current_input

    return resident_current_input(w["zsf"])


def _party(w: World) -> Any:
    from shequ.disputes.services import PartyInput

    return PartyInput(kind="organisation", role="respondent", name="锦苑物业公司")


def _session(w: World) -> Any:
    from shequ.disputes.services import SessionInput

    return SessionInput(
        held_on=timezone.localdate(), place="社区调解室", attendees="双方当事人", summary="调解", outcome="达成一致"
    )


def _visit(w: World) -> Any:
    from shequ.disputes.services import VisitInput

    return VisitInput(visited_on=timezone.localdate(), method="phone", attitude="satisfied", honoured="yes")


def _owners(w: World) -> Any:
    from shequ.registry.services import OwnerInput

    return [OwnerInput(kind="person", share=Decimal(1), resident=w["lisi"])]


def _request_input(_w: World) -> Any:
    from shequ.open311.services import RequestInput

    return RequestInput(service_code="99", lat="30.64", long="104.04", description="路灯不亮")


def _notice(w: World) -> Any:
    from shequ.notices.models import Notice

    today = timezone.localdate()
    return Notice.objects.create(
        community=w["c1"],
        area_path=w["c1"].path,
        kind="resolution",
        title="关于增设充电桩的决议公示",
        body="经居民议事会讨论，决定增设充电桩。",
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        status="published",
        published_at=timezone.now(),
    )


def _objection(w: World) -> Any:
    from shequ.notices.models import Objection

    notice = _once("notice", _notice)(w)
    return Objection.objects.create(
        notice=notice, resident=w["zsf"], text="充电桩离单元门太近", channel="portal", received_on=notice.starts_on
    )


_NOTICE_CONTENT: dict[str, Callable[[World], Any]] = {
    "kind": lambda w: "resolution",
    "body": lambda w: "经居民议事会讨论，决定增设充电桩。",
    "starts_on": _today,
    "ends_on": lambda w: timezone.localdate() + dt.timedelta(days=6),
}


# Service -> {parameter: builder} where the parameter name is not enough (the rest come from DEFAULTS).
ARGUMENTS: dict[str, dict[str, Callable[[World], Any]]] = {
    "shequ.cases.approvals.case_request_change": {"kind": lambda w: "extend", "days": lambda w: 3},
    "shequ.cases.photo_services.photos_upload": {"kind": lambda w: "before"},
    "shequ.cases.onsite.case_resolve_on_the_spot": {"data": _case_input},
    "shequ.cases.onsite.case_report_on_patrol": {"data": _case_input},
    "shequ.cases.services.case_submit": {"data": _case_input},
    "shequ.cases.review_services.review_settings_update": {
        "community": lambda w: w["c1"],
        "case_types": lambda w: ["complaint", "help"],
    },
    "shequ.cases.portal_services.report_submit": {"report": _portal_report},
    "shequ.disputes.services.party_add": {"data": _party},
    "shequ.disputes.services.session_add": {"data": _session},
    "shequ.disputes.services.visit_add": {"data": _visit},
    "shequ.notices.services.notice_draft_create": _NOTICE_CONTENT,
    "shequ.notices.services.notice_draft_update": {**_NOTICE_CONTENT, "notice": _once("notice", _notice)},
    "shequ.notices.services.notice_publish": _NOTICE_CONTENT,
    "shequ.notices.services.notice_publish_draft": {"notice": _once("notice", _notice)},
    "shequ.notices.services.notice_withdraw": {"notice": _once("notice", _notice)},
    "shequ.notices.services.objection_file": {"notice": _once("notice", _notice)},
    "shequ.notices.services.objection_record": {
        "notice": _once("notice", _notice),
        "channel": lambda w: "phone",
        "received_on": _today,
    },
    "shequ.notices.services.objection_answer": {"objection": _once("objection", _objection), "answer": _text},
    "shequ.open311.services.api_client_set_rate_limit": {"name": lambda w: w.disabled_client.name},
    "shequ.open311.services.request_submit": {"data": _request_input},
    "shequ.registry.services.ownership_transfer": {"owners": _owners},
    "shequ.registry.services.resident_register": {"data": _resident_input},
    "shequ.registry.services.resident_update": {"data": _current_input},
}

# Services whose actor parameter is not called `actor`.
ACTOR_PARAMETERS: dict[str, str] = {
    "shequ.registry.imports.apply_batch": "worker",  # `actor_id` is the uploader the worker acts for
}

# The outsiders every marked service must refuse (labels used by the test and by OWN_ACCOUNT below).
STAFF_WITHOUT_ROLE = "staff without a role"
RESIDENT_ELSEWHERE = "resident of another street"
DISABLED_CLIENT = "disabled API client"

# Actions on the actor's own account or session: the outsider named here acts on their own, which is allowed,
# and the service takes no other target to point at someone else. Every other outsider is still refused.
OWN_ACCOUNT: dict[str, dict[str, str]] = {
    "shequ.accounts.services.password_change": {STAFF_WITHOUT_ROLE: "changes the actor's own password"},
    "shequ.accounts.services.session_register": {STAFF_WITHOUT_ROLE: "records the actor's own new session"},
    "shequ.accounts.services.token_issue": {STAFF_WITHOUT_ROLE: "issues the actor's own API token"},
    "shequ.accounts.services.totp_begin_enrolment": {STAFF_WITHOUT_ROLE: "starts the actor's own TOTP enrolment"},
    "shequ.accounts.services.totp_confirm_enrolment": {STAFF_WITHOUT_ROLE: "confirms the actor's own TOTP"},
    "shequ.notifications.services.mark_read": {STAFF_WITHOUT_ROLE: "marks the actor's own inbox read"},
    "shequ.notifications.services.preferences_update": {STAFF_WITHOUT_ROLE: "sets the actor's own preferences"},
    "shequ.portal.services.record_sign_out": {RESIDENT_ELSEWHERE: "the resident signs out of their own session"},
    "shequ.cases.portal_services.report_submit": {
        RESIDENT_ELSEWHERE: "a resident reports about their own home or compound; another compound's building is "
        "a ValidationError, never a case elsewhere (the staff and API-client outsiders are refused)"
    },
}

# Public functions of services modules that write nothing, with the reason.
READS_ONLY: dict[str, str] = {
    # accounts
    "shequ.accounts.services.second_factor_required": "reads the user's roles and TOTP flag",
    "shequ.accounts.services.totp_pending_secret_of": "decrypts a stored pending secret",
    "shequ.accounts.services.totp_secret_of": "decrypts a stored secret",
    # cases
    "shequ.cases.photo_services.photo_content": "reads a stored photo (thumbnail made in memory)",
    "shequ.cases.portal_services.anonymous_allowed": "reads a setting",
    "shequ.cases.portal_services.can_rate": "looks at the case status",
    "shequ.cases.portal_services.can_withdraw": "looks at the case status",
    "shequ.cases.portal_services.expected_answer": "reads the case's running deadline",
    "shequ.cases.portal_services.photo_for_reporter": "reads one photo of the resident's own case",
    "shequ.cases.portal_services.photos_for_reporter": "reads the photos of the resident's own case",
    "shequ.cases.portal_services.topic_by_code": "reads a community topic",
    "shequ.cases.portal_services.case_of": "reads one of the resident's own cases",
    "shequ.cases.portal_services.cases_of": "a queryset of the resident's own cases",
    "shequ.cases.portal_services.home_building": "reads the resident's dwelling",
    "shequ.cases.portal_services.leaf_categories": "a queryset of categories",
    "shequ.cases.portal_services.leaf_category": "reads one category",
    "shequ.cases.portal_services.other_buildings": "reads the buildings of the resident's compound",
    "shequ.cases.portal_services.status_label": "a label for a status",
    "shequ.cases.portal_services.timeline_of": "reads a case's transitions",
    "shequ.cases.public.compound_of": "reads the resident's compound",
    "shequ.cases.public.own_tracking_numbers": "reads which cases the resident reported",
    "shequ.cases.public.public_case": "reads one case by tracking number",
    "shequ.cases.public.public_cases_for": "reads public cases of the resident's compound or community",
    "shequ.cases.public.public_cases_in_community": "reads public cases of a community",
    "shequ.cases.public.public_cases_in_compound": "reads public cases of a compound",
    "shequ.cases.public.support_counts": "counts supports",
    "shequ.cases.review_services.answer_needs_review": "reads the community's review setting",
    "shequ.cases.review_services.held_answer": "reads the step holding an answer",
    "shequ.cases.review_services.review_types_of": "reads the community's review setting",
    "shequ.cases.reminders.dedupe_key": "formats a key",
    "shequ.cases.reminders.due_soon": "a queryset of cases near their deadline",
    "shequ.cases.transitions.lock_case": "SELECT ... FOR UPDATE of a case, inside the caller's transaction",
    "shequ.cases.transitions.parent_at_level_above": "walks the area tree",
    # notices
    "shequ.notices.services.min_days": "reads a setting",
    "shequ.cases.triage.case_triage_bulk_preview": "plans a bulk triage without writing (scoped read, `can` only)",
    # notifications
    "shequ.notifications.services.preference_of": "reads a preference (unsaved default when none)",
    "shequ.notifications.services.register_columns": "registers a ciphertext column with key rotation, in memory",
    # portal
    "shequ.portal.services.clean_code": "normalises typed digits",
    "shequ.portal.services.normalise_mobile": "validates a mobile number",
    "shequ.portal.services.seal_mobile": "encrypts a number for the session",
    "shequ.portal.services.unseal_mobile": "decrypts a sealed number",
    # registry
    "shequ.registry.disclosures.approvers_of": "reads who may approve an export request",
    "shequ.registry.disclosures.clean_reason": "validates a disclosure reason",
    "shequ.registry.disclosures.daily_limit": "reads a setting",
    "shequ.registry.disclosures.reason_label": "a label for a reason code",
    "shequ.registry.import_recovery.is_stale": "looks at a batch's heartbeat",
    "shequ.registry.import_recovery.max_recoveries": "reads a setting",
    "shequ.registry.import_recovery.stale_after": "reads a setting",
    "shequ.registry.imports.importable_communities": "a queryset of the actor's import communities",
    "shequ.registry.imports.open_bytes": "decrypts bytes in memory",
    "shequ.registry.imports.seal_bytes": "encrypts bytes in memory",
    "shequ.registry.imports.stored_uploads": "lists files on disk",
    "shequ.registry.services.care_tags_of": "decrypts a resident's tags",
    "shequ.registry.services.duplicate_of": "looks a document number up",
    "shequ.registry.services.normalise_input": "validates and normalises a ResidentInput in memory",
    "shequ.registry.services.resident_current_input": "decrypts a resident's particulars for a form",
    # territory
    "shequ.territory.services.boundaries_export": "reads boundaries into a FeatureCollection",
    "shequ.territory.services.boundary_overlaps": "computes overlaps of boundaries",
    "shequ.territory.services.locate_micro_grid": "finds the micro-grid of a point",
    "shequ.territory.services.micro_grid_index": "builds the in-process polygon index (a cache, no row)",
    "shequ.territory.services.overlap_messages": "formats overlap messages",
}

# Public functions that write but take no actor to check, each with the reason: sign-in steps (the person is not
# known yet: they are rate-limited or count failures, and audited) and internal steps that only marked services
# call after their own `require`.
WRITES_WITHOUT_ACTOR: dict[str, str] = {
    "shequ.accounts.services.authenticate_credentials": "sign-in: counts failures towards lockout, audited",
    "shequ.accounts.services.verify_second_factor": "sign-in second step: counts failures, audited",
    "shequ.accounts.services.token_authenticate": "API sign-in: stamps the token's last use",
    "shequ.portal.services.request_code": "portal sign-in: issues a code, rate-limited and audited",
    "shequ.portal.services.verify_code": "portal sign-in: checks a code, counting tries, audited",
    "shequ.portal.services.deliver_sms": "the SMS task sends a queued text; writes no row",
    "shequ.notifications.services.notify_users": "called by marked services after their check",
    "shequ.notifications.services.notify_area": "called by marked services after their check",
    "shequ.cases.transitions.apply_event": "internal step of the marked case transitions, after their check",
    "shequ.cases.transitions.record_note": "internal step of marked case services, after their check",
    "shequ.registry.disclosures.count_disclosure": "counts a disclosure inside marked reveal/export services",
    "shequ.registry.imports.delete_staged_rows": "cleanup step of the marked import services and worker",
    "shequ.registry.imports.delete_upload": "cleanup step of the marked import services and worker",
    "shequ.registry.imports.wipe_payloads": "cleanup step of the import worker after applying a batch",
}


# --- deliberation: objects of community c1, built directly (no actor check while building) ---------------------


def _body(w: World) -> Any:
    from shequ.deliberation.models import BodyRules
    from shequ.organisations.models import Unit

    body = Unit.objects.create(kind="residents_council", name="测试议事会", area=w["c1"])
    BodyRules.objects.create(body=body)
    return body


def _membership(w: World) -> Any:
    from shequ.deliberation.models import Membership

    body = _once("body", _body)(w)
    return Membership.objects.create(
        body=body, resident=w["zsf"], name="张三丰", role="chair", term_start=dt.date(2024, 1, 1)
    )


def _meeting(w: World) -> Any:
    from shequ.deliberation.models import Meeting

    return Meeting.objects.create(
        body=_once("body", _body)(w), title="议事会议", held_at=timezone.now(), place="议事厅"
    )


def _resolution(w: World) -> Any:
    from shequ.deliberation.models import Resolution

    meeting = _once("meeting", _meeting)(w)
    return Resolution.objects.create(
        meeting=meeting, title="决议", text="同意", members=1, present=1, yes=1, no=0, abstain=0,
        quorum_met=True, passed=True, explanation="通过",
    )  # fmt: skip


def _proposal(w: World) -> Any:
    from shequ.deliberation.models import Proposal

    return Proposal.objects.create(
        community=w["c1"], title="增设充电桩", description="小区增设电动车充电桩", source="resident",
        author_resident=w["zsf"], support_threshold=10, submitted_at=timezone.now(),
    )  # fmt: skip


def _proposal_comment(w: World) -> Any:
    from shequ.deliberation.models import ProposalComment

    return ProposalComment.objects.create(
        proposal=_once("proposal", _proposal)(w), author_resident=w["zsf"], text="支持"
    )


def _meeting_request(w: World) -> Any:
    from shequ.deliberation.models import MeetingRequest

    return MeetingRequest.objects.create(community=w["c1"], basis="residents", subject="停车管理", entitled=10)


def _deliberation_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from shequ.deliberation import services as s

    body = {"body": _once("body", _body)}
    meeting = {"meeting": _once("meeting", _meeting)}
    proposal = {"proposal": _once("proposal", _proposal)}
    request = {"request": _once("meeting_request", _meeting_request)}
    return {
        "shequ.deliberation.services.body_create": {"kind": lambda w: "residents_council"},
        "shequ.deliberation.services.body_rules_update": {**body, "data": lambda w: s.RulesInput()},
        "shequ.deliberation.services.member_add": {
            **body,
            "data": lambda w: s.MemberInput(role="member", term_start=dt.date(2024, 1, 1), name="赵六"),
        },
        "shequ.deliberation.services.member_leave": {"membership": _once("membership", _membership)},
        "shequ.deliberation.services.group_create": {"data": lambda w: s.GroupInput(name="第一居民小组")},
        "shequ.deliberation.services.meeting_create": {
            **body,
            "data": lambda w: s.MeetingInput(title="议事会议", held_at=timezone.now(), place="议事厅"),
        },
        "shequ.deliberation.services.agenda_add": meeting,
        "shequ.deliberation.services.attendance_record": {**meeting, "present_ids": lambda w: []},
        "shequ.deliberation.services.minutes_save": {**meeting, "minutes": _text},
        "shequ.deliberation.services.resolution_record": {
            **meeting,
            "data": lambda w: s.ResolutionInput(title="决议", text="同意", votes={}),
        },
        "shequ.deliberation.services.resolution_publish": {"resolution": _once("resolution", _resolution)},
        "shequ.deliberation.services.meeting_request_open": {"basis": lambda w: "residents", "subject": _text},
        "shequ.deliberation.services.meeting_request_support": {**request, "resident": lambda w: w["lisi"]},
        "shequ.deliberation.services.meeting_request_convene": request,
        "shequ.deliberation.services.residents_meeting_record": {
            "data": lambda w: s.ResidentsMeetingInput(
                held_on=timezone.localdate(), subject="停车管理", basis="residents", present=1, yes=1
            )
        },
        "shequ.deliberation.proposal_services.proposal_support": proposal,
        "shequ.deliberation.proposal_services.proposal_comment": proposal,
        "shequ.deliberation.proposal_services.comment_hide": {"comment": _once("comment", _proposal_comment)},
        "shequ.deliberation.proposal_services.proposal_decline": proposal,
        "shequ.deliberation.proposal_services.proposal_defer": proposal,
        "shequ.deliberation.proposal_services.proposal_withdraw": proposal,
        "shequ.deliberation.proposal_services.progress_add": proposal,
        "shequ.deliberation.proposal_services.proposal_complete": proposal,
    }


ARGUMENTS.update(_deliberation_arguments())


# --- votes: an opened vote of compound1 (c1), built through its services as c1's community worker ---------------


def _vote(w: World) -> Any:
    from shequ.votes import services as votes

    item = votes.ItemInput(kind="ordinary", title="续聘物业服务企业")
    vote = votes.vote_create(
        actor=w["registrar1"],
        compound=w["compound1"],
        title="业主表决",
        description="",
        closes_at=timezone.now() + dt.timedelta(days=14),
        items=[item],
    )
    return votes.vote_open(actor=w["registrar1"], vote=vote)


def _vote_owner(w: World) -> Any:
    return _once("vote", _vote)(w).owners.order_by("pk").first()


def _paper_ballot(w: World) -> Any:
    from shequ.votes import services as votes

    owner = _once("vote_owner", _vote_owner)(w)
    return votes.paper_enter(actor=w["registrar1"], owner=owner, choices={1: "agree"}, upload=_png(w))


def _votes_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from shequ.votes import services as votes

    vote = {"vote": _once("vote", _vote)}
    owner = {"owner": _once("vote_owner", _vote_owner), "choices": lambda w: {1: "agree"}}
    ballot = {"ballot": _once("paper_ballot", _paper_ballot)}
    return {
        "shequ.votes.services.vote_create": {
            "closes_at": lambda w: timezone.now() + dt.timedelta(days=14),
            "items": lambda w: [votes.ItemInput(kind="ordinary", title="续聘物业服务企业")],
        },
        "shequ.votes.services.vote_open": vote,
        "shequ.votes.services.vote_close": vote,
        "shequ.votes.services.ballot_cast": owner,
        "shequ.votes.services.ballot_change": owner,
        "shequ.votes.services.proxy_register": {"owner": owner["owner"], "proxy": lambda w: w["lisi"]},
        "shequ.votes.services.paper_enter": owner,
        "shequ.votes.services.paper_confirm": ballot,
        "shequ.votes.services.paper_reject": ballot,
    }


ARGUMENTS.update(_votes_arguments())


# --- party: a branch of community c1 with one member, built directly (no actor check while building) -----------


def _party_org(w: World) -> Any:
    from shequ.organisations.models import Unit
    from shequ.party.models import PartyOrg

    unit = Unit.objects.create(kind="party_branch", name="第一党支部", area=w["c1"])
    org = PartyOrg.objects.create(unit=unit, level="branch", tree_path="tmp")
    org.tree_path = f"{org.pk}/"
    org.save(update_fields=["tree_path"])
    return org


def _party_member(w: World) -> Any:
    from shequ.party import encryption
    from shequ.party.models import PartyMember

    org = _once("party_org", _party_org)(w)
    return PartyMember.objects.create(
        org=org, status="probationary", joined_on=dt.date(2024, 5, 1), **encryption.name_fields("周一")
    )


def _party_post(w: World) -> Any:
    from shequ.party.models import Post

    member = _once("party_member", _party_member)(w)
    return Post.objects.create(
        org=member.org,
        member=member,
        post="secretary",
        term_starts_on=dt.date(2024, 6, 1),
        term_ends_on=dt.date(2027, 6, 1),
    )


def _party_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from shequ.party import services as s

    org = {"org": _once("party_org", _party_org)}
    member = {"member": _once("party_member", _party_member)}
    return {
        "shequ.party.services.org_create": {
            "data": lambda w: s.OrgInput(level="branch", name="第二党支部", area=w["c1"])
        },
        "shequ.party.services.member_add": {
            **org,
            "data": lambda w: s.MemberInput(name="吴二", status="probationary", joined_on=dt.date(2025, 1, 1)),
        },
        "shequ.party.services.member_make_full": {**member, "full_on": lambda w: dt.date(2025, 5, 1)},
        "shequ.party.services.member_transfer": {**member, "on": _today, "outside_org": lambda w: "某公司党支部"},
        "shequ.party.services.member_reveal": {**member, "reason": lambda w: "核对联系方式"},
        "shequ.party.services.post_assign": {
            **org,
            **member,
            "post": lambda w: "secretary",
            "term_starts_on": lambda w: dt.date(2024, 6, 1),
            "term_ends_on": lambda w: dt.date(2027, 6, 1),
        },
        "shequ.party.services.post_end": {"post": _once("party_post", _party_post), "on": _today},
        "shequ.party.services.meeting_record": {
            **org,
            "data": lambda w: s.MeetingInput(kind="lesson", held_on=timezone.localdate(), topic="党课"),
        },
    }


ARGUMENTS.update(_party_arguments())


# --- party: 双报到 of resident zsf (c1) and a hub on m111, built directly -----------------------------------------


def _inservice(w: World) -> Any:
    from shequ.party import encryption
    from shequ.party.models import InServiceMember

    return InServiceMember.objects.create(
        resident=w["zsf"],
        community=w["c1"],
        own_org_name="某局机关党支部",
        employer="某局",
        registered_on=dt.date(2025, 1, 1),
        **encryption.name_fields("张三丰"),
    )


def _need(w: World) -> Any:
    from shequ.party.models import ServiceNeed

    return ServiceNeed.objects.create(
        community=w["c1"], title="课业辅导", kind="tutoring", wanted=3, open_from=dt.date(2025, 1, 1)
    )


def _claim(w: World) -> Any:
    from shequ.party.models import NeedClaim

    return NeedClaim.objects.create(
        need=_once("need", _need)(w), member=_once("inservice", _inservice)(w), claimed_at=timezone.now()
    )


def _entry(w: World) -> Any:
    from shequ.party.models import ServiceEntry

    return ServiceEntry.objects.create(
        member=_once("inservice", _inservice)(w), served_on=dt.date(2025, 2, 1), hours=2, content="辅导作业"
    )


def _hub(w: World) -> Any:
    from shequ.party.models import Hub, HubLink

    host = _once("party_member", _party_member)(w)
    hub = Hub.objects.create(area=w["m111"], org=host.org, host=host, name="中心户", since=dt.date(2025, 1, 1))
    HubLink.objects.create(hub=hub, member=host)
    return hub


def _hub_link(w: World) -> Any:
    from shequ.party import encryption
    from shequ.party.models import HubLink, PartyMember

    hub = _once("hub", _hub)(w)
    other = PartyMember.objects.create(
        org=hub.org,
        status="full",
        joined_on=dt.date(2010, 1, 1),
        full_on=dt.date(2011, 1, 1),
        **encryption.name_fields("郑三"),
    )
    return HubLink.objects.create(hub=hub, member=other)


def _hub_household(w: World) -> Any:
    from shequ.party.models import HubHousehold

    return HubHousehold.objects.create(link=_once("hub_link", _hub_link)(w), household=w["h1"])


def _party_service_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from decimal import Decimal

    from shequ.party import inservice_services as s

    member = {"member": _once("inservice", _inservice)}
    hub = {"hub": _once("hub", _hub)}
    return {
        "shequ.party.inservice_services.registration_create": {
            "data": lambda w: s.RegistrationInput(own_org_name="某局机关党支部", employer="某局")
        },
        "shequ.party.inservice_services.registration_end": {**member, "on": lambda w: None},
        "shequ.party.inservice_services.registration_reveal": {**member, "reason": lambda w: "出具反馈"},
        "shequ.party.inservice_services.need_publish": {
            "data": lambda w: s.NeedInput(title="走访慰问", kind="visits", wanted=2)
        },
        "shequ.party.inservice_services.need_close": {"need": _once("need", _need)},
        "shequ.party.inservice_services.need_claim": {**member, "need": _once("need", _need)},
        "shequ.party.inservice_services.claim_withdraw": {"claim": _once("claim", _claim)},
        "shequ.party.inservice_services.entry_record": {
            **member,
            "data": lambda w: s.EntryInput(served_on=timezone.localdate(), hours=Decimal("2"), content="辅导作业"),
        },
        "shequ.party.inservice_services.entry_confirm": {"entry": _once("entry", _entry)},
        "shequ.party.inservice_services.quarterly_record": {**member, "year": lambda w: 2025, "quarter": lambda w: 1},
        "shequ.party.hub_services.hub_create": {
            "area": lambda w: w["m111"],
            "host": _once("party_member", _party_member),
            "name": lambda w: "中心户",
        },
        "shequ.party.hub_services.hub_link": {**hub, "member": _once("party_member", _party_member)},
        "shequ.party.hub_services.hub_unlink": {"link": _once("hub_link", _hub_link)},
        "shequ.party.hub_services.hub_household_add": {"link": _once("hub_link", _hub_link)},
        "shequ.party.hub_services.hub_household_remove": {"row": _once("hub_household", _hub_household)},
        "shequ.party.hub_services.hub_end": hub,
    }


ARGUMENTS.update(_party_service_arguments())


# --- volunteers: zsf of c1 as a volunteer, an activity of c1's residents' committee that took place yesterday with
# zsf signed up, a confirmed record and a pending correction, built directly (no actor check while building) ----


def _volunteer(w: World) -> Any:
    from shequ.volunteers import encryption
    from shequ.volunteers.models import Volunteer

    return Volunteer.objects.create(
        community=w["c1"],
        resident=w["zsf"],
        registered_on=dt.date(2025, 1, 1),
        **encryption.name_fields("张三丰"),
        **encryption.birth_fields(dt.date(1980, 1, 1)),
    )


def _volunteer_activity(w: World) -> Any:
    from shequ.organisations.models import Unit
    from shequ.volunteers.models import Activity

    unit = Unit.objects.create(kind="residents_committee", name="洗面桥社区居民委员会", area=w["c1"])
    start = timezone.now() - dt.timedelta(days=1)
    return Activity.objects.create(
        organiser=unit,
        community=w["c1"],
        title="社区环境清洁",
        content="清理公共区域",
        place="中心花园",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        slots=5,
    )


def _volunteer_signup(w: World) -> Any:
    from shequ.volunteers.models import Signup

    return Signup.objects.create(
        activity=_once("volunteer_activity", _volunteer_activity)(w),
        volunteer=_once("volunteer", _volunteer)(w),
        signed_up_at=timezone.now() - dt.timedelta(days=2),
    )


def _volunteer_record(w: World) -> Any:
    from shequ.volunteers.models import ServiceRecord

    signup = _once("volunteer_signup", _volunteer_signup)(w)
    return ServiceRecord.objects.create(
        volunteer=signup.volunteer,
        activity=signup.activity,
        organiser=signup.activity.organiser,
        title=signup.activity.title,
        served_on=timezone.localdate() - dt.timedelta(days=1),
        place="中心花园",
        content="清理公共区域",
        hours=Decimal("2"),
        confirmed_at=timezone.now(),
    )


def _volunteer_correction(w: World) -> Any:
    from shequ.volunteers.models import Correction

    record = _once("volunteer_record", _volunteer_record)(w)
    return Correction.objects.create(
        record=record, volunteer=record.volunteer, text="时长不对", asked_at=timezone.now()
    )


def _volunteers_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from shequ.volunteers import services as s

    volunteer = {"volunteer": _once("volunteer", _volunteer)}
    signup = {"signup": _once("volunteer_signup", _volunteer_signup)}
    return {
        "shequ.volunteers.services.volunteer_register": {
            "data": lambda w: s.VolunteerInput(community=w["c1"], name="李雷", birth_date=dt.date(1990, 1, 1))
        },
        "shequ.volunteers.services.volunteer_join": {"resident": lambda w: w["zsf"], "data": lambda w: s.JoinInput()},
        "shequ.volunteers.services.consent_record": {
            **volunteer,
            "data": lambda w: s.ConsentInput(guardian_name="张父", relation="父亲"),
        },
        "shequ.volunteers.services.entry_record": {
            **volunteer,
            "kind": lambda w: "training",
            "on": _today,
            "title": lambda w: "急救培训",
        },
        "shequ.volunteers.services.activity_create": {
            "data": lambda w: s.ActivityInput(
                organiser=_once("volunteer_activity", _volunteer_activity)(w).organiser,
                community=w["c1"],
                title="助老服务",
                content="陪伴老人",
                place="活动室",
                starts_at=timezone.now() + dt.timedelta(days=1),
                ends_at=timezone.now() + dt.timedelta(days=1, hours=2),
                slots=3,
            )
        },
        "shequ.volunteers.services.activity_change": {
            "activity": _once("volunteer_activity", _volunteer_activity),
            "event": lambda w: "close",
        },
        "shequ.volunteers.services.signup_create": {
            **volunteer,
            "activity": _once("volunteer_activity", _volunteer_activity),
        },
        "shequ.volunteers.services.signup_withdraw": signup,
        "shequ.volunteers.services.signup_mark_absent": signup,
        "shequ.volunteers.services.hours_confirm": {**signup, "hours": lambda w: Decimal("2")},
        "shequ.volunteers.services.correction_ask": {
            "record": _once("volunteer_record", _volunteer_record),
            "text": lambda w: "时长不对",
        },
        "shequ.volunteers.services.correction_answer": {
            "correction": _once("volunteer_correction", _volunteer_correction),
            "data": lambda w: s.AnswerInput(accept=False, answer="核实无误"),
        },
        "shequ.volunteers.services.proof_request": volunteer,
        "shequ.volunteers.services.proof_issue": volunteer,
    }


ARGUMENTS.update(_volunteers_arguments())


def _coordination_arguments() -> dict[str, dict[str, Callable[[World], Any]]]:
    from shequ.coordination.tests.service_args import coordination_arguments

    return coordination_arguments(_once)


ARGUMENTS.update(_coordination_arguments())
