"""The day's work on the home page: a registry of to-do providers that each app adds to.

core names no app. An app registers a provider in its `AppConfig.ready()` (`register_todo("cases", provider)`);
the home page asks every provider, in registration order, for the actor's to-dos and shows those with work
waiting. A provider takes the actor and returns `Todo` items counted with the app's own scoped selectors (an
actor counts only what its scope shows), each with the URL of the list behind it: that list shows exactly
`count` rows. Later apps (votes, tasks, meetings) add theirs the same way.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class Urgency(IntEnum):
    """How soon the work is due; the home page lists the most urgent first."""

    OVERDUE = 0  # a deadline has passed
    TODAY = 1  # due before the end of today
    WAITING = 2  # waiting for the actor, no deadline today


@dataclass(frozen=True)
class Todo:
    """One count on the home page: `label` (with the `stage` whose deadline it is, if any) and its list's URL."""

    key: str
    label: Any  # str or a lazy translation
    count: int
    url: str
    urgency: Urgency = Urgency.WAITING
    stage: Any = ""  # e.g. 受理, 派单, 办理: the stage whose deadline is due or past


Provider = Callable[[Any], Iterable[Todo]]

_PROVIDERS: dict[str, Provider] = {}


def register_todo(key: str, provider: Provider) -> None:
    """Ask `provider` for the home page's to-dos; registering a key again replaces its provider."""
    _PROVIDERS[key] = provider


def providers() -> tuple[str, ...]:
    """The registered keys, in registration order."""
    return tuple(_PROVIDERS)


def todos_for(actor: Any) -> list[Todo]:
    """The actor's to-dos with work waiting (count > 0): the most urgent first, then in registration order."""
    items = [t for provider in _PROVIDERS.values() for t in provider(actor) if t.count > 0]
    return sorted(items, key=lambda t: t.urgency)  # stable: registration order within an urgency
