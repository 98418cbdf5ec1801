import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.accounts import demo as accounts_demo
from shequ.analysis import demo as analysis_demo
from shequ.cases import demo as cases_demo
from shequ.coordination import demo as coordination_demo
from shequ.core import audit
from shequ.core import demo as core_demo
from shequ.core.demo import DemoContext
from shequ.deliberation import demo as deliberation_demo
from shequ.disputes import demo as disputes_demo
from shequ.notices import demo as notices_demo
from shequ.organisations import demo as organisations_demo
from shequ.party import demo as party_demo
from shequ.registry import demo as registry_demo
from shequ.territory import demo as territory_demo
from shequ.volunteers import demo as volunteers_demo
from shequ.votes import demo as votes_demo

# Each app seeds its own part of the demo (`<app>/demo.py`, `seed(ctx)`), lowest layer first: a step may use
# what the steps before it made, never what comes after.
STEPS: tuple[tuple[str, Callable[[DemoContext], None]], ...] = (
    ("core", core_demo.seed),  # the official working-day calendar
    ("territory", territory_demo.seed),  # the real district, generated compounds, buildings, grids, dwellings
    ("accounts", accounts_demo.seed),  # staff accounts, one or more per role and level
    ("organisations", organisations_demo.seed),  # departments and organisations; their accounts join them
    ("registry", registry_demo.seed),  # residents, households, ownerships
    ("cases", cases_demo.seed),  # categories, cases in every state, unit work
    ("notices", notices_demo.seed),  # public notices with objections, answered and waiting
    ("votes", votes_demo.seed),  # owners' votes: one closed and published, one open with a live tally
    ("deliberation", deliberation_demo.seed),  # a residents' council and supervisory board, proposals, a meeting
    ("disputes", disputes_demo.seed),  # mediation files of the dispute cases
    ("analysis", analysis_demo.seed),  # the stored warnings of the open cases
    ("party", party_demo.seed),  # the Party tree, members, posts, a year of 三会一课; organiser0, organiser1
    ("volunteers", volunteers_demo.seed),  # volunteers of the first community, a year of confirmed services
    ("coordination", coordination_demo.seed),  # actors' duties and a year of joint meetings with follow-ups
)


def build_demo(*, seed: int = 2026) -> DemoContext:
    """Run every demo step in order in one transaction, then append the `demo.loaded` audit record."""
    ctx = DemoContext(seed=seed)
    with transaction.atomic():
        for _label, step in STEPS:
            step(ctx)
        district = ctx.get("territory.district")
        audit.record(
            actor=ctx.actor,
            action="demo.loaded",
            object_type="territory.area",
            object_id=str(district.public_id),
            object_label=district.name,
            after=dict(ctx.counts),
        )
    return ctx


class Command(BaseCommand):
    help = "Load the demo district (real 武侯区 divisions, generated places and staff). Refuses a non-empty database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing (exit 0) when data already exists")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options) -> None:
        from shequ.territory.selectors import area_by_code, territory_is_empty

        if not territory_is_empty():
            if options["if_empty"]:
                self.stdout.write("demo: the database already holds territory data, nothing to do")
                return
            if area_by_code(territory_demo.DISTRICT_CODE) is not None:
                raise CommandError("the database already holds the demo district; use a fresh database")
        started = time.monotonic()
        ctx = build_demo(seed=options["seed"])
        staff = ctx.get("accounts.staff")
        self.stdout.write(f"demo loaded in {time.monotonic() - started:.1f}s: {len(staff)} staff accounts")
