"""The demo's owners' votes: in the compound of the demo's portal resident, one vote closed and published (with
its receipt list) and one open with a live tally, ballots cast online, by proxy and on paper, and paper ballots
waiting for the second person.

Everything goes through the votes services (permissions, validation, audit), back-dated with their ``now``
argument where a vote must already be over. The demo's portal resident is left to vote in the open vote.
"""

import io
import random
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from shequ.accounts.models import RoleAssignment
from shequ.core.actors import ResidentActor
from shequ.core.demo import DemoContext
from shequ.registry import selectors as registry_selectors
from shequ.territory.models import Compound

from . import selectors, services
from .domain import Choice
from .models import ElectorateMember, Vote
from .permissions import COMMUNITY_ROLES

TURNOUT = 0.78  # of the owners with a registered resident
PAPER_SHARE = 0.12


def _scan(label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 200), (250, 250, 245))
    ImageDraw.Draw(image).text((16, 16), f"ballot {label}", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")


def _compound(resident: Any) -> Compound | None:
    dwelling = getattr(resident, "dwelling", None)
    if dwelling is not None:
        return dwelling.building.compound
    return Compound.objects.filter(community__code="510107001002").order_by("code").first()


def _staff(compound: Compound) -> list[Any]:
    rows = RoleAssignment.objects.filter(role__in=COMMUNITY_ROLES, area=compound.community).select_related("user")
    return [a.user for a in rows.order_by("user_id")]


def _choices(rng: random.Random, candidates: list[str], lean: float) -> dict[int, Any]:
    def pick() -> str | None:
        roll = rng.random()
        if roll < 0.06:
            return None
        return Choice.AGREE if roll < lean else (Choice.OPPOSE if roll < lean + (1 - lean) / 2 else Choice.ABSTAIN)

    if not candidates:
        return {1: pick()}
    return {1: pick(), 2: pick(), 3: rng.sample(candidates, rng.choice([0, 1, 2, 3, 3, 3]))}


def _items(candidates: list[str]) -> list[services.ItemInput]:
    return [
        services.ItemInput(kind="ordinary", title="续聘现物业服务企业，合同期三年", text="物业费标准不变。"),
        services.ItemInput(
            kind="special", title="使用专项维修资金维修屋面防水", text="预算约四十二万元，按各栋专有部分面积分摊。"
        ),
        services.ItemInput(kind="election", title="选举第三届业主委员会委员", seats=3, candidates=candidates),
    ]


def _cast_all(
    vote: Vote, rng: random.Random, staff: list[Any], skip: Any, *, now: Any, lean: float, candidates: list[str]
) -> tuple[int, list[Any]]:
    """Cast about TURNOUT of the owners' ballots; some on paper. Returns (ballots, paper ballots)."""
    cast, paper = 0, []
    for owner in vote.owners.prefetch_related("members__resident").order_by("pk"):
        members = [m.resident for m in owner.members.all() if m.resident.status == "active"]
        if skip is not None and any(m.pk == skip.pk for m in members):
            continue
        if selectors.live_ballot(owner) is not None:  # the proxy's ballot, cast already
            continue
        if rng.random() > TURNOUT:
            continue
        choices = _choices(rng, candidates, lean)
        if not any(choices.values()):
            continue
        if not members or rng.random() < PAPER_SHARE:
            ballot = services.paper_enter(
                actor=staff[0], owner=owner, choices=choices, upload=_scan(owner.label), now=now
            )
            paper.append(ballot)
        else:
            services.ballot_cast(actor=ResidentActor(rng.choice(members)), owner=owner, choices=choices, now=now)
        cast += 1
    return cast, paper


def seed(ctx: DemoContext) -> None:
    """Two votes in the portal resident's compound: last month's, closed and published; this fortnight's, open."""
    resident = registry_selectors.demo_portal_resident()
    compound = _compound(resident)
    if compound is None:
        return
    staff = _staff(compound)
    if not staff:
        return
    rng = ctx.fresh_rng(278)
    now = timezone.now()
    candidates = [ctx.person_name() for _ in range(5)]
    candidates = list(dict.fromkeys(candidates))

    # Last month's vote, over and published.
    start = now - timedelta(days=40)
    past = services.vote_create(
        actor=staff[0],
        compound=compound,
        title=f"{compound.name}关于增设电动自行车充电设施的业主共同决定",
        description="书面征求意见，逾期未表决的不计入同意。",
        closes_at=now - timedelta(days=20),
        items=[services.ItemInput(kind="ordinary", title="在2栋北侧增设电动自行车集中充电设施")],
        now=start,
    )
    services.vote_open(actor=staff[0], vote=past, now=start)
    closed_cast, paper = _cast_all(past, rng, staff, None, now=start + timedelta(days=3), lean=0.7, candidates=[])
    confirmer = staff[-1]
    for ballot in paper:
        if confirmer.pk != ballot.entered_by_id:
            services.paper_confirm(actor=confirmer, ballot=ballot, now=start + timedelta(days=4))
        else:
            services.paper_reject(actor=confirmer, ballot=ballot, reason="演示：无第二位工作人员复核")
    services.vote_close(actor=staff[0], vote=past, now=now)

    # This fortnight's vote, open, with a live tally; the portal resident has not voted yet.
    current = services.vote_create(
        actor=staff[0],
        compound=compound,
        title=f"{compound.name}2026年度业主大会",
        description="续聘物业、维修屋面防水、选举业主委员会。截止前可在居民端修改选票。",
        closes_at=now + timedelta(days=14),
        items=_items(candidates),
    )
    services.vote_open(actor=staff[0], vote=current)
    # The developer's stock (or a dwelling without an owner of record) votes through a proxy with a written
    # authorisation.
    orphan = current.owners.filter(members__isnull=True).order_by("pk").first()
    helper = ElectorateMember.objects.filter(owner__vote=current).exclude(resident=resident).order_by("pk").first()
    if orphan is not None and helper is not None:
        services.proxy_register(actor=staff[0], owner=orphan, proxy=helper.resident, upload=_scan("proxy"))
        services.ballot_cast(
            actor=ResidentActor(helper.resident), owner=orphan, choices=_choices(rng, candidates, 0.8) | {1: "agree"}
        )
    open_cast, paper = _cast_all(current, rng, staff, resident, now=now, lean=0.8, candidates=candidates)
    for ballot in paper[: len(paper) // 2]:
        if confirmer.pk != ballot.entered_by_id:
            services.paper_confirm(actor=confirmer, ballot=ballot)
    ctx.put("votes.open_vote", current)
    ctx.counts["votes"] = 2
    ctx.counts["vote_ballots"] = closed_cast + open_cast
