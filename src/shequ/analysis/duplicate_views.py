"""One-click merge of a case into a likely duplicate suggested on the case page (疑似重复诉求).

Both cases are fetched through the actor's scope (outside it: 404, as for a missing case); the merge service
checks cases.dispatch on the case and cases.view on the target, validates and records the audit trail.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequ.cases import selectors, services
from shequ.core.errors import NotFound, ValidationError
from shequ.core.http import scoped_view as _scoped


@never_cache
@require_POST
@_scoped
def merge_into(request: HttpRequest, public_id: str, other_id: str) -> HttpResponse:
    """Merge the case `public_id` into `other_id`; back to the surviving case, or to the case with the error."""
    case = selectors.get_case_for(request.user, public_id)
    into = selectors.get_case_for(request.user, other_id)
    if into.pk == case.pk:
        raise NotFound()
    try:
        services.case_merge(actor=request.user, case=case, into=into, note=_("根据疑似重复提示合并"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("未能合并：%(reason)s") % {"reason": message})
        return redirect(reverse("cases:case_detail", args=[case.public_id]) + "#duplicates")
    messages.success(
        request,
        _("已将 %(a)s 合并至 %(b)s") % {"a": case.tracking_number, "b": into.tracking_number},
    )
    return redirect("cases:case_detail", into.public_id)
