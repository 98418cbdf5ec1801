"""Resident portal cases: report with photos, my cases, case status, rating and withdrawal.

Residents sign in through the real SMS-code flow (the LocmemBackend is the outside world); staff move cases
through `cases.services`. Uploaded files go to a temporary MEDIA_ROOT. Messages are asserted exactly.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases import services as case_services
from shequ.cases.models import Case, CasePhoto, CaseTransition
from shequ.core.actors import ResidentActor
from shequ.portal.tests.test_portal import register, sign_in

pytestmark = pytest.mark.django_db

OTHER_MOBILE = "13998765432"
NOT_A_PHOTO = "“notes.jpg”不是照片：只能上传 JPEG、PNG 或 WebP 格式的图片。"
TOO_MANY = "最多只能上传 9 张照片。"
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, calendar, categories):
    """Official calendar, the shipped category tree with its community topics and a temporary media directory."""
    from shequ.cases.topics import topics_seed

    settings.MEDIA_ROOT = tmp_path / "media"
    topics_seed()


@pytest.fixture
def signed_in(client, resident, deliver, outbox):
    """The client signed in as 张建国 (1栋 of 锦苑小区)."""
    assert sign_in(client, deliver, outbox).url == "/portal/"
    return client


def jpeg_with_gps(name="street.jpg"):
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (30.0, 39.0, 0.0), 3: "E", 4: (104.0, 3.0, 0.0)}
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png(name):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def report(client, **overrides):
    data = {"category": "S01-01-001", "case_type": "", "description": "楼下消防通道被私家车长期占用", "building": ""}
    data.update(overrides)
    return client.post(reverse("portal:case_new"), data)


def staff_resolve(tree, case, reply="已联系车主挪车，并在通道口设置禁停标志。"):
    """A community worker accepts, dispatches to micro-grid m111, starts and resolves the case."""
    worker = staff("community_worker", tree["c1"])
    case_services.case_accept(actor=worker, case=case)
    case_services.case_dispatch(actor=worker, case=case, target=tree["m111"])
    case_services.case_start(actor=worker, case=case)
    case_services.case_resolve(actor=worker, case=case, reply=reply)
    if case.status == "answer_review":  # the community reviews complaints' answers first (issue 13)
        from shequ.cases import review_services

        review_services.answer_review(actor=worker, case=case, approve=True)
    return case


def test_report_page_has_search_draft_script_and_is_light(signed_in):
    """The report page asks for the description first, searches topics server-side and loads the draft and
    report scripts (static files, for the CSP); it stays small."""
    page = signed_in.get(reverse("portal:case_new"), {"q": "停车"})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index('id="description"') < body.index('name="topic"')
    topics = body.split('id="topics"')[1].split("</fieldset>")[0]
    assert 'value="parking"' in topics and "停车管理" in topics
    assert "噪音" not in topics
    assert '<script src="/static/portal/draft.js"></script>' in body
    assert '<script src="/static/portal/report.js"></script>' in body
    assert "我家所在楼栋（锦苑小区 1栋）" in body
    assert len(page.content) < 30_000


def test_login_page_stays_far_below_the_first_load_budget(client):
    """The sign-in page plus its one stylesheet weigh far less than the 200 KB first-load budget."""
    from django.contrib.staticfiles import finders

    html = client.get(reverse("portal:login")).content
    css = open(finders.find("portal/portal.css"), "rb").read()
    assert len(html) + len(css) < 20_000


def test_report_with_photo_creates_portal_case_without_exif(signed_in, resident, tree):
    """A report with a GPS-tagged JPEG: channel portal, reporter and number from the register, EXIF gone."""
    response = signed_in.post(
        reverse("portal:case_new"),
        {
            "category": "S01-01-001",
            "case_type": "",
            "description": "楼下消防通道被私家车长期占用",
            "building": "",
            "photos": [jpeg_with_gps()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == f"/portal/cases/{case.tracking_number}/?submitted=1"
    # The resident chose 乱停乱放; the intake still stores its own suggestion from the text for staff to see.
    assert (case.suggested_category.name, case.suggestion_source, case.needs_triage) == ("消防通道堵塞", "rules", False)
    assert (case.channel, case.reporter_id, case.reporter_name, case.reporter_mobile_masked) == (
        "portal",
        resident.pk,
        "张建国",
        "138****5678",
    )
    assert (case.case_type, case.category.code, case.building_id, case.micro_grid_id, case.anonymous) == (
        "complaint",
        "S01-01-001",
        tree["b1"].pk,
        tree["m111"].pk,
        False,
    )
    assert case.title == "楼下消防通道被私家车长期占用"
    photo = CasePhoto.objects.get()
    assert (photo.case_id, photo.kind, photo.public) == (case.pk, "report", False)
    assert photo.image.name.startswith("case-photos/") and photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as f, Image.open(f) as saved:
        assert saved.format == "JPEG"
        assert saved.size == (32, 24)
        assert dict(saved.getexif()) == {}
        assert saved.getexif().get_ifd(GPS_IFD) == {}
    page = signed_in.get(response.url).content.decode()
    assert f"提交成功，受理编号：{case.tracking_number}" in page
    assert '<script src="/static/portal/draft.js" data-clear-draft></script>' in page  # forgets the draft
    assert CaseTransition.objects.get(case=case).actor_label == f"resident:{resident.public_id}"


def test_type_and_another_building_of_the_compound(signed_in, tree):
    """The resident may change the type and place the report on another building of the same compound."""
    response = report(signed_in, case_type="suggestion", building=str(tree["b2"].public_id))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.case_type, case.building_id, case.micro_grid_id) == ("suggestion", tree["b2"].pk, tree["m112"].pk)


def test_building_of_another_compound_is_refused(signed_in, tree):
    """A building outside the resident's compound is refused and creates no case."""
    response = report(signed_in, building=str(tree["b3"].public_id))
    assert response.status_code == 400
    assert "请选择本小区的楼栋。" in response.content.decode()
    assert Case.objects.count() == 0


def test_fake_photo_is_refused_and_no_case_is_created(signed_in):
    """A text file named .jpg is refused by its content, with the message; nothing is stored."""
    fake = SimpleUploadedFile("notes.jpg", b"this is not a picture at all", content_type="image/jpeg")
    response = signed_in.post(
        reverse("portal:case_new"),
        {"category": "S01-01-001", "description": "楼下消防通道被私家车长期占用", "photos": [fake]},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert NOT_A_PHOTO in body
    assert "楼下消防通道被私家车长期占用" in body  # the text typed is kept
    assert (Case.objects.count(), CasePhoto.objects.count()) == (0, 0)


def test_ten_photos_are_refused(signed_in):
    """Nine photos is the limit; ten are refused and no case is created."""
    response = signed_in.post(
        reverse("portal:case_new"),
        {
            "category": "S01-01-001",
            "description": "楼下消防通道被私家车长期占用",
            "photos": [png(f"p{i}.png") for i in range(10)],
        },
    )
    assert response.status_code == 400
    assert TOO_MANY in response.content.decode()
    assert (Case.objects.count(), CasePhoto.objects.count()) == (0, 0)


def test_nine_png_photos_are_kept_as_png(signed_in):
    """Nine photos are accepted; PNG stays PNG."""
    response = signed_in.post(
        reverse("portal:case_new"),
        {
            "category": "S01-01-001",
            "description": "楼下消防通道被私家车长期占用",
            "photos": [png(f"p{i}.png") for i in range(9)],
        },
    )
    assert response.status_code == 302
    assert CasePhoto.objects.count() == 9
    assert all(p.image.name.endswith(".png") for p in CasePhoto.objects.all())


def test_missing_category_is_refused(signed_in):
    """Without a topic nothing is created and the resident is asked to choose one (or 其他 / 不确定)."""
    response = report(signed_in, category="")
    assert response.status_code == 400
    assert "请选择话题，或选择“其他 / 不确定”。" in response.content.decode()
    assert Case.objects.count() == 0


def test_anonymous_report_keeps_no_reporter(signed_in):
    """An anonymous report carries no reporter; the tracking number is shown on the success page."""
    response = report(signed_in, anonymous="1")
    case = Case.objects.get()
    assert response.status_code == 200
    assert f"受理编号：{case.tracking_number}" in response.content.decode()
    assert (case.anonymous, case.reporter_id, case.reporter_name, case.reporter_mobile_masked) == (True, None, "", "")


def test_anonymous_report_refused_when_switched_off(signed_in, settings):
    """With SHEQU_ALLOW_ANONYMOUS_REPORTS off the checkbox is gone and an anonymous post is refused."""
    settings.SHEQU_ALLOW_ANONYMOUS_REPORTS = False
    assert "匿名反映" not in signed_in.get(reverse("portal:case_new")).content.decode()
    response = report(signed_in, anonymous="1")
    assert response.status_code == 400
    assert "本地未开放匿名反映。" in response.content.decode()
    assert Case.objects.count() == 0


def test_pages_need_sign_in(client):
    """Signed-out visitors are sent to the sign-in page."""
    assert client.get(reverse("portal:case_new")).url == "/portal/login/"
    assert client.get(reverse("portal:cases")).url == "/portal/login/"


def test_my_cases_lists_only_own_and_others_are_404(signed_in, tree, worker):
    """我的反映 lists the resident's own cases newest first; another resident's case answers 404."""
    report(signed_in, description="第一件：楼道灯坏了很久")
    report(signed_in, description="第二件：楼下垃圾没人清运")
    other = register(tree, worker, "王小红", mobile=OTHER_MOBILE)
    others = case_services.case_submit(
        actor=ResidentActor(other),
        data=case_services.CaseInput(
            case_type="help",
            title="别人的诉求",
            description="别人的诉求内容很长",
            channel="portal",
            building=tree["b1"],
            reporter=other,
        ),
    )
    page = signed_in.get(reverse("portal:cases")).content.decode().split('<ul class="cases">')[1]
    first, second = Case.objects.filter(description__startswith="第").order_by("submitted_at", "id")
    assert page.index(second.tracking_number) < page.index(first.tracking_number)
    assert "已提交" in page
    assert others.tracking_number not in page
    assert signed_in.get(reverse("portal:case", args=[others.tracking_number])).status_code == 404
    assert signed_in.get(reverse("portal:case", args=["000000000000"])).status_code == 404
    response = signed_in.post(reverse("portal:case_withdraw", args=[others.tracking_number]))
    assert response.status_code == 404
    assert Case.objects.get(pk=others.pk).status == "submitted"


def test_rating_satisfied_closes_the_case(signed_in, tree):
    """After staff resolve it, the reporter reads the reply and rates 满意: the case is closed."""
    report(signed_in)
    case = staff_resolve(tree, Case.objects.get())
    page = signed_in.get(reverse("portal:case", args=[case.tracking_number])).content.decode()
    assert "已联系车主挪车，并在通道口设置禁停标志。" in page
    assert "评价办理结果" in page and "不满意时申请重办" in page
    assert "community_worker" not in page and "办结答复" in page
    response = signed_in.post(reverse("portal:case_rate", args=[case.tracking_number]), {"satisfaction": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == ("closed", "satisfied")
    page = signed_in.get(reverse("portal:case", args=[case.tracking_number])).content.decode()
    assert "感谢您的评价。" in page and "评价办理结果" not in page


def test_unsatisfied_with_reopen_goes_back_to_work(signed_in, tree):
    """不满意 with 申请重办 reopens the case: it is in progress again with one reopen counted."""
    report(signed_in)
    case = staff_resolve(tree, Case.objects.get())
    signed_in.post(
        reverse("portal:case_rate", args=[case.tracking_number]), {"satisfaction": "unsatisfied", "reopen": "1"}
    )
    case.refresh_from_db()
    assert (case.status, case.satisfaction, case.reopen_count) == ("in_progress", "unsatisfied", 1)


def test_rating_before_resolution_is_refused(signed_in):
    """An unresolved case cannot be rated: nothing changes."""
    report(signed_in)
    case = Case.objects.get()
    response = signed_in.post(reverse("portal:case_rate", args=[case.tracking_number]), {"satisfaction": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == ("submitted", "")
    assert "该诉求当前不能评价。" in signed_in.get(response.url).content.decode()


def test_withdraw_with_confirmation(signed_in):
    """The withdraw button asks first; confirming withdraws the open case and the button disappears."""
    report(signed_in)
    case = Case.objects.get()
    url = reverse("portal:case_withdraw", args=[case.tracking_number])
    assert url in signed_in.get(reverse("portal:case", args=[case.tracking_number])).content.decode()
    confirm = signed_in.get(url).content.decode()
    assert f"确定要撤回受理编号为 {case.tracking_number} 的诉求吗？撤回后将不再办理。" in confirm
    assert Case.objects.get().status == "submitted"
    response = signed_in.post(url)
    assert response.status_code == 302
    assert Case.objects.get().status == "withdrawn"
    page = signed_in.get(response.url).content.decode()
    assert "已撤回。" in page and url not in page


def test_large_text_mode_is_a_cookie(signed_in):
    """The large-text switch sets a cookie that puts a class on the page; pressing again turns it off."""
    response = signed_in.post(reverse("portal:text_size"), {"next": "/portal/cases/"})
    assert response.url == "/portal/cases/"
    assert signed_in.cookies["portal_large_text"].value == "1"
    assert 'class="large-text"' in signed_in.get(reverse("portal:cases")).content.decode()
    signed_in.post(reverse("portal:text_size"), {"next": "https://evil.example/"})
    assert 'class="large-text"' not in signed_in.get(reverse("portal:cases")).content.decode()


def test_oversized_and_gif_photos_are_refused(signed_in):
    """A file over 5 MB, and a real image in a format other than JPEG/PNG/WebP, are refused."""
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg")
    response = signed_in.post(
        reverse("portal:case_new"),
        {"category": "S01-01-001", "description": "楼下消防通道被私家车长期占用", "photos": [big]},
    )
    assert response.status_code == 400
    assert "“big.jpg”超过 5 MB，请压缩后再上传。" in response.content.decode()
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    gif = SimpleUploadedFile("anim.png", buf.getvalue(), content_type="image/png")
    response = signed_in.post(
        reverse("portal:case_new"),
        {"category": "S01-01-001", "description": "楼下消防通道被私家车长期占用", "photos": [gif]},
    )
    assert response.status_code == 400
    assert "“anim.png”不是照片：只能上传 JPEG、PNG 或 WebP 格式的图片。" in response.content.decode()
    assert Case.objects.count() == 0


def test_contact_consent_checkbox_is_unchecked_by_default_and_stored(signed_in):
    """The report page explains the choice, unchecked; a ticked box stores the consent, an unticked one none."""
    body = signed_in.get(reverse("portal:case_new")).content.decode()
    assert 'name="contact_consent" value="1">' in body and "同意承办单位直接联系我" in body
    report(signed_in)
    report(signed_in, contact_consent="1", description="楼道灯坏了一周，老人上下楼不方便")
    rows = sorted(Case.objects.values_list("reporter_contact_consent", flat=True))
    assert rows == [False, True]
