"""Who may decide whether a case's photos are shown to residents (issue 4; DESIGN R11 personal information).

- Handlers upload before/after photos (cases.handle); the decision to publish is the dispatcher's: community
  workers and Party secretaries, street and district officers, for cases located in their subtree or held by a
  unit in it. The uploader's own unit reviewing is fine; a micro-grid or grid worker never publishes.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

from .permissions import DISPATCH_ROLES

REVIEW_ROLES = DISPATCH_ROLES


@register("cases.review_photos", "审核诉求照片，决定是否向居民公开（辖区内诉求，限受理人员）")
def can_review_photos(actor: Any, case: Any) -> Decision:
    scope = scope_of(actor)
    if case is None:
        return ALLOW if scope.paths(roles=REVIEW_ROLES) else deny(_("您无权审核诉求照片"))
    for attr in ("location_path", "holder_path"):
        path = getattr(case, attr, "") or ""
        if path and scope.covers(path, REVIEW_ROLES):
            return ALLOW
    return deny(_("只有辖区内的受理人员可以审核该诉求的照片"))
