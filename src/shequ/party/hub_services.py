"""Writes of Party-member hub households (党员中心户) on the micro-grids.

A hub is set up on a micro-grid, hosted by a Party member (the hub's household); members are linked to it, and
each linked member keeps in touch with households of the micro-grid. Who reaches the host's organisation
(``party.manage``) manages the hub; a linked member must be one the actor reaches too.

The sizes (members per hub, households per member) are local practice: exceeding the settings
SHEQU_HUB_MAX_MEMBERS and SHEQU_HUB_MAX_HOUSEHOLDS is recorded and answered with warnings
(``domain.check_hub``), never refused. Refused are only real errors: a hub not on a micro-grid, a member who left
the roll, a member linked twice (to this or another active hub), a household outside the micro-grid or already
kept in touch with by another member.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core import audit
from shequ.core.errors import FieldErrors, invalid
from shequ.core.permissions import require, write_service

from .errors import PartyError as Err
from .hub_selectors import household_micro_grid_id, hub_check
from .models import Hub, HubHousehold, HubLink, PartyMember
from .services import _raise, _text, _today

MICRO_GRID = "micro_grid"


def _lock_hub(hub: Hub) -> Hub:
    locked = Hub.objects.select_for_update().get(pk=hub.pk)
    if not locked.active:
        raise invalid("hub", _("该党员中心户已撤销"), Err.HUB_INACTIVE)
    return locked


def _active_member(member: PartyMember) -> None:
    if not PartyMember.objects.filter(pk=member.pk, active=True).exists():
        raise invalid("member", _("该党员已转出"), Err.MEMBER_INACTIVE)


def _check_linkable(hub: Hub, member: PartyMember) -> None:
    if HubLink.objects.filter(member=member, hub__active=True).exists() or (
        Hub.objects.filter(host=member, active=True).exclude(pk=hub.pk).exists()
    ):
        raise invalid("member", _("该党员已联系党员中心户"), Err.HUB_MEMBER_LINKED)


@write_service("party.manage")
def hub_create(
    *, actor: Any, area: Any, host: PartyMember, name: str, since: date | None = None, now: Any = None
) -> tuple[Hub, tuple[str, ...]]:
    """Set up a hub household on micro-grid `area`, hosted by `host` (who is its first linked member)."""
    require(actor, "party.manage", host)
    today = _today(now)
    errors = FieldErrors()
    name = _text(errors, "name", name, limit=60)
    if getattr(area, "level", None) != MICRO_GRID:
        errors.add("area", _("党员中心户须设在微网格"), Err.HUB_PLACE_INVALID)
    since = since or today
    if since > today:
        errors.add("since", _("日期不能晚于今天"), Err.FUTURE_DATE)
    _raise(errors)
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().get(pk=host.pk)
        _active_member(locked)
        if HubLink.objects.filter(member=locked, hub__active=True).exists():
            raise invalid("host", _("该党员已联系党员中心户"), Err.HUB_MEMBER_LINKED)
        hub = Hub.objects.create(area=area, org=locked.org, host=locked, name=name, since=since)
        HubLink.objects.create(hub=hub, member=locked)
        audit.record(
            actor=actor,
            action="party.hub_created",
            obj=hub,
            after={"name": name, "area": area.code, "host": locked.name_masked},
        )
    return hub, hub_check(hub).warnings


@write_service("party.manage")
def hub_link(*, actor: Any, hub: Hub, member: PartyMember) -> tuple[HubLink, tuple[str, ...]]:
    """Link a member to the hub. Above the local number of members: recorded, with a warning."""
    require(actor, "party.manage", hub)
    require(actor, "party.members", member)
    with transaction.atomic():
        locked = _lock_hub(hub)
        _active_member(member)
        _check_linkable(locked, member)
        link = HubLink.objects.create(hub=locked, member=member)
        audit.record(actor=actor, action="party.hub_linked", obj=locked, after={"member": member.name_masked})
    return link, hub_check(locked).warnings


@write_service("party.manage")
def hub_unlink(*, actor: Any, link: HubLink) -> None:
    """Unlink a member (not the host) from the hub, with the households they kept in touch with."""
    require(actor, "party.manage", link.hub)
    with transaction.atomic():
        hub = _lock_hub(link.hub)
        if link.member_id == hub.host_id:
            raise invalid("member", _("中心户户主不能移出，可撤销党员中心户"), Err.HUB_MEMBER_LINKED)
        masked = link.member.name_masked
        HubLink.objects.filter(pk=link.pk).delete()
        audit.record(actor=actor, action="party.hub_unlinked", obj=hub, after={"member": masked})


@write_service("party.manage")
def hub_household_add(*, actor: Any, link: HubLink, household: Any) -> tuple[HubHousehold, tuple[str, ...]]:
    """Record that the linked member keeps in touch with `household` of the hub's micro-grid. Above the local
    number of households per member: recorded, with a warning."""
    require(actor, "party.manage", link.hub)
    with transaction.atomic():
        hub = _lock_hub(link.hub)
        if household_micro_grid_id(household) != hub.area_id:
            raise invalid("household", _("该户不在本微网格"), Err.HOUSEHOLD_OUTSIDE)
        if HubHousehold.objects.filter(household=household, link__hub__active=True).exists():
            raise invalid("household", _("该户已由其他党员联系"), Err.HOUSEHOLD_TAKEN)
        row = HubHousehold.objects.create(link=link, household=household)
        audit.record(
            actor=actor,
            action="party.hub_household_added",
            obj=hub,
            after={"member": link.member.name_masked, "household": household.number},
        )
    return row, hub_check(hub).warnings


@write_service("party.manage")
def hub_household_remove(*, actor: Any, row: HubHousehold) -> None:
    """Stop recording that a member keeps in touch with a household."""
    require(actor, "party.manage", row.link.hub)
    with transaction.atomic():
        hub = _lock_hub(row.link.hub)
        number = row.household.number
        HubHousehold.objects.filter(pk=row.pk).delete()
        audit.record(actor=actor, action="party.hub_household_removed", obj=hub, after={"household": number})


@write_service("party.manage")
def hub_end(*, actor: Any, hub: Hub) -> Hub:
    """Wind up a hub (撤销): kept, marked inactive; its members and households are free to link elsewhere."""
    require(actor, "party.manage", hub)
    with transaction.atomic():
        locked = _lock_hub(hub)
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
        audit.record(actor=actor, action="party.hub_ended", obj=locked, after={"name": locked.name})
    return locked
