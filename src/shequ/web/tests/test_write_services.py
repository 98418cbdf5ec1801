"""Every write service checks its actor, whoever calls it (issue 12).

1. Every public function of every services module (`services.py`, `*_services.py`, transitions, approvals, the
   sweep, the on-the-spot flow, imports, disclosures …, and any module holding a `@write_service` function) is
   either marked `@write_service("app.action")`, listed in `READS_ONLY` with the reason it writes nothing, or
   listed in `WRITES_WITHOUT_ACTOR` with the reason it has no actor to check (sign-in steps, internal steps of
   marked services). Entries of both lists must still exist and be unmarked.
2. Every marked function is called, with arguments built for it, by actors lacking the permission: a staff
   account without any role, a resident of another street, and an API client that was disabled. Each call
   must be refused (PermissionDenied, or NotFound where the service hides what lies outside the actor's
   scope) and must write nothing: no row in any table — no audit record, no notification, no outbox entry.
   Only `OWN_ACCOUNT` names an outsider who acts on their own account or session, with the reason.
"""

import ast
import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

import shequ
from shequ.core.actors import ApiClientActor, ResidentActor
from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.permissions import registered_actions, write_actions

from .write_service_args import (
    ACTOR_PARAMETERS,
    ARGUMENTS,
    DEFAULTS,
    DISABLED_CLIENT,
    OWN_ACCOUNT,
    READS_ONLY,
    RESIDENT_ELSEWHERE,
    STAFF_WITHOUT_ROLE,
    WRITES_WITHOUT_ACTOR,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db

# Modules that hold services by name; any other module holding a @write_service function is included too.
SERVICE_MODULE_NAMES = frozenset(
    {"services", "transitions", "approvals", "sweep", "onsite", "imports", "import_recovery", "disclosures", "public"}
)


def _has_marker(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name == "write_service":
                    return True
    return False


def service_modules() -> list[str]:
    found = []
    root = Path(shequ.__file__).parent
    for info in pkgutil.walk_packages([str(root)], prefix="shequ."):
        parts = info.name.split(".")
        if info.ispkg or "tests" in parts or "migrations" in parts or "management" in parts:
            continue
        last = parts[-1]
        path = root.joinpath(*parts[1:]).with_suffix(".py")
        if last in SERVICE_MODULE_NAMES or last.endswith("_services") or _has_marker(path):
            found.append(info.name)
    return sorted(found)


def public_functions(module_name: str) -> dict[str, Callable[..., Any]]:
    module = importlib.import_module(module_name)
    out = {}
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        if inspect.unwrap(fn).__module__ != module_name:
            continue  # imported from elsewhere: judged in its own module
        out[f"{module_name}.{name}"] = fn
    return out


@functools.cache
def all_functions() -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for module_name in service_modules():
        out.update(public_functions(module_name))
    return out


MARKED = sorted(name for name, fn in all_functions().items() if write_actions(fn))


def test_every_public_service_function_is_marked_or_listed_as_writing_nothing():
    functions = all_functions()
    listed = READS_ONLY.keys() | WRITES_WITHOUT_ACTOR.keys()
    unmarked = sorted(n for n, fn in functions.items() if not write_actions(fn) and n not in listed)
    assert not unmarked, (
        "mark these @write_service(...) or list them in READS_ONLY / WRITES_WITHOUT_ACTOR with a reason:\n"
        + "\n".join(unmarked)
    )
    assert not READS_ONLY.keys() & WRITES_WITHOUT_ACTOR.keys()
    stale = sorted(n for n in listed if n not in functions or write_actions(functions[n]))
    assert not stale, "READS_ONLY / WRITES_WITHOUT_ACTOR list functions that are gone or marked:\n" + "\n".join(stale)
    assert all(reason.strip() for reason in [*READS_ONLY.values(), *WRITES_WITHOUT_ACTOR.values()])
    assert len(MARKED) >= 60  # guard against discovery silently finding nothing


def test_exemptions_name_marked_functions_and_known_outsiders():
    """OWN_ACCOUNT, ARGUMENTS and ACTOR_PARAMETERS name marked functions only (no stale entries)."""
    stale = sorted(n for n in [*OWN_ACCOUNT, *ARGUMENTS, *ACTOR_PARAMETERS] if n not in MARKED)
    assert not stale, "entries for functions that are gone or unmarked:\n" + "\n".join(stale)
    outsiders = {STAFF_WITHOUT_ROLE, RESIDENT_ELSEWHERE, DISABLED_CLIENT}
    for name, exempt in OWN_ACCOUNT.items():
        assert exempt and set(exempt) < outsiders, name  # at least one outsider is always refused
        assert all(reason.strip() for reason in exempt.values()), name


def test_marked_functions_name_registered_actions():
    known = registered_actions()
    for name, fn in all_functions().items():
        for action in write_actions(fn):
            assert action in known, f"{name} names an unregistered action {action}"


def test_every_marked_function_has_arguments():
    functions = all_functions()
    missing = sorted(n for n in MARKED if _unbuildable(n, functions[n]))
    assert not missing, "no argument builder for:\n" + "\n".join(missing)


def _unbuildable(name: str, fn: Callable[..., Any]) -> list[str]:
    sig = inspect.signature(inspect.unwrap(fn))
    actor = ACTOR_PARAMETERS.get(name, "actor")
    assert actor in sig.parameters, f"{name} takes no parameter {actor}"
    special = ARGUMENTS.get(name, {})
    return [
        p.name
        for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty and p.name not in DEFAULTS and p.name != actor and p.name not in special
    ]


def _counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}


def _arguments(name: str, fn: Callable[..., Any], world: World, actor: Any) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for calling `fn` as `actor` (objects they need are made now)."""
    sig = inspect.signature(inspect.unwrap(fn))
    kwargs = {key: build(world) for key, build in ARGUMENTS.get(name, {}).items()}
    actor_parameter = ACTOR_PARAMETERS.get(name, "actor")
    for p in sig.parameters.values():
        if p.name == actor_parameter:
            kwargs[p.name] = actor
        elif p.name not in kwargs and p.default is inspect.Parameter.empty:
            kwargs[p.name] = DEFAULTS[p.name](world)
    positional = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    return [kwargs.pop(p.name) for p in positional], kwargs


@pytest.mark.parametrize("name", MARKED)
def test_an_actor_without_the_permission_is_refused_and_nothing_is_written(name, clock):
    world = build_world()
    fn = all_functions()[name]
    outsiders = {
        STAFF_WITHOUT_ROLE: world.nobody,
        RESIDENT_ELSEWHERE: ResidentActor(world.stranger),
        DISABLED_CLIENT: ApiClientActor(world.disabled_client),
    }
    calls = {
        label: _arguments(name, fn, world, actor)
        for label, actor in outsiders.items()
        if label not in OWN_ACCOUNT.get(name, {})
    }
    before = _counts()  # after every argument was built: only the calls may change it
    for label, (args, kwargs) in calls.items():
        with pytest.raises((PermissionDenied, NotFound)):
            fn(*args, **kwargs)
        after = _counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{name} refused {label} but wrote: {changed}"
