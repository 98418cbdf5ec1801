"""The owners' votes, deliberation and public notices of the access matrix's world (test_api_access_matrix.py).

Per cluster (micro-grid), made through the services by a community worker of the cluster's community: a
published notice with an objection, and a draft notice; four votes of the cluster's compound (open with a paper
ballot waiting for confirmation, open without ballots, a draft, and a closed one, whose result is also a
notice); a council with one member, a meeting with its attendance, a proposal with a staff comment, a residents'
group and a residents' meeting request.
"""

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.deliberation import proposal_services as deliberation_proposals
from shequ.deliberation import services as deliberation_services
from shequ.deliberation.models import Proposal, ProposalComment, Resolution
from shequ.notices import services as notices_services
from shequ.notices.models import Notice, Objection
from shequ.votes import selectors as votes_selectors
from shequ.votes import services as votes_services
from shequ.votes.models import Ballot, ProxyAuthorisation, Vote


def scan_upload() -> SimpleUploadedFile:
    """A scanned paper ballot (a PNG)."""
    return SimpleUploadedFile("ballot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")


def _vote(organiser: Any, compound: Any, title: str, closes: Any) -> Any:
    item = votes_services.ItemInput(kind="ordinary", title="续聘物业服务企业")
    return votes_services.vote_create(
        actor=organiser, compound=compound, title=title, description="", closes_at=closes, items=[item]
    )


def _notices(w: dict[str, Any], m: str, organiser: Any, today: Any) -> None:
    compound, community = w[m, "compounds"], w[m, "compounds"].community
    notice = notices_services.notice_publish(
        actor=organiser,
        area=community,
        compound=compound,
        kind="other",
        title=f"公示{m}",
        body="小区公共收益使用情况公示",
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    w[m, "notices"] = notice
    w[m, "objections"] = notices_services.objection_record(
        actor=organiser,
        notice=notice,
        resident=w[m, "residents"],
        text="公共收益金额有误",
        channel="paper",
        received_on=today,
    )
    w[m, "draft_notices"] = notices_services.notice_draft_create(
        actor=organiser,
        area=community,
        kind="other",
        title=f"草稿{m}",
        body="下月小区停水一天的公示说明",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=7),
    )


def _votes(w: dict[str, Any], m: str, organiser: Any, now: Any) -> None:
    compound = w[m, "compounds"]
    later = now + timedelta(days=14)
    w[m, "votes"] = votes_services.vote_open(actor=organiser, vote=_vote(organiser, compound, f"表决{m}", later))
    w[m, "label"] = votes_selectors.dwelling_label(w[m, "dwellings"])
    owner = votes_selectors.owner_by_dwelling(w[m, "votes"], w[m, "label"])
    w[m, "ballots"] = votes_services.paper_enter(
        actor=organiser, owner=owner, choices={1: "agree"}, upload=scan_upload()
    )
    w[m, "paper_votes"] = votes_services.vote_open(actor=organiser, vote=_vote(organiser, compound, f"纸质{m}", later))
    w[m, "draft_votes"] = _vote(organiser, compound, f"草稿{m}", later)
    closing = _vote(organiser, compound, f"已结束{m}", now + timedelta(hours=1))
    closing = votes_services.vote_open(actor=organiser, vote=closing)
    w[m, "closed_votes"] = votes_services.vote_close(actor=organiser, vote=closing, now=now + timedelta(hours=2))


def _deliberation(w: dict[str, Any], m: str, organiser: Any, today: Any, now: Any) -> None:
    community = w[m, "compounds"].community
    body = deliberation_services.body_create(
        actor=organiser, community=community, kind="residents_council", name=f"居民议事会{m}"
    )
    member = deliberation_services.member_add(
        actor=organiser,
        body=body,
        data=deliberation_services.MemberInput(role="chair", term_start=today, resident=w[m, "residents"]),
    )
    meeting = deliberation_services.meeting_create(
        actor=organiser,
        body=body,
        data=deliberation_services.MeetingInput(title=f"议事会议{m}", held_at=now, place="社区议事厅"),
    )
    deliberation_services.attendance_record(actor=organiser, meeting=meeting, present_ids=[member.public_id])
    w[m, "bodies"], w[m, "meetings"], w[m, "member"] = body, meeting, member
    w[m, "proposals"] = deliberation_proposals.proposal_submit(
        actor=organiser, community=community, title=f"议题{m}", description="增设充电桩", source="staff"
    )
    w[m, "comments"] = deliberation_proposals.proposal_comment(
        actor=organiser, proposal=w[m, "proposals"], text="建议先征求一楼住户意见"
    )
    w[m, "residents-groups"] = deliberation_services.group_create(
        actor=organiser, community=community, data=deliberation_services.GroupInput(name=f"居民小组{m}")
    )
    w[m, "meeting-requests"] = deliberation_services.meeting_request_open(
        actor=organiser, community=community, basis="households", subject=f"停车管理{m}"
    )


def build_governance(w: dict[str, Any], clusters: tuple[str, ...]) -> None:
    """Add the objects above to the world `w`, and per cluster every notice and vote id its lists may show."""
    today, now = timezone.localdate(), timezone.now()
    for m in clusters:
        organiser = staff("community_worker", w[m, "compounds"].community)
        _notices(w, m, organiser, today)
        _votes(w, m, organiser, now)
        _deliberation(w, m, organiser, today, now)
    for m in clusters:
        compound = w[m, "compounds"]
        w[m, "all", "notices"] = {str(n.public_id) for n in Notice.objects.filter(community=compound.community)}
        w[m, "all", "votes"] = {str(v.public_id) for v in Vote.objects.filter(compound=compound)}


def governance_state() -> tuple[Any, ...]:
    """What a write of these apps changes: statuses, counts and their audit records."""
    audits = AuditRecord.objects.filter(
        Q(action__startswith="notices.") | Q(action__startswith="votes.") | Q(action__startswith="deliberation.")
    )
    return (
        list(Notice.objects.order_by("id").values_list("status", flat=True)),
        list(Objection.objects.order_by("id").values_list("status", flat=True)),
        list(Vote.objects.order_by("id").values_list("status", flat=True)),
        list(Ballot.objects.order_by("id").values_list("status", flat=True)),
        ProxyAuthorisation.objects.count(),
        Proposal.objects.count(),
        list(ProposalComment.objects.order_by("id").values_list("hidden_at", flat=True)),
        Resolution.objects.count(),
        audits.count(),
    )
