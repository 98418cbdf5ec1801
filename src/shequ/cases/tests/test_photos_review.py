"""Case photos: the handler uploads before/after photos (content-checked, EXIF stripped, 9 per kind), staff
who dispatch review them (make public / keep private, audited), and photos are served only through the
scoped view."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shequ.accounts.tests.factories import staff
from shequ.cases import photo_selectors, photo_services, services
from shequ.cases.models import CasePhoto
from shequ.cases.photo_permissions import can_review_photos
from shequ.cases.tests.factories import dispatched_case
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]
REVIEW = reverse("cases:photo_review")
GPS_IFD = 0x8825


@pytest.fixture
def t():
    return make_tree()


@pytest.fixture
def cw(t):
    return staff("community_worker", t["c1"])


@pytest.fixture
def handler(t):
    return staff("micro_grid_worker", t["m111"])


@pytest.fixture
def case(t, cw):
    """A complaint on b1, accepted by c1 and dispatched to micro-grid m111."""
    return dispatched_case(t, cw, reporter_name="王某某")


def jpeg_with_gps(name="before.jpg", size=(64, 48)):
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (30.0, 39.0, 0.0), 3: "E", 4: (104.0, 3.0, 0.0)}
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def upload(client, case, kind, *files):
    return client.post(
        reverse("cases:photo_upload", args=[case.public_id]), {"kind": kind, "photos": list(files)}, follow=True
    )


def decide(client, photo, decision, **extra):
    return client.post(reverse("cases:photo_decide", args=[photo.public_id]), {"decision": decision, **extra})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- upload ------------------------------------------------------------------------------------------------


def test_handler_uploads_before_photo_without_exif_private_and_audited(client, case, handler):
    """The m111 handler uploads a 处置前 photo: stored private without EXIF; back on the case page; audited."""
    client.force_login(handler)
    response = upload(client, case, "before", jpeg_with_gps())
    assert response.redirect_chain == [(reverse("cases:case_detail", args=[case.public_id]) + "#photos", 302)]
    assert messages_of(response) == ["已上传 1 张照片，审核公开前居民看不到。"]
    photo = CasePhoto.objects.get(case=case)
    assert (photo.kind, photo.public) == ("before", False)
    with photo.image.open("rb") as f, Image.open(f) as saved:
        assert saved.format == "JPEG"
        assert dict(saved.getexif()) == {}
    record = AuditRecord.objects.get(action="cases.photos_uploaded")
    assert record.after == {"kind": "before", "count": 1, "photos": [str(photo.public_id)]}


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("fake.jpg", b"this is not an image", content_type="image/jpeg"),
            "“fake.jpg”不是照片：只能上传 JPEG、PNG 或 WebP 格式的图片。",
        ),
        (
            SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg"),
            "“huge.jpg”超过 5 MB，请压缩后再上传。",
        ),
    ],
    ids=["wrong-type", "too-big"],
)
def test_wrong_type_or_too_big_is_refused_in_chinese_and_nothing_is_stored(client, case, handler, file, message):
    """A file that is not a photo, or one above 5 MB, is refused with its name; no photo, no audit."""
    client.force_login(handler)
    response = upload(client, case, "after", jpeg_with_gps("ok.jpg"), file)
    assert messages_of(response) == [message]
    assert not CasePhoto.objects.exists()
    assert not AuditRecord.objects.filter(action="cases.photos_uploaded").exists()


def test_at_most_nine_photos_per_kind(case, handler):
    """Nine 处置后 photos fill the kind; a tenth is refused with the count, while 处置前 still accepts one."""
    photo_services.photos_upload(
        actor=handler, case=case, kind="after", uploads=[jpeg_with_gps(f"{i}.jpg") for i in range(7)]
    )
    with pytest.raises(ValidationError) as exc:
        photo_services.photos_upload(
            actor=handler, case=case, kind="after", uploads=[jpeg_with_gps(f"x{i}.jpg") for i in range(3)]
        )
    assert exc.value.message_dict == {"photos": ["每件诉求的“处置后”照片最多 9 张，已有 7 张，还能上传 2 张。"]}
    photo_services.photos_upload(actor=handler, case=case, kind="after", uploads=[jpeg_with_gps(), jpeg_with_gps()])
    photo_services.photos_upload(actor=handler, case=case, kind="before", uploads=[jpeg_with_gps()])
    assert CasePhoto.objects.filter(case=case, kind="after").count() == 9
    assert CasePhoto.objects.filter(case=case, kind="before").count() == 1


def test_wrong_kind_and_wrong_state_are_refused(t, cw, case, handler):
    """Only 处置前/处置后 can be uploaded here, and not on a case that is still waiting to be accepted."""
    with pytest.raises(ValidationError) as exc:
        photo_services.photos_upload(actor=handler, case=case, kind="report", uploads=[jpeg_with_gps()])
    assert exc.value.message_dict == {"kind": ["请选择照片类别：处置前或处置后。"]}
    fresh = services.case_submit(
        actor=cw,
        data=services.CaseInput(
            case_type="help", title="求助", description="需要帮助搬运家具", channel="staff", building=t["b1"]
        ),
    )
    with pytest.raises(ValidationError) as exc:
        photo_services.photos_upload(actor=cw, case=fresh, kind="before", uploads=[jpeg_with_gps()])
    assert exc.value.message_dict == {"photos": ["诉求当前状态为“已提交”，不能上传处置照片。"]}
    assert not CasePhoto.objects.exists()


def test_upload_is_404_outside_scope_and_refused_to_a_non_handler(client, t, case):
    """m112's worker cannot see the case (404); nothing is stored. The service refuses a non-handler too."""
    outsider = staff("micro_grid_worker", t["m112"])
    client.force_login(outsider)
    response = client.post(
        reverse("cases:photo_upload", args=[case.public_id]), {"kind": "before", "photos": [jpeg_with_gps()]}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        photo_services.photos_upload(actor=outsider, case=case, kind="before", uploads=[jpeg_with_gps()])
    assert not CasePhoto.objects.exists()


# --- review ------------------------------------------------------------------------------------------------


@pytest.fixture
def photos(case, handler):
    return photo_services.photos_upload(
        actor=handler, case=case, kind="after", uploads=[jpeg_with_gps("a.jpg"), jpeg_with_gps("b.jpg")]
    )


def test_review_page_lists_pending_photos_and_decisions_move_them(client, cw, photos):
    """Both photos await review; 公开 moves one to 已公开, 不公开 the other to 不公开; both audited."""
    first, second = photos
    client.force_login(cw)
    page = client.get(REVIEW)
    assert page.status_code == 200
    assert [p.pk for p in page.context["photos"]] == [first.pk, second.pk]

    response = decide(client, first, "public", state="pending")
    assert response.status_code == 302 and response.url == REVIEW + "?state=pending"
    decide(client, second, "private")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.public, second.public) == (True, False)
    assert list(client.get(REVIEW).context["photos"]) == []
    assert [p.pk for p in client.get(REVIEW, {"state": "public"}).context["photos"]] == [first.pk]
    assert [p.pk for p in client.get(REVIEW, {"state": "private"}).context["photos"]] == [second.pk]
    records = AuditRecord.objects.filter(object_type="cases.casephoto").order_by("id")
    assert [(r.action, r.object_id, r.after["public"]) for r in records] == [
        ("cases.photo_published", str(first.public_id), True),
        ("cases.photo_kept_private", str(second.public_id), False),
    ]


def test_review_is_refused_to_handlers_and_404_outside_scope(client, t, photos):
    """The micro-grid handler may not review (403 page, refused decision); c2's worker gets 404; no change."""
    photo = photos[0]
    client.force_login(staff("micro_grid_worker", t["m111"]))
    assert client.get(REVIEW).status_code == 403
    assert decide(client, photo, "public").status_code == 404
    client.force_login(staff("community_worker", t["c2"]))
    assert list(client.get(REVIEW).context["photos"]) == []
    assert decide(client, photo, "public").status_code == 404
    photo.refresh_from_db()
    assert photo.public is False
    assert not AuditRecord.objects.filter(object_type="cases.casephoto").exists()


@pytest.mark.parametrize(
    ("role", "area", "allowed"),
    [
        ("community_worker", "c1", True),
        ("community_secretary", "c1", True),
        ("street_officer", "s1", True),
        ("district_officer", "district", True),
        ("micro_grid_worker", "m111", False),
        ("grid_worker", "g11", False),
        ("community_worker", "c2", False),
        ("street_officer", "s2", False),
    ],
)
def test_review_permission_table(t, case, role, area, allowed):
    """cases.review_photos: dispatcher roles over the case's place or holder, never grid workers."""
    assert bool(can_review_photos(staff(role, t[area]), case)) is allowed


# --- serving -----------------------------------------------------------------------------------------------


def test_photo_bytes_are_served_only_through_the_scoped_view(client, t, cw, photos):
    """A c1 worker gets the photo and a small JPEG thumbnail, not cacheable; c2's worker gets 404."""
    photo = photos[0]
    url = reverse("cases:photo_file", args=[photo.public_id])
    client.force_login(cw)
    full = client.get(url)
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert "no-store" in full["Cache-Control"]
    thumb = client.get(url, {"thumb": "1"})
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert small.size == (64, 48)  # already below the thumbnail size: kept
    client.force_login(staff("community_worker", t["c2"]))
    assert client.get(url).status_code == 404


def test_case_page_shows_photos_and_the_upload_form_to_the_handler(client, case, handler, photos):
    """The case page's photo panel shows thumbnails through the scoped view (never /media/) and the form."""
    client.force_login(handler)
    html = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    assert reverse("cases:photo_file", args=[photos[0].public_id]) + "?thumb=1" in html
    assert reverse("cases:photo_upload", args=[case.public_id]) in html
    assert "处置后（还可上传 7 张）" in html
    assert "/media/" not in html and "case-photos/" not in html
    assert 'name="decision"' not in html  # the handler does not review


def test_pending_list_excludes_reviewed_private_photos(cw, photos):
    """A photo kept private is no longer pending, and stays private."""
    photo_services.photo_set_public(actor=cw, photo=photos[1], public=False)
    assert [p.pk for p in photo_selectors.review_list(cw, "pending")] == [photos[0].pk]
    assert [p.pk for p in photo_selectors.review_list(cw, "private")] == [photos[1].pk]


def test_case_page_offers_review_buttons_to_the_dispatcher(client, case, cw, photos):
    """The c1 worker sees 待审核 photos with 公开/不公开 buttons in CSRF-protected forms, and a review link."""
    client.force_login(cw)
    html = client.get(reverse("cases:case_detail", args=[case.public_id])).content.decode()
    panel = html[html.index('id="photos"') :]
    form = panel[panel.index(reverse("cases:photo_decide", args=[photos[0].public_id])) :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'value="public"' in form and 'value="private"' in form
    assert panel.count("待审核") == 2
    assert reverse("cases:photo_review") in client.get(reverse("cases:case_queue")).content.decode()
