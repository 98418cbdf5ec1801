"""Excel export of a Party organisation's members (formula-safe .xlsx), masked.

Rules:

- The rows are those of `selectors.members_for(actor, org=org)`: the members on the roll of the organisation and
  of the organisations below it, within the actor's reach (`party.members`); nobody else exports them.
- Membership is sensitive personal information: names and mobiles leave only in their masked forms ("程*",
  "138****5678"), as ID numbers do in the residents' export. The full name is revealed one member at a time on the
  member's page, with a reason, and audited there.
- Every export is audited once (action ``party.members_exported``) with the organisation and the row count; never
  the values.
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
from .domain import MEMBER_STATUS_LABELS

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (_l("姓名"), _l("党员类别"), _l("所在党组织"), _l("入党日期"), _l("转正日期"), _l("手机号码"))
WIDTHS = (10, 10, 28, 12, 12, 14)


def member_rows(members: Any) -> Iterator[list[Any]]:
    for m in members:
        yield [
            m.name_masked,
            str(MEMBER_STATUS_LABELS.get(m.status, m.status)),
            m.org.unit.name,
            m.joined_on,
            m.full_on,
            m.mobile_masked,
        ]


def export_members(*, actor: Any, org: Any) -> IO[bytes]:
    """Write the members of `org` (and below) in the actor's reach to a temporary .xlsx (positioned at 0), masked,
    and audit the export. Requires party.members on the organisation."""
    require(actor, "party.members", org)
    members = list(selectors.members_for(actor, org=org))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(
            fileobj, [str(h) for h in HEADERS], member_rows(members), sheet_title=_("党员名单"), column_widths=WIDTHS
        )
        with transaction.atomic():
            audit.record(actor=actor, action="party.members_exported", obj=org, after={"rows": len(members)})
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


def filename(org: Any) -> str:
    """党员名单-<organisation>-YYYYMMDD.xlsx"""
    return f"{_('党员名单')}-{org.unit.name}-{timezone.localdate():%Y%m%d}.xlsx"


# --- in-service members' registrations (在职党员双报到) -------------------------------------------------------------

REGISTRATION_HEADERS = (
    _l("姓名"),
    _l("报到社区"),
    _l("所在党组织"),
    _l("工作单位"),
    _l("职务"),
    _l("特长和可提供的服务"),
    _l("报到日期"),
    _l("状态"),
)
REGISTRATION_WIDTHS = (10, 16, 28, 24, 12, 30, 12, 8)


def registration_rows(rows: Any) -> Iterator[list[Any]]:
    from .domain import REGISTRATION_STATUS_LABELS

    for r in rows:
        yield [
            r.name_masked,
            r.community.name,
            r.own_org_name,
            r.employer,
            r.job_title,
            r.skills,
            r.registered_on,
            str(REGISTRATION_STATUS_LABELS.get(r.status, r.status)),
        ]


def export_registrations(*, actor: Any, text: str = "", status: str = "active") -> IO[bytes]:
    """Write the registrations in the actor's reach (filtered like the list) to a temporary .xlsx, names masked, and
    audit the export with its row count. Requires party.service."""
    from . import inservice_selectors

    require(actor, "party.service")
    rows = list(inservice_selectors.registrations_for(actor, text=text, status=status))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(
            fileobj,
            [str(h) for h in REGISTRATION_HEADERS],
            registration_rows(rows),
            sheet_title=_("在职党员报到名单"),
            column_widths=REGISTRATION_WIDTHS,
        )
        with transaction.atomic():
            audit.record(
                actor=actor, action="party.inservice_exported", obj=None, after={"rows": len(rows), "status": status}
            )
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


def registrations_filename() -> str:
    """在职党员报到名单-YYYYMMDD.xlsx"""
    return f"{_('在职党员报到名单')}-{timezone.localdate():%Y%m%d}.xlsx"
