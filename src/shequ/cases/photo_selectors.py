"""Reads of case photos, scoped to the actor. Awaiting review = never reviewed (`reviewed_at` is empty)."""

from typing import Any

from django.db.models import QuerySet

from shequ.core.lookup import get_by_public_id
from shequ.core.scoping import scope_of

from .models import CasePhoto
from .photo_permissions import REVIEW_ROLES
from .selectors import cases_for

PHOTO_OBJECT_TYPE = "cases.casephoto"
ACTION_PUBLISHED = "cases.photo_published"
ACTION_KEPT_PRIVATE = "cases.photo_kept_private"
REVIEW_STATES = ("pending", "private", "public")


def reviewable_photos(actor: Any) -> QuerySet[CasePhoto]:
    """Photos of cases located in, or held by a unit in, the actor's dispatcher subtrees."""
    scope = scope_of(actor)
    q = scope.q("case__location_path", roles=REVIEW_ROLES) | scope.q("case__holder_path", roles=REVIEW_ROLES)
    return CasePhoto.objects.filter(q).select_related("case", "case__category", "case__community")


def review_list(actor: Any, state: str) -> QuerySet[CasePhoto]:
    """Photos for the review page: pending (oldest first), kept private or public (newest first)."""
    photos = reviewable_photos(actor)
    if state == "public":
        return photos.filter(public=True).order_by("-uploaded_at", "-id")
    if state == "private":
        return photos.filter(public=False, reviewed_at__isnull=False).order_by("-reviewed_at", "-id")
    return photos.filter(reviewed_at__isnull=True).order_by("uploaded_at", "id")


def get_reviewable_photo_for(actor: Any, public_id: Any) -> CasePhoto:
    return get_by_public_id(reviewable_photos(actor), public_id)


def get_visible_photo_for(actor: Any, public_id: Any) -> CasePhoto:
    """A photo of a case the actor may see (NotFound otherwise, as for a missing one)."""
    qs = CasePhoto.objects.filter(case__in=cases_for(actor)).select_related("case")
    return get_by_public_id(qs, public_id)


def photos_of(case: Any) -> list[CasePhoto]:
    return list(CasePhoto.objects.filter(case=case).order_by("uploaded_at", "id"))


def count_of_kind(case: Any, kind: str) -> int:
    return CasePhoto.objects.filter(case=case, kind=kind).count()


def photos_by_case(case_ids: list[int], kind: str = CasePhoto.KIND_REPORT) -> dict[int, list[CasePhoto]]:
    """Photos of `kind` of the given cases (already scoped by the caller), by case id, oldest first."""
    found: dict[int, list[CasePhoto]] = {}
    for photo in CasePhoto.objects.filter(case_id__in=case_ids, kind=kind).order_by("uploaded_at", "id"):
        found.setdefault(photo.case_id, []).append(photo)
    return found
