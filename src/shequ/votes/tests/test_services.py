"""Vote services: the frozen electorate, casting online and by proxy, changing, paper ballots with a second
person's confirmation, closing and publishing; every refusal is in Chinese and writes nothing."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from shequ.core.actors import ResidentActor
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.registry.models import Ownership
from shequ.votes import counting, rules, selectors, services
from shequ.votes.models import Ballot, BallotChoice, ElectorateOwner, Publication, Vote

from .factories import CLOSES, draft, opened, owner_of, scan, vote_world

pytestmark = pytest.mark.django_db

AFTER_CLOSE = CLOSES + dt.timedelta(minutes=1)


@pytest.fixture
def w(clock):
    return vote_world()


@pytest.fixture
def vote(w):
    return opened(w)


def _rows() -> tuple[int, int, int]:
    return Ballot.objects.count(), BallotChoice.objects.count(), AuditRecord.objects.count()


def _cast(w, vote, who, label, choices=None):
    owner = owner_of(vote, label)
    return services.ballot_cast(
        actor=ResidentActor(w[who]), owner=owner, choices=choices or {1: "agree", 2: "agree", 3: ["王芳", "刘强"]}
    )


def test_opening_freezes_the_electorate_by_owner_key(w, vote):
    """Five owners hold 664.50 ㎡: one buyer of two dwellings, the co-owners, the developer's stock and the dwelling
    without an owner of record each count once; the register's later changes do not move the count."""
    assert (vote.status, vote.total_area, vote.total_owners) == ("open", Decimal("664.50"), 5)
    owners = {o.label: (o.area, o.owner_key.split(":")[0]) for o in ElectorateOwner.objects.filter(vote=vote)}
    assert owners == {
        "1栋1单元1-301、1栋1单元1-401": (Decimal("189.50"), "owners"),
        "1栋1单元1-501、1栋1单元1-601": (Decimal("190.00"), "developer"),
        "1栋1单元1-701": (Decimal("70.00"), "owners"),
        "2栋1单元1-502": (Decimal("120.00"), "owners"),
        "2栋1单元1-602": (Decimal("95.00"), "owners"),
    }
    assert [r.resident.name for r in owner_of(vote, "2栋1单元1-602").members.order_by("resident__name")] == [
        "李四",
        "赵六",
    ]
    Ownership.objects.filter(dwelling=w["d2"]).update(valid_to=dt.date(2026, 3, 1))  # sold after the vote opened
    tally = counting.vote_tally(vote)[0].tally
    assert (tally.total_area, tally.total_owners) == (Decimal("664.50"), 5)
    assert AuditRecord.objects.filter(action="votes.opened").get().after == {
        "electorate_on": "2026-03-16",
        "total_area": "664.50",
        "total_owners": 5,
    }


def test_an_owner_casts_online_and_the_tally_counts_it(w, vote):
    """The ballot counts at once with a 10-character receipt code; the audit keeps neither code nor choices."""
    ballot = _cast(w, vote, "zsf", "1栋1单元1-301")
    assert (ballot.channel, ballot.status, ballot.cast_by, len(ballot.receipt_code)) == (
        "online",
        "counted",
        w["zsf"],
        10,
    )
    assert set(ballot.receipt_code) <= set(rules.RECEIPT_ALPHABET)
    tally = counting.vote_tally(vote)[0].tally
    assert (tally.participating_area, tally.participating_owners, tally.agree_owners) == (Decimal("189.50"), 1, 1)
    assert tally.participation_area == Fraction(18950, 66450)
    record = AuditRecord.objects.get(action="votes.ballot_cast")
    assert ballot.receipt_code not in str(record.after) and record.after["channel"] == "online"


def test_a_non_owner_cannot_vote_and_nothing_is_written(w, vote):
    """王五 (another community) and 小明 (lives in d1, owns nothing) are refused in Chinese; no row, no audit."""
    before = _rows()
    for who in ("wang", "child"):
        with pytest.raises(PermissionDenied) as exc:
            _cast(w, vote, who, "1栋1单元1-301")
        assert exc.value.message == "您不是本次表决的业主，不能投票"
    assert _rows() == before


def test_a_second_ballot_of_the_same_owner_is_refused(w, vote):
    """One ballot per owner key: 赵六 votes for the co-owned dwelling, then 李四 cannot vote for it again."""
    _cast(w, vote, "zhao", "2栋1单元1-602")
    before = _rows()
    with pytest.raises(ValidationError) as exc:
        _cast(w, vote, "lisi", "2栋1单元1-602")
    assert exc.value.messages == ["您（或共有人、代理人）已为该房屋投票，不能重复投票；如需更改，请修改选票"]
    assert _rows() == before
    _cast(w, vote, "lisi", "2栋1单元1-502")  # 李四 alone is another owner
    assert Ballot.objects.filter(status="counted").count() == 2


def test_after_close_or_the_deadline_nothing_changes(w, vote, clock):
    """Past the deadline a cast is refused; after close too, and a change as well."""
    ballot = _cast(w, vote, "zsf", "1栋1单元1-301")
    clock.now = AFTER_CLOSE
    before = _rows()
    with pytest.raises(ValidationError) as exc:
        _cast(w, vote, "lisi", "2栋1单元1-502")
    assert exc.value.messages == ["表决已结束，不能再投票或修改选票"]
    services.vote_close(actor=w["cw1"], vote=vote)
    from shequ.notices.models import Notice  # the result is a public notice for the compound, linked back

    notice = Notice.objects.get(source_type="votes.vote", source_id=str(vote.public_id))
    assert (notice.kind, notice.status, notice.compound_id) == ("vote_result", "published", vote.compound_id)
    assert notice.title == f"业主表决结果：{vote.title}" and "1. " in notice.body
    with pytest.raises(ValidationError):
        services.ballot_change(actor=ResidentActor(w["zsf"]), owner=ballot.owner, choices={1: "oppose"})
    assert Ballot.objects.count() == before[0] and BallotChoice.objects.count() == before[1]


def test_bad_choices_are_refused(w, vote):
    """Too many candidates, an unknown candidate, an empty ballot and an unknown item are refused."""
    owner = owner_of(vote, "2栋1单元1-502")
    actor = ResidentActor(w["lisi"])
    cases = [
        ({3: ["王芳", "刘强", "陈静"]}, "“选举业主委员会委员”最多选 2 人，您选了 3 人"),
        ({3: ["张三"]}, "“选举业主委员会委员”中有不在候选人名单上的人"),
        ({1: None, 2: "", 3: []}, "选票没有对任何事项表决，请至少表决一项"),
        ({9: "agree"}, "选票中有不存在的表决事项"),
        ({1: "maybe"}, "“选聘新的物业服务企业”的表决意见无效"),
    ]
    for choices, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.ballot_cast(actor=actor, owner=owner, choices=choices)
        assert exc.value.message_dict == {"choices": [message]}
    assert Ballot.objects.count() == 0


def test_a_blank_item_is_not_taking_part(w, vote):
    """An item left blank does not count as participation in that item; the others do."""
    _cast(w, vote, "lisi", "2栋1单元1-502", {1: "agree", 2: None, 3: []})
    ordinary, special, election = counting.vote_tally(vote)
    assert (ordinary.tally.participating_owners, special.tally.participating_owners) == (1, 0)
    assert election.election.participating_owners == 0


def test_changing_a_ballot_voids_the_old_one_and_its_receipt(w, vote):
    """The old ballot is void (replaced), the new one counted with a new code; the tally counts only the new."""
    old = _cast(w, vote, "zsf", "1栋1单元1-301")
    new = services.ballot_change(
        actor=ResidentActor(w["zsf"]), owner=old.owner, choices={1: "oppose", 2: "abstain", 3: ["陈静"]}
    )
    old.refresh_from_db()
    assert (old.status, old.replaced_by, new.status) == ("void", new, "counted")
    assert new.receipt_code != old.receipt_code
    tally = counting.vote_tally(vote)[0].tally
    assert (tally.agree_owners, tally.oppose_owners) == (0, 1)
    assert selectors.ballot_answers(new) == {1: "oppose", 2: "abstain", 3: ["陈静"]}


def test_paper_ballot_counts_only_after_another_staff_member_confirms(w, vote):
    """Entered by cw1 it waits; cw1 cannot confirm it; cw2 confirms and it counts."""
    owner = owner_of(vote, "1栋1单元1-701")
    ballot = services.paper_enter(actor=w["cw1"], owner=owner, choices={1: "agree", 2: "oppose"}, upload=scan())
    assert (ballot.status, ballot.channel, ballot.entered_by) == ("pending", "paper", w["cw1"])
    assert counting.vote_tally(vote)[0].tally.participating_owners == 0
    assert list(selectors.confirmable_paper(w["cw1"])) == []
    assert list(selectors.confirmable_paper(w["cw2"])) == [ballot]
    before = _rows()
    with pytest.raises(PermissionDenied) as exc:
        services.paper_confirm(actor=w["cw1"], ballot=ballot)
    assert exc.value.message == "纸质选票须由录入人以外的另一位工作人员复核"
    assert _rows() == before
    services.paper_confirm(actor=w["cw2"], ballot=ballot)
    ballot.refresh_from_db()
    assert (ballot.status, ballot.confirmed_by) == ("counted", w["cw2"])
    tally = counting.vote_tally(vote)[0].tally
    assert (tally.participating_area, tally.agree_owners) == (Decimal("70.00"), 1)
    with pytest.raises(ValidationError) as exc:
        services.paper_confirm(actor=w["cw2"], ballot=ballot)
    assert exc.value.messages == ["该纸质选票已复核"]


def test_paper_ballot_needs_a_scan_and_a_rejected_one_lets_the_owner_vote_again(w, vote):
    owner = owner_of(vote, "1栋1单元1-701")
    with pytest.raises(ValidationError) as exc:
        services.paper_enter(actor=w["cw1"], owner=owner, choices={1: "agree"}, upload=None)
    assert exc.value.message_dict == {"scan": ["请上传扫描件（JPEG、PNG 或 PDF）"]}
    ballot = services.paper_enter(actor=w["cw1"], owner=owner, choices={1: "agree"}, upload=scan())
    with pytest.raises(ValidationError):
        services.paper_enter(actor=w["cw2"], owner=owner, choices={1: "agree"}, upload=scan())
    services.paper_reject(actor=w["cw2"], ballot=ballot, reason="签名与登记不符")
    again = services.paper_enter(actor=w["cw2"], owner=owner, choices={1: "oppose"}, upload=scan())
    assert again.status == "pending"


def test_a_proxy_casts_for_the_owner_who_authorised_them(w, vote):
    """One proxy per owner; the proxy (any registered resident) casts on the portal as channel proxy."""
    owner = owner_of(vote, "1栋1单元1-501")
    services.proxy_register(actor=w["cw1"], owner=owner, proxy=w["wang"], upload=scan("proxy.pdf"))
    with pytest.raises(ValidationError) as exc:
        services.proxy_register(actor=w["cw1"], owner=owner, proxy=w["child"], upload=scan())
    assert exc.value.message_dict == {"owner": ["该业主已登记代理人，每位业主只能委托一位代理人"]}
    ballot = services.ballot_cast(actor=ResidentActor(w["wang"]), owner=owner, choices={1: "oppose"})
    assert (ballot.channel, ballot.cast_by, ballot.proxy.proxy) == ("proxy", w["wang"], w["wang"])
    assert [o.label for o in selectors.owners_of_resident(w["wang"], vote)] == ["1栋1单元1-501、1栋1单元1-601"]


def test_staff_of_another_community_cannot_run_the_vote(w, vote):
    before = _rows()
    with pytest.raises(PermissionDenied):
        services.paper_enter(
            actor=w["cw_c2"], owner=owner_of(vote, "1栋1单元1-701"), choices={1: "agree"}, upload=scan()
        )
    with pytest.raises(PermissionDenied):
        services.vote_close(actor=w["street1"], vote=vote)
    assert _rows() == before


def test_close_waits_for_the_deadline_and_for_pending_paper(w, vote, clock):
    services.paper_enter(actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-701"), choices={1: "agree"}, upload=scan())
    with pytest.raises(ValidationError) as exc:
        services.vote_close(actor=w["cw1"], vote=vote)
    assert exc.value.messages == ["截止时间未到，不能提前结束表决"]
    clock.now = AFTER_CLOSE
    with pytest.raises(ValidationError) as exc:
        services.vote_close(actor=w["cw1"], vote=vote)
    assert exc.value.messages == ["还有 1 张纸质选票待复核，请先复核再结束表决"]
    assert Vote.objects.get(pk=vote.pk).status == "open" and Publication.objects.count() == 0


def _full_vote(w, vote, clock):
    """Four of five owners vote (one changes their mind, one on paper); then close."""
    old = _cast(w, vote, "zsf", "1栋1单元1-301", {1: "oppose", 2: "oppose", 3: ["陈静"]})
    services.ballot_change(
        actor=ResidentActor(w["zsf"]), owner=old.owner, choices={1: "agree", 2: "agree", 3: ["王芳", "刘强"]}
    )
    _cast(w, vote, "lisi", "2栋1单元1-502", {1: "agree", 2: "agree", 3: ["王芳"]})
    _cast(w, vote, "zhao", "2栋1单元1-602", {1: "oppose", 2: "agree", 3: ["王芳", "陈静"]})
    paper = services.paper_enter(
        actor=w["cw1"], owner=owner_of(vote, "1栋1单元1-501"), choices={1: "agree", 2: "oppose"}, upload=scan()
    )
    services.paper_confirm(actor=w["cw2"], ballot=paper)
    clock.now = AFTER_CLOSE
    return old, services.vote_close(actor=w["cw1"], vote=vote)


def test_published_receipts_recount_to_the_published_totals_and_the_old_receipt_is_void(w, vote, clock):
    """The published list (codes, areas, choices; no names, no dwellings) recounts with the engine to exactly the
    published results; the changed ballot's old code is void, the new one listed as cast."""
    old, vote = _full_vote(w, vote, clock)
    data = vote.publication.data
    assert rules.recount(data) == data["results"]
    assert len(data["receipts"]) == 4 and data["total_owners"] == 5 and data["total_area"] == "664.50"
    assert all(set(r) == {"code", "area", "choices"} for r in data["receipts"])
    assert "1栋" not in str(data["receipts"]) and "张三丰" not in str(data)
    assert data["results"]["1"]["passed"] is True  # 3 of 4 owners, 499.5 of 594.5 ㎡
    assert data["results"]["2"] == {
        "valid": True,
        "passed": False,  # the developer opposes: 3/4 of the owners agree, but only 404.5/594.5 of the area
        "participation": {"area": "1189/1329", "owners": "4/5"},
        "approval": {"area": "809/1189", "owners": "3/4"},
    }
    assert data["results"]["3"] == {"valid": False, "elected": [], "tie": []}  # 3 of 5 owners took part: < 2/3
    assert selectors.receipt_check(vote, old.receipt_code) == ("void", None)
    new = Ballot.objects.get(replaces=old)
    status, row = selectors.receipt_check(vote, new.receipt_code.lower())
    assert status == "listed" and row["choices"] == {"1": "agree", "2": "agree", "3": ["刘强", "王芳"]}
    assert selectors.receipt_check(vote, "0000000000") == ("unknown", None)
    assert data["explanations"]["1"][0].startswith("参与表决的专有部分面积占总面积 89.5%")


def test_a_recount_of_a_tampered_list_differs(w, vote, clock):
    _old, vote = _full_vote(w, vote, clock)
    data = dict(vote.publication.data)
    data["receipts"] = [dict(r, choices={**r["choices"], "1": "agree"}) for r in data["receipts"]]
    assert rules.recount(data)["1"] != data["results"]["1"]


def test_a_vote_by_name_publishes_results_without_receipts(w, clock):
    vote = opened(w, verifiable=False)
    ballot = _cast(w, vote, "zsf", "1栋1单元1-301")
    assert ballot.receipt_code == ""
    clock.now = AFTER_CLOSE
    vote = services.vote_close(actor=w["cw1"], vote=vote)
    assert vote.publication.data["receipts"] == [] and vote.publication.data["results"]["1"]["passed"] is False


def test_consent_item_is_answered_by_the_affected_owners_only(w):
    """§279: only the affected owners answer; the item passes only when every one of them consents."""
    extra = [services.ItemInput(kind="consent", title="1-701改为经营性用房", affected=[w["d4"], w["d2"]])]
    vote = services.vote_open(actor=w["cw1"], vote=draft(w, extra=extra))
    with pytest.raises(ValidationError) as exc:
        _cast(w, vote, "zhao", "2栋1单元1-602", {4: "agree"})
    assert exc.value.message_dict == {"choices": ["您不是“1-701改为经营性用房”的利害关系业主，无需表决此项"]}
    _cast(w, vote, "zsf", "1栋1单元1-301", {4: "agree"})
    consent = counting.vote_tally(vote)[3].consent
    assert (consent.passed, consent.consented, consent.missing) == (
        False,
        ["1栋1单元1-301、1栋1单元1-401"],
        ["2栋1单元1-502"],
    )
    _cast(w, vote, "lisi", "2栋1单元1-502", {4: "agree"})
    assert counting.vote_tally(vote)[3].consent.passed is True


def test_create_validates_items(w):
    with pytest.raises(ValidationError) as exc:
        services.vote_create(
            actor=w["cw1"],
            compound=w["compound1"],
            title="",
            description="",
            closes_at=CLOSES,
            items=[services.ItemInput(kind="election", title="选举", seats=3, candidates=["甲", "乙"])],
        )
    assert exc.value.message_dict == {
        "title": ["请填写标题（不超过100字）"],
        "items": ["第 1 项：应选人数须在 1 到候选人数之间"],
    }
    assert Vote.objects.count() == 0


def test_open_only_once(w, vote):
    with pytest.raises(ValidationError) as exc:
        services.vote_open(actor=w["cw1"], vote=vote)
    assert exc.value.messages == ["只有草稿状态的表决可以开始"]
