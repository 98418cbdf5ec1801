"""Registry of named actions and the single `require` every service calls.

Each app registers its actions in its own `permissions.py` with `@register("app.verb_noun", "说明")`.
A check function takes `(actor, obj)` and returns a `Decision`. Services call
`require(actor, action, obj)`; views may call `can(...)` to decide whether to show a button.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import PermissionDenied


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: Any = "") -> Decision:
    return Decision(False, str(reason or _("没有执行此操作的权限")))


Check = Callable[[Any, Any], Decision]


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    check: Check


_REGISTRY: dict[str, Action] = {}


def register(name: str, description: str) -> Callable[[Check], Check]:
    """Register `check` as the rule for the named action; names are unique."""

    def decorator(check: Check) -> Check:
        if name in _REGISTRY and _REGISTRY[name].check is not check:
            raise RuntimeError(f"permission action registered twice: {name}")
        _REGISTRY[name] = Action(name, description, check)
        return check

    return decorator


def registered_actions() -> dict[str, Action]:
    return dict(sorted(_REGISTRY.items()))


def can(actor: Any, action: str, obj: Any = None) -> Decision:
    """Decide whether `actor` may perform `action` on `obj` (unknown actions are denied)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return deny(_("请先登录"))
    entry = _REGISTRY.get(action)
    if entry is None:
        raise KeyError(f"unknown permission action: {action}")
    return entry.check(actor, obj)


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `actor` may perform `action` on `obj`."""
    decision = can(actor, action, obj)
    if not decision.allowed:
        raise PermissionDenied(decision.reason, action=action)
