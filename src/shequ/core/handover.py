"""Registry of participants in a staff handover: each app moves a person's open work to a successor.

Accounts moves role assignments; later apps (cases, …) register a function here that moves their
open work. All run inside the handover's single transaction.
"""

from collections.abc import Callable
from typing import Any

HandoverFn = Callable[[Any, Any, Any], int]  # (actor, from_user, to_user) -> number of items moved
_PARTICIPANTS: dict[str, HandoverFn] = {}


def register(name: str) -> Callable[[HandoverFn], HandoverFn]:
    def decorator(fn: HandoverFn) -> HandoverFn:
        _PARTICIPANTS[name] = fn
        return fn

    return decorator


def participants() -> dict[str, HandoverFn]:
    return dict(_PARTICIPANTS)
