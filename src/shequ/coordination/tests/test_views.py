"""The workbench pages: who sees which page (404 outside, 403 for a reader's write), what they show, and the
forms that write through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequ.accounts.tests.factories import PASSWORD
from shequ.cases.tests.factories import submitted_case
from shequ.coordination import services
from shequ.coordination.models import ActorRole, FollowUp, JointMeeting
from shequ.coordination.tests.factories import CONTACT_MOBILE, meeting, state
from shequ.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_community_page_shows_centre_ring_and_masked_contacts(client, w):
    login(client, w["secretary"])
    meeting(w)
    response = client.get(reverse("coordination:community", args=[w["c1"].public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "洗面桥社区党委" in html and "书记：周*" in html
    assert "依法协助政府做好公共服务" in html and "李*" in html and "138****5678" in html
    assert CONTACT_MOBILE not in html and "李梅" not in html
    assert "尚未写明该单位在本社区的职责" in html  # the property company has no role yet
    assert "武侯区住房建设局" in html and "锦苑小区停车秩序整治" in html
    assert "登记联席会议" in html


def test_index_goes_straight_to_the_only_community(client, w):
    login(client, w["worker"])
    response = client.get(reverse("coordination:index"))
    assert response.status_code == 302
    assert response.url == reverse("coordination:community", args=[w["c1"].public_id])


def test_street_officer_reads_without_write_links(client, w):
    login(client, w["street"])
    html = client.get(reverse("coordination:community", args=[w["c1"].public_id])).content.decode()
    assert "洗面桥社区居民委员会" in html and "登记联席会议" not in html and "编辑职责" not in html
    url = reverse("coordination:meeting_new", args=[w["c1"].public_id])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["other_worker", "other_org_staff", "organiser1"])
def test_outsiders_get_404(client, w, who):
    login(client, w[who])
    m = meeting(w)
    assert client.get(reverse("coordination:community", args=[w["c1"].public_id])).status_code == 404
    assert client.get(reverse("coordination:meeting_detail", args=[m.public_id])).status_code == 404


def test_org_staff_of_a_present_unit_reads(client, w):
    login(client, w["org_staff"])
    m = meeting(w)
    assert client.get(reverse("coordination:community", args=[w["c1"].public_id])).status_code == 200
    response = client.get(reverse("coordination:meeting_detail", args=[m.public_id]))
    assert response.status_code == 200 and "立案" not in response.content.decode()


def test_role_edit(client, w):
    login(client, w["worker"])
    url = reverse("coordination:role_edit", args=[w["c1"].public_id, w["property"].public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"responsibilities": "小区保洁、绿化、秩序维护", "contact_name": "王强", "contact_mobile": "139 0000 1111"}
    )
    assert response.status_code == 302
    role = ActorRole.objects.get(unit=w["property"])
    assert (role.responsibilities, role.contact_name_masked, role.contact_mobile_masked) == (
        "小区保洁、绿化、秩序维护",
        "王*",
        "139****1111",
    )
    bad = client.post(url, {"responsibilities": "", "contact_mobile": "12"})
    assert bad.status_code == 400 and "手机号码" in bad.content.decode()
    other = reverse("coordination:role_edit", args=[w["c1"].public_id, w["rc2"].public_id])
    assert client.get(other).status_code == 404  # a unit of another community is not offered


def test_reveal(client, w):
    login(client, w["worker"])
    url = reverse("coordination:role_reveal", args=[w["role_rc"].public_id])
    assert client.post(url, {"reveal-reason": ""}).status_code == 400
    response = client.post(url, {"reveal-reason": "通知参加联席会议"})
    assert response.status_code == 200 and CONTACT_MOBILE in response.content.decode()
    assert AuditRecord.objects.filter(action="coordination.contact_revealed").count() == 1
    login(client, w["street"])
    assert client.post(url, {"reveal-reason": "看看"}).status_code == 403


def test_meeting_new_and_follow_up_actions(client, w):
    login(client, w["secretary"])
    url = reverse("coordination:meeting_new", args=[w["c1"].public_id])
    page = client.get(url)
    assert page.status_code == 200 and "洗面桥社区党委" in page.content.decode()
    today = timezone.localdate()
    body = {
        "held_on": today.isoformat(),
        "topic": "电梯加装协调",
        "convened_by": str(w["committee"].unit.public_id),
        "participants": [str(w["committee"].unit.public_id), str(w["rc"].public_id), str(w["department"].public_id)],
        "minutes": "住建局介绍政策，居委会摸底意愿。",
        "f0_text": "摸底加装意愿",
        "f0_lead": str(w["rc"].public_id),
        "f0_due": (today + timedelta(days=30)).isoformat(),
        "f1_text": "",
    }
    bad = client.post(url, {**body, "participants": [str(w["committee"].unit.public_id)], "minutes": ""})
    assert bad.status_code == 400 and JointMeeting.objects.count() == 0
    assert "联席会议至少须有两个单位参加" in bad.content.decode()
    response = client.post(url, body)
    assert response.status_code == 302
    m = JointMeeting.objects.get()
    f = FollowUp.objects.get()
    assert (f.text, f.lead_unit, m.participants.count()) == ("摸底加装意愿", w["rc"], 3)
    action = reverse("coordination:follow_up_action", args=[f.public_id, "case"])
    assert client.post(action, {f"case-{f.public_id}-case_type": "help"}).status_code == 302
    f.refresh_from_db()
    assert f.kind == "case" and f.case.title == "摸底加装意愿"
    before = state()
    again = client.post(action, {f"case-{f.public_id}-case_type": "help"})
    assert again.status_code == 400 and state() == before
    detail = client.get(reverse("coordination:meeting_detail", args=[m.public_id])).content.decode()
    assert f.case.tracking_number in detail
    done = reverse("coordination:follow_up_action", args=[f.public_id, "done"])
    body = {f"done-{f.public_id}-done_on": today.isoformat(), f"done-{f.public_id}-result": "已摸底 36 户"}
    assert client.post(done, body).status_code == 302
    add = reverse("coordination:follow_up_add", args=[m.public_id])
    assert client.post(add, {"add-text": "召开业主意见征询会"}).status_code == 302
    assert FollowUp.objects.count() == 2
    assert client.post(reverse("coordination:follow_up_action", args=[f.public_id, "nope"])).status_code == 404


def test_lists_export_and_overdue(client, w):
    login(client, w["worker"])
    today = timezone.localdate()
    meeting(w, held_on=today - timedelta(days=40), due_on=today - timedelta(days=2))
    listing = client.get(reverse("coordination:meeting_list", args=[w["c1"].public_id]), {"q": "停车"})
    assert listing.status_code == 200 and "锦苑小区停车秩序整治" in listing.content.decode()
    empty = client.get(reverse("coordination:meeting_list", args=[w["c1"].public_id]), {"q": "不存在的"})
    assert "还没有联席会议记录" in empty.content.decode()
    overdue = client.get(reverse("coordination:overdue"))
    assert "重新划定停车位（第1项）" in overdue.content.decode()
    export = client.get(reverse("coordination:community_export", args=[w["c1"].public_id]))
    assert export.status_code == 200
    data = b"".join(export.streaming_content)
    assert data[:2] == b"PK"
    assert AuditRecord.objects.filter(action="coordination.actors_exported").count() == 1
    home = client.get("/")
    assert "逾期未办结的联席会议议定事项" in home.content.decode()


def test_case_page_links_back_to_the_joint_meeting(client, w):
    m = meeting(w)
    f = m.follow_ups.get()
    services.follow_up_to_case(actor=w["secretary"], follow_up=f)
    f.refresh_from_db()
    login(client, w["worker"])
    page = client.get(reverse("cases:case_detail", args=[f.case.public_id])).content.decode()
    assert 'id="case-joint-meeting"' in page and m.topic in page and f.text in page
    assert reverse("coordination:meeting_detail", args=[m.public_id]) in page
    plain = submitted_case(community=w["c1"], actor=w["secretary"])
    page = client.get(reverse("cases:case_detail", args=[plain.public_id])).content.decode()
    assert 'id="case-joint-meeting"' not in page
