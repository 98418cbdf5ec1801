"""Who may run, cast and see owners' votes (业主共同决定).

- Staff of the compound's community (community workers and the community Party secretary) create, open and
  close votes, register proxies and enter paper ballots (``votes.manage``, ``votes.register_proxy``,
  ``votes.enter_paper``); they also see the scans. Street and district officers whose subtree holds the compound
  follow the votes and their tallies (``votes.view``).
- A paper ballot counts only once a DIFFERENT staff member of the community confirms it (``votes.confirm_paper``):
  the one who entered it never confirms it.
- An owner casts their own ballot (``votes.cast``): the resident is a registered co-owner behind that owner in
  the vote's frozen electorate, or holds that owner's written authorisation (proxy). Nobody else may.
- The owners of the vote's electorate see its published receipt list (``votes.see_published``).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core.actors import Kind
from shequ.core.permissions import ALLOW, Decision, deny, register
from shequ.core.scoping import scope_of

COMMUNITY_ROLES = frozenset({"community_worker", "community_secretary"})
OVERSIGHT_ROLES = frozenset({"street_officer", "district_officer"})
RESIDENTS = frozenset({Kind.RESIDENT})


def community_path(obj: Any) -> str:
    """The path of the community a vote (or a compound, a ballot, an electorate owner) belongs to."""
    for attr in ("vote", "compound"):
        inner = getattr(obj, attr, None)
        if inner is not None and not isinstance(inner, str):
            return community_path(inner)
    community = getattr(obj, "community", None)
    return getattr(community, "path", "") or ""


def _community_staff(actor: Any, obj: Any) -> bool:
    scope = scope_of(actor)
    if obj is None:
        return scope.has_role(*COMMUNITY_ROLES)
    path = community_path(obj)
    return bool(path) and scope.covers(path, COMMUNITY_ROLES)


@register("votes.view", "查看本辖区的业主表决、实时计票和公布结果（社区、街道和区工作人员）")
def can_view(actor: Any, obj: Any) -> Decision:
    if _community_staff(actor, obj):
        return ALLOW
    scope = scope_of(actor)
    if obj is None and scope.has_role(*OVERSIGHT_ROLES):
        return ALLOW
    path = community_path(obj) if obj is not None else ""
    if path and scope.covers(path, OVERSIGHT_ROLES):
        return ALLOW
    return deny(_("您无权查看该业主表决"))


@register("votes.manage", "发起、开始和结束小区的业主表决（小区所在社区的工作人员）")
def can_manage(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有小区所在社区的工作人员可以组织业主表决"))


@register("votes.register_proxy", "登记业主的书面委托（附委托书扫描件）")
def can_register_proxy(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有小区所在社区的工作人员可以登记委托"))


@register("votes.enter_paper", "录入纸质选票并查看选票和委托书扫描件（小区所在社区的工作人员）")
def can_enter_paper(actor: Any, obj: Any) -> Decision:
    return ALLOW if _community_staff(actor, obj) else deny(_("只有小区所在社区的工作人员可以录入纸质选票"))


@register("votes.confirm_paper", "复核纸质选票（录入人以外的社区工作人员）")
def can_confirm_paper(actor: Any, ballot: Any) -> Decision:
    if not _community_staff(actor, ballot):
        return deny(_("只有小区所在社区的工作人员可以复核纸质选票"))
    if ballot is not None and getattr(ballot, "entered_by_id", None) == getattr(actor, "pk", None):
        return deny(_("纸质选票须由录入人以外的另一位工作人员复核"))
    return ALLOW


def _resident(actor: Any) -> Any:
    return getattr(actor, "resident", None)


@register("votes.cast", "业主本人或其书面委托的代理人投票", actors=RESIDENTS)
def can_cast(actor: Any, owner: Any) -> Decision:
    resident = _resident(actor)
    if owner is None or resident is None or getattr(actor, "anonymous", False):
        return deny(_("您不是本次表决的业主，不能投票"))
    from .models import ProxyAuthorisation

    if owner.members.filter(resident=resident).exists():
        return ALLOW
    if ProxyAuthorisation.objects.filter(owner=owner, proxy=resident).exists():
        return ALLOW
    return deny(_("您不是本次表决的业主，不能投票"))


@register("votes.see_published", "查看本小区业主表决公布的回执码清单（本次表决的业主）", actors=RESIDENTS)
def can_see_published(actor: Any, vote: Any) -> Decision:
    from .models import ElectorateMember

    resident = _resident(actor)
    if vote is None or resident is None:
        return deny(_("只有本次表决的业主可以查看公布结果"))
    if ElectorateMember.objects.filter(owner__vote=vote, resident=resident).exists():
        return ALLOW
    return deny(_("只有本次表决的业主可以查看公布结果"))
