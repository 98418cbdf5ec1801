"""Registry of named actions, the single `require` every service calls, and the write-service marker.

Each app registers its actions in its own `permissions.py` with `@register("app.verb_noun", "说明")`.
A check function takes `(actor, obj)` and returns a `Decision`. An action names the kinds of actor it is
open to (`actors=`, staff users by default, see `core.actors`); `can` refuses any other kind before the
check runs, so a check only ever sees the kinds it was written for. Services call `require(actor, action,
obj)` unconditionally, whoever the actor is; views may call `can(...)` to decide whether to show a button.

Every public function of a services module that writes is marked `@write_service("app.action")`. The
marker records the action (a test builds arguments for every marked function and checks that an actor
without the permission is refused and nothing is written) and, where `SHEQU_ENFORCE_ACTOR_CHECKS` is on
(tests, development), fails loudly when the function returns without having called `require` itself.
"""

import contextvars
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .actors import Kind, is_active, kind_of
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

STAFF_ONLY = frozenset({Kind.STAFF})


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    check: Check
    actors: frozenset[Kind] = STAFF_ONLY


_REGISTRY: dict[str, Action] = {}


def register(name: str, description: str, *, actors: Iterable[Kind] = STAFF_ONLY) -> Callable[[Check], Check]:
    """Register `check` as the rule for the named action, open to the given kinds of actor; names are unique."""
    kinds = frozenset(actors)
    if Kind.ANONYMOUS in kinds:
        raise ValueError(f"{name}: no action is open to visitors who are not signed in")

    def decorator(check: Check) -> Check:
        if name in _REGISTRY and _REGISTRY[name].check is not check:
            raise RuntimeError(f"permission action registered twice: {name}")
        _REGISTRY[name] = Action(name, description, check, kinds)
        return check

    return decorator


def registered_actions() -> dict[str, Action]:
    return dict(sorted(_REGISTRY.items()))


_KIND_REFUSALS = {
    Kind.STAFF: _("工作人员不能执行此操作"),
    Kind.RESIDENT: _("居民不能执行此操作"),
    Kind.API_CLIENT: _("接口客户端不能执行此操作"),
    Kind.SYSTEM: _("系统任务不能执行此操作"),
}


def can(actor: Any, action: str, obj: Any = None) -> Decision:
    """Decide whether `actor` may perform `action` on `obj` (unknown actions raise KeyError)."""
    entry = _REGISTRY.get(action)
    if entry is None:
        raise KeyError(f"unknown permission action: {action}")
    kind = kind_of(actor)  # TypeError for a bare string: never an actor
    if kind is Kind.ANONYMOUS or not is_active(actor):
        return deny(_("请先登录"))
    if kind not in entry.actors:
        return deny(_KIND_REFUSALS[kind])
    return entry.check(actor, obj)


# The calls of `write_service` functions in progress; `require` marks the innermost one as checked.
_checked: contextvars.ContextVar[tuple[list[bool], ...]] = contextvars.ContextVar("shequ_write_services", default=())


def require(actor: Any, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `actor` may perform `action` on `obj`."""
    stack = _checked.get()
    if stack:
        stack[-1][0] = True
    decision = can(actor, action, obj)
    if not decision.allowed:
        raise PermissionDenied(decision.reason, action=action)


F = TypeVar("F", bound=Callable[..., Any])


class ActorNotChecked(AssertionError):
    """A write service returned without calling `require`: a bug, whatever the actor was."""


def write_service(*actions: str) -> Callable[[F], F]:
    """Mark a service that writes; `actions` are the registered actions it requires (first: the main one)."""
    if not actions:
        raise ValueError("write_service needs the registered action(s) it requires")

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not getattr(settings, "SHEQU_ENFORCE_ACTOR_CHECKS", False):
                return fn(*args, **kwargs)
            flag = [False]
            token = _checked.set((*_checked.get(), flag))
            try:
                result = fn(*args, **kwargs)
            finally:
                _checked.reset(token)
            if not flag[0]:
                raise ActorNotChecked(f"{fn.__module__}.{fn.__qualname__} returned without calling require()")
            return result

        wrapper.write_actions = actions  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def write_actions(fn: Any) -> tuple[str, ...]:
    """The actions a function was marked with by `write_service` (empty when unmarked)."""
    return tuple(getattr(fn, "write_actions", ()))
