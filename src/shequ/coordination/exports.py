"""Excel export of a community's actors (formula-safe .xlsx), masked.

Rules:

- The rows are the community's ring (`selectors.ring_of`): every unit placed in it and every unit with a role
  there, grouped by kind, with the centre first; whoever may see the page (`coordination.view`) may export it.
- Contact persons leave only masked ("程*", "138****5678"); the full contact is revealed one role at a time, with
  a reason, and audited there.
- Every export is audited once (action ``coordination.actors_exported``) with the row count, never the values.
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

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (_l("类别"), _l("单位"), _l("所在地"), _l("在本社区的职责"), _l("联系人"), _l("联系电话"))
WIDTHS = (14, 28, 24, 60, 10, 14)


def _place(unit: Any) -> str:
    parts = [unit.area.name] + [p.name for p in (unit.compound, unit.building) if p is not None]
    return " · ".join(parts)


def actor_rows(actor: Any, community: Any) -> Iterator[list[Any]]:
    centre = selectors.centre_for(actor, community)
    if centre.org is not None:
        role = centre.role
        yield [
            _("社区党组织"),
            centre.org.unit.name,
            _place(centre.org.unit),
            role.responsibilities if role else "",
            role.contact_name_masked if role else "",
            role.contact_mobile_masked if role else "",
        ]
    for group in selectors.ring_of(community):
        for row in group.rows:
            role = row.role
            yield [
                str(group.label),
                row.unit.name,
                _place(row.unit),
                role.responsibilities if role else "",
                role.contact_name_masked if role else "",
                role.contact_mobile_masked if role else "",
            ]


def export_actors(*, actor: Any, community: Any) -> IO[bytes]:
    """Write the community's actors to a temporary .xlsx (positioned at 0), masked, and audit the export. Requires
    coordination.view on the community."""
    require(actor, "coordination.view", community)
    rows = list(actor_rows(actor, community))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        write_xlsx(fileobj, [str(h) for h in HEADERS], iter(rows), sheet_title=_("社区单位"), column_widths=WIDTHS)
        with transaction.atomic():
            audit.record(
                actor=actor,
                action="coordination.actors_exported",
                obj=community,
                after={"rows": len(rows)},
            )
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj


def filename(community: Any) -> str:
    """社区单位-<community>-YYYYMMDD.xlsx"""
    return f"{_('社区单位')}-{community.name}-{timezone.localdate():%Y%m%d}.xlsx"
