"""{% case_photos case user %}: the photos panel of the case page, computed here so the case view needs no change.

Shows the case's photos (thumbnails through the scoped photo view), the review buttons for those who may
review, and the before/after upload form for the handler while the case may take photos.
"""

from typing import Any

from django import template

from shequ.core.permissions import can

from .. import (
    photo_permissions,  # noqa: F401  (registers cases.review_photos)
    photo_selectors,
)
from ..models import CasePhoto
from ..photo_services import UPLOAD_KINDS, UPLOAD_STATUSES
from ..photos import MAX_PHOTO_BYTES, MAX_PHOTOS

register = template.Library()


@register.inclusion_tag("cases/_photos_panel.html", takes_context=True)
def case_photos(context: Any, case: Any, user: Any) -> dict[str, Any]:
    if case is None or not can(user, "cases.view", case):
        return {"visible": False}
    photos = photo_selectors.photos_of(case)
    kinds = dict(CasePhoto.KIND_CHOICES)
    counts = {k: sum(1 for p in photos if p.kind == k) for k in kinds}
    can_upload = bool(can(user, "cases.handle", case)) and case.status in UPLOAD_STATUSES
    can_review = bool(can(user, "cases.review_photos", case))
    return {
        "visible": True,
        "case": case,
        "photos": [
            {
                "photo": p,
                "kind_label": kinds.get(p.kind, p.kind),
                "pending": p.reviewed_at is None,
            }
            for p in photos
        ],
        "can_upload": can_upload,
        "can_review": can_review,
        "upload_kinds": [(k, kinds[k], MAX_PHOTOS - counts[k]) for k in UPLOAD_KINDS],
        "max_photos": MAX_PHOTOS,
        "max_mb": MAX_PHOTO_BYTES // (1024 * 1024),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.simple_tag
def may_review_photos(user: Any) -> bool:
    """{% may_review_photos request.user as flag %}: whether to offer the photo review page."""
    return bool(can(user, "cases.review_photos"))
