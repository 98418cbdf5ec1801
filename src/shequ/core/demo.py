"""The demo's shared context, and core's own demo step (the official calendar).

Each app seeds its part of the demo in its own `demo.py` with one function, `seed(ctx: DemoContext)`. The `demo`
command (shequ.web) calls them in a declared order, lowest layer first; a step finds what earlier steps made
in the context under stable keys ("territory.district", "organisations.units", ...) or queries it again.

Deterministic: one seed gives one demo. `ctx.rng` is a single stream shared by the steps that draw from it,
in order; a step that needs its own stream (so that its draws do not depend on the steps before it) takes
`ctx.fresh_rng(offset)`.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shequ.core import calendar
from shequ.core.actors import DEMO_LOADER, SystemActor

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬鹏斌宇浩凯健俊帆帅旭宁"


@dataclass
class DemoContext:
    """What the demo's steps share: the seed and random stream, the actor, and what earlier steps made."""

    seed: int = 2026
    actor: SystemActor = DEMO_LOADER
    rng: random.Random = field(init=False)
    # What a step made, by stable key ("<app label>.<what>"), for the steps after it.
    made: dict[str, Any] = field(default_factory=dict)
    # Totals for the closing `demo.loaded` audit record, in the order the steps add them.
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def fresh_rng(self, offset: int = 0) -> random.Random:
        """A random stream of its own, seeded from the demo's seed (plus `offset`)."""
        return random.Random(self.seed + offset)

    def person_name(self) -> str:
        """A fictitious Chinese name drawn from the shared stream."""
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))

    def put(self, key: str, value: Any) -> None:
        """Record what this step made under `key`; a key is written once."""
        if key in self.made:
            raise KeyError(f"demo: {key!r} was already made by an earlier step")
        self.made[key] = value

    def get(self, key: str) -> Any:
        """What an earlier step recorded under `key`; a KeyError names the missing key (a step out of order)."""
        try:
            return self.made[key]
        except KeyError:
            raise KeyError(f"demo: no earlier step made {key!r}; check the order of the demo steps") from None

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        """The value under `key`, made by `make()` the first time it is asked for."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]


def seed(ctx: DemoContext) -> None:
    """Load the official working-day calendar (deadlines count working days).

    The demo runs in one transaction: the calendar cache is dropped now, not on commit, so that the cases of later
    steps count their deadlines on the calendar just loaded.
    """
    calendar.seed_official_calendar()
    calendar.invalidate()
