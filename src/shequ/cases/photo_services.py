"""Writes of case photos: handlers upload before/after photos; dispatchers decide which become public.

Rules:

- Uploading needs cases.handle on the case, while it is being worked on or just resolved (dispatched, in
  progress, suspended, resolved). Only the kinds 处置前 (before) and 处置后 (after); at most MAX_PHOTOS per case
  and kind, counted under a lock on the case so two uploads at once cannot pass the limit together.
- Each file is checked by content and re-encoded without EXIF by `photos.clean_photo` (JPEG, PNG or WebP,
  at most 5 MB); the first bad file refuses the whole upload before anything is stored.
- A new photo is never public. Making it public or keeping it private needs cases.review_photos; both
  decisions are audited (the audit record is also what marks the photo as reviewed, see photo_selectors).
"""

import io
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from shequ.core import audit
from shequ.core.actors import user_of
from shequ.core.errors import ValidationError
from shequ.core.permissions import require, write_service

from . import photo_permissions  # noqa: F401  (registers cases.review_photos)
from .domain import STATUS_LABELS, Status
from .models import Case, CasePhoto
from .photo_selectors import ACTION_KEPT_PRIVATE, ACTION_PUBLISHED
from .photos import MAX_PHOTOS, clean_photo, photos_attach

UPLOAD_KINDS = (CasePhoto.KIND_BEFORE, CasePhoto.KIND_AFTER)
UPLOAD_STATUSES = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.SUSPENDED, Status.RESOLVED})
THUMB_SIZE = (320, 320)


@write_service("cases.handle")
def photos_upload(*, actor: Any, case: Case, kind: str, uploads: Iterable[Any]) -> list[CasePhoto]:
    """Attach before/after photos to a case (not public); audited with the kind and the count.

    Requires cases.handle. Locks the case row while counting. Raises ValidationError in Chinese for a wrong
    kind or state, no file, too many photos, or a file that is not a JPEG/PNG/WebP photo of at most 5 MB.
    """
    require(actor, "cases.handle", case)
    if kind not in UPLOAD_KINDS:
        raise ValidationError({"kind": [_("请选择照片类别：处置前或处置后。")]})
    if case.status not in UPLOAD_STATUSES:
        label = str(dict(STATUS_LABELS).get(Status(case.status), case.status))
        raise ValidationError({"photos": [_("诉求当前状态为“%(status)s”，不能上传处置照片。") % {"status": label}]})
    files = [u for u in uploads if u]
    if not files:
        raise ValidationError({"photos": [_("请选择要上传的照片。")]})
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("最多只能上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}]})
    cleaned = [clean_photo(f) for f in files]
    kind_label = str(dict(CasePhoto.KIND_CHOICES)[kind])
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        have = CasePhoto.objects.filter(case=locked, kind=kind).count()
        if have + len(cleaned) > MAX_PHOTOS:
            raise ValidationError(
                {
                    "photos": [
                        _("每件诉求的“%(kind)s”照片最多 %(max)d 张，已有 %(have)d 张，还能上传 %(left)d 张。")
                        % {"kind": kind_label, "max": MAX_PHOTOS, "have": have, "left": max(MAX_PHOTOS - have, 0)}
                    ]
                }
            )
        saved = photos_attach(case=locked, photos=cleaned, kind=kind)
        audit.record(
            actor=actor,
            action="cases.photos_uploaded",
            obj=locked,
            after={"kind": kind, "count": len(saved), "photos": [str(p.public_id) for p in saved]},
        )
    return saved


@write_service("cases.review_photos")
def photo_set_public(*, actor: Any, photo: CasePhoto, public: bool) -> CasePhoto:
    """Make a photo public (shown to residents of the compound) or keep it private; audited either way.

    Requires cases.review_photos on the photo's case. Locks the photo row.
    """
    require(actor, "cases.review_photos", photo.case)
    with transaction.atomic():
        locked = CasePhoto.objects.select_for_update().get(pk=photo.pk)
        before = locked.public
        locked.public = public
        locked.reviewed_at, locked.reviewed_by = timezone.now(), user_of(actor)
        locked.save(update_fields=["public", "reviewed_at", "reviewed_by", "updated_at"])
        audit.record(
            actor=actor,
            action=ACTION_PUBLISHED if public else ACTION_KEPT_PRIVATE,
            obj=locked,
            before={"public": before},
            after={"public": public, "case": photo.case.tracking_number, "kind": locked.kind},
        )
    photo.public, photo.reviewed_at, photo.reviewed_by = public, locked.reviewed_at, locked.reviewed_by
    return photo


def photo_content(photo: CasePhoto, *, thumbnail: bool = False) -> tuple[bytes, str]:
    """The stored bytes and their content type; a thumbnail is a small JPEG re-encoded from the pixels."""
    with photo.image.open("rb") as f:
        data = f.read()
    with Image.open(io.BytesIO(data)) as img:
        fmt = img.format or "JPEG"
        if not thumbnail:
            return data, Image.MIME.get(fmt, "application/octet-stream")
        img.load()
        small = img.convert("RGB")
        small.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue(), "image/jpeg"
