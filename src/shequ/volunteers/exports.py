"""Excel export of the volunteer registry (formula-safe .xlsx), masked.

- The rows are `selectors.volunteers_for(actor)`: the volunteers of the communities the actor keeps
  (``volunteers.manage``); names, mobiles and ID numbers leave only masked ("程*", "138****5678").
- Every export is audited once (action ``volunteers.exported``) with the row count, never the values.
- Cells are written by `core.spreadsheets.write_xlsx`: strings are text cells, never formulas.
"""

import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shequ.core import audit
from shequ.core.permissions import require
from shequ.core.spreadsheets import write_xlsx

from . import selectors
from .domain import GENDER_LABELS, hours_text
from .permissions import KEEPER_ROLES

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    _l("姓名"),
    _l("性别"),
    _l("社区"),
    _l("证件号码"),
    _l("手机号码"),
    _l("服务技能"),
    _l("服务类别"),
    _l("注册日期"),
    _l("服务次数"),
    _l("累计服务时长（小时）"),
)
WIDTHS = (10, 6, 16, 22, 14, 20, 20, 12, 10, 14)


def volunteer_rows(volunteers: Any) -> Iterator[list[Any]]:
    for v in volunteers:
        yield [
            v.name_masked,
            str(GENDER_LABELS.get(v.gender, v.gender)),
            v.community.name,
            v.id_number_masked,
            v.mobile_masked,
            v.skills,
            v.categories,
            v.registered_on,
            v.services,
            hours_text(v.confirmed_hours) if v.confirmed_hours else "0",
        ]


def export_volunteers(*, actor: Any, text: str = "") -> IO[bytes]:
    """Write the volunteers of the communities the actor keeps to a temporary .xlsx (positioned at 0), masked, and
    audit the export. Requires volunteers.manage."""
    require(actor, "volunteers.manage")
    rows = list(selectors.volunteers_for(actor, text=text, roles=KEEPER_ROLES))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(
            fileobj, [str(h) for h in HEADERS], volunteer_rows(rows), sheet_title=_("志愿者名册"), column_widths=WIDTHS
        )
        with transaction.atomic():
            audit.record(actor=actor, action="volunteers.exported", obj=None, after={"rows": len(rows)})
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


def filename() -> str:
    """志愿者名册-YYYYMMDD.xlsx"""
    return f"{_('志愿者名册')}-{timezone.localdate():%Y%m%d}.xlsx"
