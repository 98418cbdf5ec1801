"""Photos attached to cases: checked by content, size-limited, re-encoded without EXIF, private until reviewed.

Rules (issue 4 intake; DESIGN R11 personal information):

- At most 9 photos per report, each at most 5 MB.
- The type is decided by the bytes (Pillow decodes them), never by the file name or the browser's
  Content-Type: only JPEG, PNG and WebP are accepted.
- Every photo is re-encoded from its pixels after applying the EXIF orientation, so EXIF (the GPS position
  above all), XMP, comments and other metadata never reach the disk.
- Photos are not public until staff review them (`CasePhoto.public` stays False here).
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shequ.core.errors import ValidationError

from .models import Case, CasePhoto

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 5 MB file cannot honestly hold more; refuses decompression bombs
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded without metadata, ready to store."""

    content: bytes
    extension: str


def _reject_type(name: str) -> ValidationError:
    return ValidationError(
        {"photos": [_("“%(name)s”不是照片：只能上传 JPEG、PNG 或 WebP 格式的图片。") % {"name": name}]}
    )


def clean_photo(upload: Any) -> CleanPhoto:
    """Check one uploaded file by its content and re-encode it without EXIF; ValidationError in Chinese if not."""
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": [_("“%(name)s”超过 5 MB，请压缩后再上传。") % {"name": name}]})
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise _reject_type(name)
            probe.verify()  # catches truncated or corrupt files before decoding them for real
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            image = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _reject_type(name) from None
    image.info.clear()  # drop exif, xmp, icc, comments: nothing but pixels is written back
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=fmt, **options)
    return CleanPhoto(out.getvalue(), FORMATS[fmt])


def clean_photos(uploads: Iterable[Any]) -> list[CleanPhoto]:
    """Check a whole set of uploads (at most 9); the first problem is raised before anything is stored."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("最多只能上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}]})
    return [clean_photo(u) for u in uploads]


def photos_attach(*, case: Case, photos: Iterable[CleanPhoto], kind: str = CasePhoto.KIND_REPORT) -> list[CasePhoto]:
    """Store cleaned photos for a case, not public. Call inside the transaction that owns the case change."""
    if kind not in {k for k, _label in CasePhoto.KIND_CHOICES}:
        raise ValueError(f"unknown photo kind {kind!r}")
    now = timezone.now()
    saved = []
    for photo in photos:
        row = CasePhoto(case=case, kind=kind, public=False, uploaded_at=now)
        row.image.save(f"{case.tracking_number}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()
        saved.append(row)
    return saved
