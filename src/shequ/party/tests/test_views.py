"""Workbench pages of Party building: each renders for the community Party secretary; an organiser of another
branch, a street officer and a grid worker see only what their role allows (404 outside, members never shown
to viewers); forms answer in Chinese and keep what was typed; every reveal and export is audited."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shequ.accounts.tests.factories import PASSWORD, staff
from shequ.core.models import AuditRecord
from shequ.core.todos import todos_for
from shequ.party import selectors, services
from shequ.party.models import PartyMeeting, PartyMember, PartyOrg, Post
from shequ.party.tests.factories import make_party_world, member, members

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    """make_party_world() with branch1 holding 周华, 吴敏, 郑强 (full) and 冯军 (probationary), branch2 陈静 (full)."""
    w = make_party_world()
    sec = w["secretary"]
    w["full"] = members(sec, w["branch1"], 3)
    w["probationary"] = member(sec, w["branch1"], "冯军", status="probationary", mobile="13812345678")
    w["other"] = member(sec, w["branch2"], "陈静")
    return w


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _general_meeting(w, present, *, decisions=()):
    data = services.MeetingInput(
        kind="general",
        held_on=timezone.localdate(),
        topic="第二季度支部党员大会",
        present=present,
        decisions=[services.DecisionInput(title=t, votes_for=n) for t, n in decisions],
    )
    return services.meeting_record(actor=w["secretary"], org=w["branch1"], data=data)


def test_every_page_renders_for_the_secretary(client, w):
    """Each page answers 200 with its content; lists and forms included."""
    meeting = _general_meeting(w, w["full"][:2], decisions=[("增补支部委员", 2)])
    _login(client, w["secretary"])
    b1, m = w["branch1"], w["probationary"]
    pages = {
        reverse("party:home"): [
            "洗面桥社区党委",
            "锦苑小区1栋党小组",
            "正式党员 3 人，预备党员 1 人",
            "100.0%",
            "25.0%",
        ],
        reverse("party:due"): ["锦苑小区党支部", "主题党日"],
        reverse("party:org_detail", args=[b1.public_id]): ["周*", "冯*", "三会一课安排", "登记党员"],
        reverse("party:org_detail", args=[b1.public_id]) + "?status=probationary": ["冯*"],
        reverse("party:org_new") + f"?parent={b1.public_id}": ["设立党组织", "锦苑小区党支部（党支部）"],
        reverse("party:member_new", args=[b1.public_id]): ["入党日期"],
        reverse("party:member_detail", args=[m.public_id]): ["冯*", "138****5678", "登记转正", "查看原因"],
        reverse("party:post_new", args=[b1.public_id]): ["组织委员", "周*（正式党员）"],
        reverse("party:meeting_new", args=[b1.public_id]) + "?kind=lesson": ["支部党员大会", "缺席原因", "表决事项"],
        reverse("party:meeting_detail", args=[meeting.public_id]): ["增补支部委员", "可以作出决定"],
        reverse("party:meeting_list"): ["第二季度支部党员大会"],
        reverse("party:meeting_list") + "?kind=lesson": ["没有符合条件的组织生活记录。"],
    }
    for url, texts in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in texts:
            assert text in page, (url, text)
    assert "周华" not in client.get(reverse("party:org_detail", args=[b1.public_id])).content.decode()


def test_the_menu_offers_party_building_to_those_who_may_view_it(client, w):
    def menu(user):
        _login(client, user)
        return [item["key"] for item in client.get(reverse("party:home")).context["menu"]]

    assert "party" in menu(w["secretary"]) and "party" in menu(w["organiser1"]) and "party" in menu(w["street"])
    grid = staff("grid_worker", w["g11"], username="grid")
    _login(client, grid)
    assert "party" not in [item["key"] for item in client.get(reverse("web:home"), follow=True).context["menu"]]
    assert client.get(reverse("party:home")).status_code == 403


def test_an_organiser_of_another_branch_gets_404_and_writes_nothing(client, w):
    """organiser2 (branch2) reaches neither branch1's members, nor its meetings, nor the organisation itself."""
    meeting = _general_meeting(w, w["full"])
    _login(client, w["organiser2"])
    target = w["full"][0]
    audits = AuditRecord.objects.count()
    for url in (
        reverse("party:member_detail", args=[target.public_id]),
        reverse("party:org_detail", args=[w["branch1"].public_id]),
        reverse("party:org_export", args=[w["branch1"].public_id]),
        reverse("party:member_new", args=[w["branch1"].public_id]),
        reverse("party:meeting_new", args=[w["branch1"].public_id]),
        reverse("party:meeting_detail", args=[meeting.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    url = reverse("party:member_action", args=[target.public_id, "reveal"])
    assert client.post(url, {"reveal-reason": "核对信息"}).status_code == 404
    url = reverse("party:member_action", args=[target.public_id, "transfer"])
    assert client.post(url, {"transfer-outside_org": "外区党支部", "transfer-on": "2025-01-02"}).status_code == 404
    assert AuditRecord.objects.count() == audits
    assert PartyMember.objects.get(pk=target.pk).active is True
    # Their own branch they do see, with its member.
    page = client.get(reverse("party:org_detail", args=[w["branch2"].public_id])).content.decode()
    assert "陈*" in page and "周*" not in page


def test_a_street_officer_sees_organisations_and_coverage_never_members(client, w):
    """party.view without reach: the tree, health, posts and schedule; no counts, no member list, no records."""
    _login(client, w["street"])
    home = client.get(reverse("party:home"))
    page = home.content.decode()
    assert home.status_code == 200 and "锦苑小区党支部" in page and "25.0%" in page
    assert "正式党员 3 人" not in page and reverse("party:due") not in page
    detail = client.get(reverse("party:org_detail", args=[w["branch1"].public_id]))
    assert detail.status_code == 200 and "三会一课安排" in detail.content.decode()
    assert "周*" not in detail.content.decode() and "page" not in detail.context
    assert client.get(reverse("party:member_detail", args=[w["full"][0].public_id])).status_code == 404
    assert client.get(reverse("party:due")).status_code == 403
    assert client.get(reverse("party:meeting_list")).status_code == 403
    assert client.get(reverse("party:org_new")).status_code == 403


def test_member_form_answers_in_chinese_and_keeps_what_was_typed(client, w):
    _login(client, w["secretary"])
    url = reverse("party:member_new", args=[w["branch1"].public_id])
    response = client.post(url, {})
    assert response.status_code == 400 and "该字段是必填项。" in response.content.decode()
    typed = {"name": "李雷", "mobile": "1381234", "status": "full", "joined_on": "2015-07-01", "transferred_from": ""}
    response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 400
    assert "正式党员须填写转正日期" in page and "手机号码" in page
    assert 'value="李雷"' in page and 'value="1381234"' in page and 'value="2015-07-01"' in page
    assert PartyMember.objects.filter(org=w["branch1"]).count() == 4


def test_org_form_refuses_a_group_without_a_branch_and_keeps_the_name(client, w):
    _login(client, w["secretary"])
    data = {"level": "group", "name": "2栋党小组", "parent": str(w["committee"].public_id)}
    data["area"] = str(w["c1"].public_id)
    response = client.post(reverse("party:org_new"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "党小组不能设在党委之下，只能设在党支部之下" in page and 'value="2栋党小组"' in page
    assert not PartyOrg.objects.filter(unit__name="2栋党小组").exists()


def test_secretary_sets_up_a_group_under_a_branch(client, w):
    _login(client, w["secretary"])
    data = {
        "level": "group",
        "name": "锦苑小区2栋党小组",
        "parent": str(w["branch1"].public_id),
        "area": str(w["m112"].public_id),
        "compound": str(w["compound1"].public_id),
        "building": str(w["b2"].public_id),
    }
    response = client.post(reverse("party:org_new"), data)
    group = PartyOrg.objects.get(unit__name="锦苑小区2栋党小组")
    assert response.status_code == 302 and response.url == reverse("party:org_detail", args=[group.public_id])
    assert (group.parent, group.unit.building, group.tree_path) == (
        w["branch1"],
        w["b2"],
        f"{w['branch1'].tree_path}{group.pk}/",
    )


def test_meeting_form_keeps_attendance_reasons_and_decisions_on_an_error(client, w):
    """A decision row with a title and no votes is refused in Chinese; the ticks, reasons and text stay."""
    _login(client, w["secretary"])
    a, b, c = w["full"]
    data = {
        "kind": "general",
        "held_on": timezone.localdate().isoformat(),
        "topic": "支部党员大会",
        f"present_{a.public_id}": "on",
        f"reason_{b.public_id}": "出差",
        "d0_title": "发展对象",
    }
    response = client.post(reverse("party:meeting_new", args=[w["branch1"].public_id]), data)
    page = response.content.decode()
    assert response.status_code == 400 and "须填写赞成票数" in page
    assert 'value="出差"' in page and 'value="发展对象"' in page and 'value="支部党员大会"' in page
    assert f'name="present_{a.public_id}" id="id_present_{a.public_id}" checked' in page
    assert PartyMeeting.objects.count() == 0


def test_recording_a_general_meeting_shows_validity_and_decisions(client, w):
    """2 of 3 full members present (the probationary one does not count): the meeting decides; a matter with 2
    votes for passes (more than half of the 3 entitled), one with 1 does not."""
    _login(client, w["secretary"])
    a, b, c = w["full"]
    data = {
        "kind": "general",
        "held_on": timezone.localdate().isoformat(),
        "topic": "第三季度支部党员大会",
        f"present_{a.public_id}": "on",
        f"present_{b.public_id}": "on",
        f"present_{w['probationary'].public_id}": "on",
        f"reason_{c.public_id}": "外出务工",
        "d0_title": "接收预备党员",
        "d0_for": "2",
        "d2_title": "评议党员",
        "d2_for": "1",
        "d2_against": "1",
    }
    response = client.post(reverse("party:meeting_new", args=[w["branch1"].public_id]), data)
    meeting = PartyMeeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("party:meeting_detail", args=[meeting.public_id])
    assert (meeting.entitled, meeting.present, meeting.valid) == (3, 2, True)
    page = client.get(response.url).content.decode()
    assert "应到有表决权的正式党员 3 人，实到 2 人，超过半数，可以作出决定。" in page
    assert "赞成 2 票，超过应到会有表决权党员的半数（至少须 2 票），通过。" in page
    assert "赞成 1 票，未超过应到会有表决权党员的半数（至少须 2 票），未通过。" in page
    assert "外出务工" in page


def test_a_meeting_short_of_its_quorum_is_kept_and_marked(client, w):
    meeting = _general_meeting(w, w["full"][:1], decisions=[("换届", 1)])
    _login(client, w["secretary"])
    page = client.get(reverse("party:meeting_detail", args=[meeting.public_id])).content.decode()
    assert "不能作出决定" in page and "未超过半数（至少须到会 2 人）" in page
    listing = client.get(reverse("party:meeting_list")).content.decode()
    assert "1 / 3" in listing and "不能作出决定" in listing


def test_the_due_list_shows_exactly_the_to_do_count(client, w):
    """The home page's to-do links to a list of that many rows; recording a meeting takes one row away."""
    _login(client, w["secretary"])
    todo = {t.key: t for t in todos_for(w["secretary"])}["party.due"]
    response = client.get(todo.url)
    assert response.status_code == 200 and response.context["page"].paginator.count == todo.count
    assert todo.count == len(selectors.due_for(w["secretary"], timezone.localdate())) > 0
    _general_meeting(w, w["full"])
    after = {t.key: t for t in todos_for(w["secretary"])}["party.due"]
    assert after.count == todo.count - 1
    assert client.get(after.url).context["page"].paginator.count == after.count


def test_reveal_is_audited_and_shown_once(client, w):
    _login(client, w["secretary"])
    m = w["probationary"]
    url = reverse("party:member_action", args=[m.public_id, "reveal"])
    refused = client.post(url, {"reveal-reason": ""})
    assert refused.status_code == 400 and "该字段是必填项。" in refused.content.decode()
    assert not AuditRecord.objects.filter(action="party.member_revealed").exists()
    response = client.post(url, {"reveal-reason": "通知参加支部党员大会"})
    page = response.content.decode()
    assert response.status_code == 200 and "冯军" in page and "13812345678" in page
    assert "no-store" in response["Cache-Control"]
    record = AuditRecord.objects.get(action="party.member_revealed")
    assert (record.object_id, record.after) == (str(m.public_id), {"reason": "通知参加支部党员大会"})
    assert "冯军" not in client.get(reverse("party:member_detail", args=[m.public_id])).content.decode()


def test_make_full_and_transfer_out_from_the_member_page(client, w):
    _login(client, w["secretary"])
    m = w["probationary"]
    detail = client.get(reverse("party:member_detail", args=[m.public_id])).content.decode()
    assert "data-confirm=" in detail
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(reverse("party:member_action", args=[m.public_id, "make_full"]), {"full-full_on": day})
    assert response.status_code == 302
    assert PartyMember.objects.get(pk=m.pk).status == "full"
    url = reverse("party:member_action", args=[m.public_id, "transfer"])
    missing = client.post(url, {"transfer-on": day})
    assert missing.status_code == 400 and "须选择转入的党组织或填写外部党组织名称" in missing.content.decode()
    response = client.post(
        url, {"transfer-outside_org": "高新区某公司党支部", "transfer-on": day, "transfer-note": "工作调动"}
    )
    assert response.status_code == 302
    moved = PartyMember.objects.get(pk=m.pk)
    assert (moved.active, moved.left_on) == (False, date.fromisoformat(day))
    page = client.get(reverse("party:member_detail", args=[m.public_id])).content.decode()
    assert "已转出" in page and "高新区某公司党支部" in page and "form-transfer" not in page


def test_transfer_within_the_tree(client, w):
    _login(client, w["secretary"])
    m = w["full"][0]
    url = reverse("party:member_action", args=[m.public_id, "transfer"])
    response = client.post(url, {"transfer-to_org": str(w["branch2"].public_id), "transfer-on": "2025-03-01"})
    assert response.status_code == 302
    assert PartyMember.objects.get(pk=m.pk).org == w["branch2"]


def test_assign_and_end_a_post(client, w):
    _login(client, w["secretary"])
    b1, a = w["branch1"], w["full"][0]
    data = {
        "member": str(a.public_id),
        "post": "secretary",
        "term_starts_on": "2024-01-01",
        "term_ends_on": "2026-12-31",
    }
    response = client.post(reverse("party:post_new", args=[b1.public_id]), data, follow=True)
    page = response.content.decode()
    assert "已登记职务" in page and "不设支部委员会" not in page  # a small branch has a secretary: as prescribed
    committee = {**data, "member": str(w["full"][1].public_id), "post": "organisation"}
    page = client.post(reverse("party:post_new", args=[b1.public_id]), committee, follow=True).content.decode()
    assert "已登记职务" in page and "不设支部委员会" in page  # 3 full members: a committee is a warning, not a refusal
    post = Post.objects.get(org=b1, post="secretary")
    url = reverse("party:post_end", args=[b1.public_id, post.public_id])
    refused = client.post(url, {f"end-{post.public_id}-on": "2023-01-01"})
    assert refused.status_code == 400 and "离任日期须在任期开始之后且不晚于今天" in refused.content.decode()
    assert client.post(url, {f"end-{post.public_id}-on": "2025-01-01"}).status_code == 302
    assert Post.objects.get(pk=post.pk).ended_on == date(2025, 1, 1)


def test_export_masks_names_and_is_audited(client, w):
    _login(client, w["secretary"])
    response = client.get(reverse("party:org_export", args=[w["branch1"].public_id]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["姓名", "党员类别", "所在党组织", "入党日期", "转正日期", "手机号码"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["周*", "吴*", "郑*", "冯*"])
    assert ["冯*", "预备党员", "锦苑小区党支部"] == next(r[:3] for r in rows if r[0] == "冯*")
    assert "138****5678" in [r[5] for r in rows] and "13812345678" not in str(rows)
    record = AuditRecord.objects.get(action="party.members_exported")
    assert record.after == {"rows": 4}


def test_an_organiser_sets_up_a_group_only_under_what_they_reach(client, w):
    """organiser1 (branch1) is offered branch1 as parent, never the committee nor "no parent", and places within
    branch1's community; a top organisation without a parent is refused in Chinese."""
    _login(client, w["organiser1"])
    form = client.get(reverse("party:org_new")).context["form"]
    assert [label for _value, label in form.fields["parent"].choices] == ["请选择", "锦苑小区党支部（党支部）"]
    assert "洗面桥社区1网格1微网格" in [label for _value, label in form.fields["area"].choices]
    refused = client.post(
        reverse("party:org_new"), {"level": "branch", "name": "新支部", "area": str(w["c1"].public_id)}
    )
    assert refused.status_code == 400 and "该字段是必填项。" in refused.content.decode()
    data = {"level": "group", "name": "锦苑小区2栋党小组", "parent": str(w["branch1"].public_id)}
    data["area"] = str(w["m112"].public_id)
    assert client.post(reverse("party:org_new"), data).status_code == 302
    assert PartyOrg.objects.get(unit__name="锦苑小区2栋党小组").parent == w["branch1"]
