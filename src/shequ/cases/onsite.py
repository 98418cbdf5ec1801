"""On-the-spot handling (现场处理): a problem a grid worker finds on patrol, reported and resolved at once.

A micro-grid or grid worker may report and handle but not accept or dispatch (`permissions.DISPATCH_ROLES`), so
only a worker who is also a dispatcher of the place's community may finish the case alone
(`cases.resolve_on_the_spot`). The steps are the ordinary services, each checking its own permission and the
transition table again, inside one transaction: the case stands resolved or nothing is written.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.errors import ValidationError
from shequ.core.permissions import require, write_service

from . import photos, services
from .models import Case
from .services import CaseInput


@write_service("cases.resolve_on_the_spot", "cases.submit", "cases.dispatch", "cases.handle")
def case_resolve_on_the_spot(*, actor: Any, data: CaseInput, reply: str) -> Case:
    """Report a problem and resolve it on the spot; return the resolved case.

    Submits `data`, accepts the case for its community, dispatches it to the micro-grid of `data.building`,
    signs for it and resolves it with `reply`, all in one transaction. Requires `cases.resolve_on_the_spot` on
    the building (a building is needed: its micro-grid handles the case). A category the system could not
    determine (待分拣) must be chosen by the worker: ValidationError on "category", and nothing is written.
    """
    require(actor, "cases.resolve_on_the_spot", data.building)
    with transaction.atomic():
        case = services.case_submit(actor=actor, data=data)
        if case.needs_triage:
            raise ValidationError({"category": _("系统无法确定分类，现场处理时请选择分类")})
        case = services.case_accept(actor=actor, case=case, note=_("网格员现场处理"))
        case = services.case_dispatch(actor=actor, case=case, target=data.building.micro_grid)
        case = services.case_start(actor=actor, case=case)
        return services.case_resolve(actor=actor, case=case, reply=reply)


@write_service("cases.submit", "cases.resolve_on_the_spot", "cases.dispatch", "cases.handle")
def case_report_on_patrol(*, actor: Any, data: CaseInput, uploads: list[Any], reply: str = "") -> Case:
    """Report a problem found on patrol with its photos; with `reply`, resolve it on the spot as well.

    Every photo is checked (JPEG/PNG/WebP of at most 5 MB, at most 9) in the same transaction, so a bad file
    writes nothing. The
    case and its photos are written in one transaction. With `reply` the case is resolved through
    `case_resolve_on_the_spot` (its own permission and rules); the answer may then wait for the community's
    review (答复待审核) like any grid worker's answer.
    """
    require(actor, "cases.submit", None)
    with transaction.atomic():
        if reply:
            case = case_resolve_on_the_spot(actor=actor, data=data, reply=reply)
        else:
            case = services.case_submit(actor=actor, data=data)
        # Checked after the place's permission, inside the transaction: a bad file rolls the case back.
        photos.photos_attach(case=case, photos=photos.clean_photos(uploads))
    return case
