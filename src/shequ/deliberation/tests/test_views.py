"""Staff pages of deliberation and the residents' portal pages: each renders for those allowed, refuses others."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shequ.accounts.tests.factories import PASSWORD
from shequ.core.actors import ResidentActor
from shequ.deliberation import proposal_services, selectors, services
from shequ.deliberation.models import AgendaItem, ProgressUpdate, Proposal, ProposalSupport
from shequ.deliberation.tests.factories import council, make_case, meeting
from shequ.registry.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(client):
    t = make_world()
    t["cw"] = t["registrar1"]
    t["body"] = council(t["cw"], t["c1"], [t["zsf"], t["lisi"]], term_end=datetime.date(2030, 1, 1))
    t["meeting"] = meeting(t["cw"], t["body"])
    t["proposal"] = proposal_services.proposal_submit(
        actor=ResidentActor(t["zsf"]), community=t["c1"], title="增设充电桩", description="小区增设电动车充电桩"
    )
    return t


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def _portal(client, resident):
    session = client.session
    session["portal_resident"] = str(resident.public_id)
    session["portal_last_activity"] = int(timezone.now().timestamp())
    session.save()


def test_staff_pages_render_for_the_community_worker(client, w):
    """Lists and detail pages answer 200 with their content."""
    _login(client, w["cw"])
    pages = {
        reverse("deliberation:proposal_list"): "增设充电桩",
        reverse("deliberation:proposal_list") + "?status=completed": "没有符合条件的议题。",
        reverse("deliberation:proposal_detail", args=[w["proposal"].public_id]): "0 人附议，门槛 10 人",
        reverse("deliberation:body_list"): "居民议事会",
        reverse("deliberation:body_list") + "?queue=term_ending": "没有任期即将届满的议事机构。",
        reverse("deliberation:body_detail", args=[w["body"].public_id]): "张三丰",
        reverse("deliberation:meeting_detail", args=[w["meeting"].public_id]): "第一次议事会议",
        reverse("deliberation:group_list"): "还没有登记居民小组。",
        reverse("deliberation:request_list"): "还没有召开居民会议的提议。",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_staff_of_another_community_gets_404_and_cannot_write(client, w):
    _login(client, w["registrar2"])
    assert client.get(reverse("deliberation:body_detail", args=[w["body"].public_id])).status_code == 404
    url = reverse("deliberation:meeting_action", args=[w["meeting"].public_id, "agenda"])
    assert client.post(url, {"agenda-title": "其他事项"}).status_code == 404
    assert AgendaItem.objects.count() == 0


def test_worker_puts_a_proposal_on_the_agenda_records_attendance_and_a_resolution(client, w):
    _login(client, w["cw"])
    m = w["meeting"]
    url = reverse("deliberation:meeting_action", args=[m.public_id, "agenda"])
    response = client.post(url, {"agenda-proposal": str(w["proposal"].public_id)})
    assert response.status_code == 302
    members = list(selectors.serving_members(w["body"], timezone.localdate()))
    url = reverse("deliberation:meeting_action", args=[m.public_id, "attendance"])
    client.post(url, {"present": [str(x.public_id) for x in members]})
    item = AgendaItem.objects.get()
    url = reverse("deliberation:meeting_action", args=[m.public_id, "resolution"])
    data = {"resolution-agenda_item": str(item.public_id), "resolution-text": "同意增设充电桩"}
    data.update({f"resolution-vote_{x.public_id}": "yes" for x in members})
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("deliberation:meeting_detail", args=[m.public_id])).content.decode()
    assert "应到 2 人，实到 2 人" in page and "决议通过。" in page
    assert Proposal.objects.get().status == "adopted"


def test_case_page_panel_turns_a_case_into_a_proposal(client, w):
    case = make_case(w)
    _login(client, w["cw"])
    page = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert "转为议题" in page
    response = client.post(reverse("deliberation:case_to_proposal", args=[case.public_id]))
    assert response.status_code == 302
    assert Proposal.objects.get(case=case).source == "case"


def test_resident_submits_supports_and_comments_in_the_portal(client, w):
    _portal(client, w["lisi"])
    assert "增设充电桩" in client.get(reverse("portal:proposals")).content.decode()
    response = client.post(reverse("portal:proposal_new"), {"title": "楼道照明", "description": "更换楼道声控灯"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="楼道照明")
    assert proposal.source == "member"  # 李四 sits on the council
    client.post(reverse("portal:proposal_support", args=[w["proposal"].public_id]))
    assert ProposalSupport.objects.filter(proposal=w["proposal"], resident=w["lisi"]).count() == 1
    client.post(reverse("portal:proposal_comment", args=[w["proposal"].public_id]), {"text": "支持，很需要"})
    page = client.get(reverse("portal:proposal", args=[w["proposal"].public_id])).content.decode()
    assert "支持，很需要" in page and "已有 1 人附议" in page


def test_a_resident_of_another_community_sees_404(client, w):
    _portal(client, w["wang"])
    assert client.get(reverse("portal:proposal", args=[w["proposal"].public_id])).status_code == 404
    assert client.post(reverse("portal:proposal_support", args=[w["proposal"].public_id])).status_code == 404
    assert ProposalSupport.objects.count() == 0


def test_the_portal_requires_sign_in(client, w):
    assert client.get(reverse("portal:proposals")).status_code == 302


def test_requests_page_counts_support_against_the_threshold(client, w):
    request = services.meeting_request_open(actor=w["cw"], community=w["c1"], basis="residents", subject="停车管理")
    services.meeting_request_support(actor=w["cw"], request=request, resident=w["zsf"])
    _login(client, w["cw"])
    page = client.get(reverse("deliberation:request_detail", args=[request.public_id])).content.decode()
    assert "1，须达到 1（共 3）" in page


def _published(w):
    """w's proposal adopted at w's meeting and published, ready for progress."""
    item = services.agenda_add(actor=w["cw"], meeting=w["meeting"], proposal=w["proposal"])
    members = list(selectors.serving_members(w["body"], timezone.localdate()))
    services.attendance_record(actor=w["cw"], meeting=w["meeting"], present_ids=[str(m.public_id) for m in members])
    votes = {str(m.public_id): "yes" for m in members}
    data = services.ResolutionInput(title="", text="同意增设", votes=votes, agenda_item=item)
    resolution = services.resolution_record(actor=w["cw"], meeting=w["meeting"], data=data)
    services.resolution_publish(actor=w["cw"], resolution=resolution)


def _jpeg(name="site.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_progress_with_photos_is_shown_and_the_photo_served_only_in_scope(client, w):
    _published(w)
    _login(client, w["cw"])
    url = reverse("deliberation:proposal_action", args=[w["proposal"].public_id, "progress"])
    today = timezone.localdate().isoformat()
    fake = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    bad = client.post(url, {"progress-note": "已开工", "progress-day": today, "progress-photos": [fake]})
    assert bad.status_code == 400 and ProgressUpdate.objects.count() == 0
    assert "已开工" in bad.content.decode()  # what was typed is kept
    response = client.post(url, {"progress-note": "已开工", "progress-day": today, "progress-photos": [_jpeg()]})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    photo = update.photos.get()
    w["proposal"].refresh_from_db()
    assert w["proposal"].status == "in_progress"
    photo_url = reverse("deliberation:progress_photo", args=[w["proposal"].public_id, photo.public_id])
    detail = client.get(reverse("deliberation:proposal_detail", args=[w["proposal"].public_id])).content.decode()
    assert photo_url in detail
    served = client.get(photo_url)
    assert served.status_code == 200 and b"".join(served.streaming_content)[:3] == b"\xff\xd8\xff"
    client.logout()
    _login(client, w["registrar2"])
    assert client.get(photo_url).status_code == 404
