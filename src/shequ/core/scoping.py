"""Territorial scope of an actor: the set of area subtrees their role assignments cover.

An area is identified here by its materialised path ("510100000000/510107000000/…/"); a node lies in
a scope when its path starts with one of the scope's paths. Accounts build the scope from role
assignments (`User.get_scope()`); selectors in every app filter by it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class Grant:
    role: str
    area_id: int
    area_path: str
    area_level: str
    unit_id: int | None = None


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = ()
    territory_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    def paths(self, roles: Iterable[str] | None = None) -> tuple[str, ...]:
        """Return the minimal set of subtree paths granted by `roles` (default: territorial roles)."""
        wanted = frozenset(roles) if roles is not None else self.territory_roles
        raw = sorted({g.area_path for g in self.grants if g.role in wanted})
        minimal: list[str] = []
        for p in raw:
            if not any(p.startswith(m) for m in minimal):
                minimal.append(p)
        return tuple(minimal)

    def covers(self, path: str, roles: Iterable[str] | None = None) -> bool:
        return any(path.startswith(p) for p in self.paths(roles))

    def unit_ids(self, roles: Iterable[str] | None = None) -> frozenset[int]:
        """Units (outside the territory tree) the actor works for, through `roles` (default: any role)."""
        wanted = frozenset(roles) if roles is not None else None
        return frozenset(
            g.unit_id for g in self.grants if g.unit_id is not None and (wanted is None or g.role in wanted)
        )

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    def q(self, lookup: str, roles: Iterable[str] | None = None) -> Q:
        """Return a Q filtering `lookup` (a path field) to the scope; matches nothing when empty."""
        paths = self.paths(roles)
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for p in paths:
            q |= Q(**{f"{lookup}__startswith": p})
        return q


EMPTY_SCOPE = Scope()


def scope_of(actor: Any) -> Scope:
    """Return the actor's scope; anonymous and inactive actors have none."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return EMPTY_SCOPE
    get_scope = getattr(actor, "get_scope", None)
    return get_scope() if get_scope else EMPTY_SCOPE
