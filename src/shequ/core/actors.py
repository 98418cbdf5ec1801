"""Who acts: the one actor model every service takes.

Four kinds of actor call services, and nothing else does:

- a **staff user**: the `accounts.User` of a signed-in staff member (views pass `request.user` as is);
- a **resident**: `ResidentActor(resident)`, a resident signed in to the portal (`anonymous=True` when they
  chose to report without their name: the audit then keeps no link to them);
- an **API client**: `ApiClientActor(client)`, a third-party system holding an Open311 key;
- a **system job**: a `SystemActor` declared once with `system_job(name, label)` (the escalation sweep, the
  import worker, a management command).

A web visitor who is not signed in (`AnonymousUser`, or `None`) is a fifth, powerless kind: every permission
check refuses it. A bare string is not an actor: `kind_of` raises `TypeError`, so a service can never be
called "as 'system'" by accident.

Audit records keep the actor's kind and stable reference (`actor_kind`, `actor_ref`); `describe_actors`
turns them into words for pages ("居民 程*", "匿名居民", "自动升级"), translating the free-text labels of
rows written before the kinds existed. Apps teach it how to name their actors with `register_namer`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    STAFF = "staff"
    RESIDENT = "resident"
    API_CLIENT = "api_client"
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


KIND_LABELS = {
    Kind.STAFF: _("工作人员"),
    Kind.RESIDENT: _("居民"),
    Kind.API_CLIENT: _("接口客户端"),
    Kind.SYSTEM: _("系统任务"),
    Kind.ANONYMOUS: _("未登录访客"),
}


@dataclass(frozen=True, eq=False)
class ResidentActor:
    """A resident acting for themselves through the portal."""

    resident: Any  # registry.Resident
    anonymous: bool = False
    kind: Kind = field(default=Kind.RESIDENT, init=False)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ResidentActor)
            and other.resident.pk == self.resident.pk
            and other.anonymous == self.anonymous
        )

    def __hash__(self) -> int:
        return hash((Kind.RESIDENT, self.resident.pk, self.anonymous))


@dataclass(frozen=True, eq=False)
class ApiClientActor:
    """A third-party system calling the API with its key (open311.ApiClient)."""

    client: Any
    kind: Kind = field(default=Kind.API_CLIENT, init=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiClientActor) and other.client.pk == self.client.pk

    def __hash__(self) -> int:
        return hash((Kind.API_CLIENT, self.client.pk))


@dataclass(frozen=True)
class SystemActor:
    """A job of the system itself; declare each once with `system_job`."""

    name: str
    label: str
    kind: Kind = field(default=Kind.SYSTEM, init=False)


_JOBS: dict[str, SystemActor] = {}


def system_job(name: str, label: Any) -> SystemActor:
    """Declare (or fetch) the system actor `name`, shown on pages as `label` (e.g. "自动升级")."""
    existing = _JOBS.get(name)
    if existing is not None:
        return existing
    job = SystemActor(name, label)
    _JOBS[name] = job
    return job


def registered_jobs() -> dict[str, SystemActor]:
    return dict(_JOBS)


# Jobs of core itself.
COMMAND_LINE = system_job("cli", _("命令行"))
DEMO_LOADER = system_job("demo", _("演示数据"))
SYSTEM = system_job("system", _("系统"))


def kind_of(actor: Any) -> Kind:
    """The kind of `actor`; raises TypeError for anything that is not an actor (a bare string, say)."""
    kind = getattr(actor, "kind", None)
    if isinstance(kind, Kind) and isinstance(actor, ResidentActor | ApiClientActor | SystemActor):
        return kind
    if actor is None:
        return Kind.ANONYMOUS
    if isinstance(actor, str | bytes | int):
        raise TypeError(f"not an actor: {actor!r} (pass a user, ResidentActor, ApiClientActor or SystemActor)")
    if hasattr(actor, "is_authenticated") and hasattr(actor, "get_username"):
        return Kind.STAFF if actor.is_authenticated else Kind.ANONYMOUS
    raise TypeError(f"not an actor: {type(actor).__name__}")


def user_of(actor: Any) -> Any:
    """The staff user behind `actor`, or None for residents, API clients, jobs and visitors."""
    return actor if kind_of(actor) is Kind.STAFF else None


def is_active(actor: Any) -> bool:
    """Whether `actor` may act at all: an active staff account, a resident on the register, an enabled client."""
    kind = kind_of(actor)
    if kind is Kind.STAFF:
        return bool(getattr(actor, "is_active", False))
    if kind is Kind.RESIDENT:
        resident = actor.resident
        return resident is not None and getattr(resident, "pk", None) is not None
    if kind is Kind.API_CLIENT:
        return bool(getattr(actor.client, "active", False))
    return kind is Kind.SYSTEM


def ref_of(actor: Any) -> str:
    """The actor's stable reference: a staff user's id, a resident's or client's public id, a job's name.

    Empty for an anonymous report and for visitors: nothing links the record to a person.
    """
    kind = kind_of(actor)
    if kind is Kind.STAFF:
        return str(actor.pk)
    if kind is Kind.RESIDENT:
        return "" if actor.anonymous else str(actor.resident.public_id)
    if kind is Kind.API_CLIENT:
        return str(actor.client.public_id)
    if kind is Kind.SYSTEM:
        return actor.name
    return ""


def label_of(actor: Any) -> str:
    """A short label stored beside kind and reference; never a resident's name or number.

    Staff: the username. Residents: "resident:<public id>" ("resident:" when anonymous). API clients:
    "api:<name>". Jobs: "job:<name>". `describe_labels` turns these (and the labels of older rows) into words.
    """
    kind = kind_of(actor)
    if kind is Kind.STAFF:
        return str(actor.get_username())
    if kind is Kind.RESIDENT:
        return f"resident:{ref_of(actor)}"
    if kind is Kind.API_CLIENT:
        return f"api:{actor.client.name}"
    if kind is Kind.SYSTEM:
        return f"job:{actor.name}"
    return ""


# --- Turning stored actors into words -------------------------------------------------------------------------

# kind -> function(refs) -> {ref: words}; apps register theirs (registry names residents, open311 clients).
Namer = Callable[[set[str]], dict[str, str]]
_NAMERS: dict[Kind, Namer] = {}


def register_namer(kind: Kind, namer: Namer) -> None:
    _NAMERS[kind] = namer


# Labels written by earlier versions, before actors had kinds: label -> (kind, ref).
_LEGACY_LABELS = {
    "portal": (Kind.RESIDENT, ""),
    "system": (Kind.SYSTEM, "system"),
    "cli": (Kind.SYSTEM, "cli"),
    "demo": (Kind.SYSTEM, "demo"),
}
_LEGACY_PREFIXES = {
    "resident:": Kind.RESIDENT,
    "open311:": Kind.API_CLIENT,
    "api:": Kind.API_CLIENT,
    "job:": Kind.SYSTEM,
    "cli:": Kind.SYSTEM,
}


def parse_label(label: str) -> tuple[Kind, str]:
    """(kind, reference) of a stored label; a plain username is staff. Old rows are read, never rewritten."""
    label = label or ""
    if label in _LEGACY_LABELS:
        return _LEGACY_LABELS[label]
    if label in _JOBS:
        return Kind.SYSTEM, label
    for prefix, kind in _LEGACY_PREFIXES.items():
        if label.startswith(prefix):
            rest = label[len(prefix) :]
            if prefix == "cli:":
                return Kind.SYSTEM, "cli"
            return kind, rest
    if label.startswith("hotline:"):  # a 12345 import, recorded under the importing staff member
        return Kind.STAFF, label[len("hotline:") :]
    if not label:
        return Kind.ANONYMOUS, ""
    return Kind.STAFF, label


def _words(kind: Kind, ref: str, label: str, names: dict[Kind, dict[str, str]]) -> str:
    if kind is Kind.STAFF:  # named by username: the label (a row's ref is the user id)
        return names.get(kind, {}).get(label) or label or ref or str(KIND_LABELS[Kind.STAFF])
    if kind is Kind.RESIDENT:
        if not ref:
            return str(_("匿名居民"))
        return names.get(kind, {}).get(ref) or str(_("居民"))
    if kind is Kind.API_CLIENT:
        name = names.get(kind, {}).get(ref) or ref
        return str(_("接口 %(name)s") % {"name": name})
    if kind is Kind.SYSTEM:
        job = _JOBS.get(ref)
        return str(job.label) if job else str(_("系统任务 %(name)s") % {"name": ref})
    return str(_("未登录访客"))


def describe_labels(entries: Iterable[tuple[str, str, str]]) -> list[str]:
    """Words for each (kind, ref, label) triple; an empty kind means a row from before kinds: parse its label."""
    parsed: list[tuple[Kind, str, str]] = []
    for kind, ref, label in entries:
        if kind:
            parsed.append((Kind(kind), ref, label))
        else:
            k, r = parse_label(label)
            parsed.append((k, r, label[len("hotline:") :] if label.startswith("hotline:") else label))
    wanted: dict[Kind, set[str]] = {}
    for k, r, label in parsed:
        key = label if k is Kind.STAFF else r
        if key and k in _NAMERS:
            wanted.setdefault(k, set()).add(key)
    names = {k: _NAMERS[k](refs) for k, refs in wanted.items()}
    return [_words(k, r, label, names) for k, r, label in parsed]


def describe_label(label: str, kind: str = "", ref: str = "") -> str:
    return describe_labels([(kind, ref, label)])[0]


def describe_actor(actor: Any) -> str:
    """Words for a live actor (e.g. a confirmation message)."""
    return describe_label(label_of(actor), kind_of(actor).value, ref_of(actor))
