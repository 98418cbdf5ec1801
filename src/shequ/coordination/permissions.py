"""Registered actions of "one core, many actors" and joint meetings (see docs/permissions.md).

Everything here belongs to one community (an `Area` of level community): a unit's role there, a joint meeting, a
follow-up of a meeting. Who may do what in a community:

- its community workers and community Party secretary (``community_worker``, ``community_secretary``), and Party
  organisers who reach the community's Party organisation (the centre: `selectors.centre_of`) — an organiser of
  that organisation or of one above it — write roles, record joint meetings and follow-ups, and reveal a contact
  person's name and mobile (``coordination.manage``, ``coordination.reveal``);
- street and district officers whose subtree holds the community read everything (``coordination.view``);
- the staff of a unit present in the community (``org_staff``, ``department_officer`` working for a unit placed in
  the community or one of its compounds, or having a role written there) read its page and meetings, never more.

Turning a follow-up into a case or a proposal also needs what the cases and deliberation services ask
(``cases.submit``, ``deliberation.propose``: community staff); a Party organiser records meetings but leaves the
hand-over to the community's staff.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of
from shequ.party.permissions import organiser_paths

MANAGE_ROLES = frozenset({"community_worker", "community_secretary"})
VIEW_ROLES = MANAGE_ROLES | {"street_officer", "district_officer"}
UNIT_ROLES = frozenset({"org_staff", "department_officer"})


def community_of(obj: Any) -> Any:
    """The community an object belongs to (a community is its own; a follow-up's is its meeting's)."""
    if obj is None:
        return None
    if hasattr(obj, "path") and getattr(obj, "level", None) == "community":
        return obj
    if hasattr(obj, "community"):
        return obj.community
    meeting = getattr(obj, "meeting", None)
    return community_of(meeting) if meeting is not None else None


def organiser_reaches(actor: Any, community: Any) -> bool:
    """Whether a Party organiser of the actor's reaches the community's Party organisation."""
    paths = organiser_paths(actor)
    if not paths:
        return False
    from .selectors import centre_of

    centre = centre_of(community)
    return centre is not None and any(centre.tree_path.startswith(p) for p in paths)


def _manages(actor: Any, community: Any) -> bool:
    return scope_of(actor).covers(community.path, MANAGE_ROLES) or organiser_reaches(actor, community)


def _views(actor: Any, community: Any) -> bool:
    if _manages(actor, community) or scope_of(actor).covers(community.path, VIEW_ROLES):
        return True
    if not scope_of(actor).unit_ids(UNIT_ROLES):
        return False
    from .selectors import present_community_ids

    return community.pk in present_community_ids(actor)


@register("coordination.view", "查看社区“一核多元”页面：党组织、各类单位及其职责、联席会议和议定事项（联系人已遮蔽）")
def can_view(actor: Any, obj: Any) -> Decision:
    if obj is None:
        scope = scope_of(actor)
        if scope.paths(VIEW_ROLES) or organiser_paths(actor) or scope.unit_ids(UNIT_ROLES):
            return ALLOW
        return deny(_("您无权查看社区单位和联席会议"))
    community = community_of(obj)
    return ALLOW if community is not None and _views(actor, community) else deny(_("您无权查看该社区的单位和联席会议"))


@register(
    "coordination.manage",
    "登记单位在社区的职责和联系人、联席会议、议定事项及其办理（社区工作者、社区党组织书记、上级党务工作者）",
)
def can_manage(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(MANAGE_ROLES) or organiser_paths(actor) else deny(_("您无权登记联席会议"))
    community = community_of(obj)
    if community is not None and _manages(actor, community):
        return ALLOW
    return deny(_("只有本社区工作人员和社区党组织的党务工作者可以登记"))


@register("coordination.reveal", "查看单位联系人的完整姓名和手机号码（每次查看均记录审计）")
def can_reveal(actor: Any, obj: Any) -> Decision:
    if obj is None:
        return ALLOW if scope_of(actor).paths(MANAGE_ROLES) or organiser_paths(actor) else deny(_("您无权查看联系人"))
    community = community_of(obj)
    if community is not None and _manages(actor, community):
        return ALLOW
    return deny(_("只有本社区工作人员和社区党组织的党务工作者可以查看联系人"))
