"""Benchmark: the exact tally of an owners' vote in a compound of 20,000 dwellings with 15,000 ballots.

Run: `python bench/bench_tally.py` (SQLite), or with `SHEQU_BENCH_DATABASE_URL=postgres://…/shequ_bench` for
PostgreSQL. The compound's owners are on the register (a developer's unsold stock, buyers of several dwellings,
co-owners); the vote is opened through `services.vote_open` (the frozen electorate), the ballots are written in
bulk (three items: ordinary, special, an election of 3 of 5). The ratio is `counting.vote_tally` (both queries,
the Decimal/Fraction engine, every item with its explanation) against one plain SQL aggregate over the same
ballot rows (counts and area sums by item and choice), measured in the same run; the median of 5 runs each.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402,F401  (sets up Django on a throw-away database)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from shequ.accounts.models import RoleAssignment, User  # noqa: E402
from shequ.core.keyring import keyring_init  # noqa: E402
from shequ.registry.models import Ownership, Resident  # noqa: E402
from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling  # noqa: E402
from shequ.votes import counting, rules, services  # noqa: E402
from shequ.votes.models import Ballot, BallotChoice, Candidate  # noqa: E402

RUNS = 5
AGGREGATE = """
SELECT c.item_id, c.choice, c.candidate_id, COUNT(*), SUM(o.area)
FROM votes_ballotchoice c
JOIN votes_ballot b ON b.id = c.ballot_id
JOIN votes_electorateowner o ON o.id = b.owner_id
WHERE b.vote_id = %s AND b.status = 'counted'
GROUP BY c.item_id, c.choice, c.candidate_id
"""


def setup_world(dwellings: int, rng: random.Random):
    call_command("migrate", verbosity=0)
    keyring_init()
    city = Area.objects.create(level="city", code="510100000000", name="成都市", is_official_code=True)
    district = Area.objects.create(parent=city, level="district", code="510107000000", name="武侯区")
    street = Area.objects.create(parent=district, level="street", code="510107001000", name="街道")
    community = Area.objects.create(parent=street, level="community", code="510107001002", name="社区")
    compound = Compound.objects.create(community=community, code="C1", name="大型小区")
    user = User.objects.create(username="bench", display_name="压测")
    RoleAssignment.objects.create(user=user, role="community_worker", area=community)
    per_building = 200
    rows = []
    for b in range(dwellings // per_building):
        building = Building.objects.create(compound=compound, name=f"{b + 1}栋", number=b + 1, floors=25)
        unit = BuildingUnit.objects.create(building=building, number=1, name="1单元")
        for n in range(per_building):
            area = Decimal(rng.randint(4500, 14500)) / 100
            rows.append(Dwelling(unit=unit, building=building, floor=n // 8 + 1, number=f"{n:04d}", floor_area=area))
    Dwelling.objects.bulk_create(rows, batch_size=5000)
    homes = list(Dwelling.objects.filter(building__compound=compound).order_by("pk"))
    residents = Resident.objects.bulk_create(
        [Resident(community=community, name=f"业主{i}") for i in range(len(homes))], batch_size=5000
    )
    since = date(2015, 1, 1)
    ownerships = []
    for i, d in enumerate(homes):
        if i % 20 == 0:  # the developer's unsold stock: one owner
            ownerships.append(
                Ownership(
                    dwelling=d, owner_kind="developer", organisation_name="开发商", registered_area=d.floor_area,
                    valid_from=since,
                )
            )  # fmt: skip
            continue
        owner = residents[i - 1] if i % 10 == 1 and i > 1 else residents[i]  # some buyers of two dwellings
        ownerships.append(
            Ownership(dwelling=d, resident=owner, registered_area=d.floor_area, valid_from=since, share=Decimal(1))
        )
        if i % 7 == 0:  # co-owners
            ownerships[-1].share = Decimal("0.5")
            ownerships.append(
                Ownership(
                    dwelling=d, resident=residents[(i + 1) % len(residents)], registered_area=d.floor_area,
                    valid_from=since, share=Decimal("0.5"),
                )
            )  # fmt: skip
    Ownership.objects.bulk_create(ownerships, batch_size=5000)
    return user, compound


def cast_in_bulk(vote, ballots: int, rng: random.Random) -> int:
    owners = list(vote.owners.order_by("pk"))
    chosen = rng.sample(owners, min(ballots, len(owners)))
    items = list(vote.items.order_by("position"))
    candidates = list(Candidate.objects.filter(item=items[2]).order_by("position"))
    now = timezone.now()
    rows = [
        Ballot(
            vote=vote, owner=o, owner_key=o.owner_key, channel="online", status="counted", cast_at=now,
            receipt_code=rules.new_receipt_code(),
        )
        for o in chosen
    ]  # fmt: skip
    Ballot.objects.bulk_create(rows, batch_size=5000)
    choices = []
    words = ["agree", "agree", "agree", "oppose", "abstain", ""]
    for ballot in Ballot.objects.filter(vote=vote).only("pk"):
        for item in items[:2]:
            word = rng.choice(words)
            if word:
                choices.append(BallotChoice(ballot=ballot, item=item, choice=word))
        for c in rng.sample(candidates, rng.randint(0, 3)):
            choices.append(BallotChoice(ballot=ballot, item=items[2], candidate=c))
    BallotChoice.objects.bulk_create(choices, batch_size=10000)
    return len(rows)


def median_seconds(fn) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dwellings", type=int, default=20_000)
    parser.add_argument("--ballots", type=int, default=15_000)
    args = parser.parse_args()
    rng = random.Random(278)
    user, compound = setup_world(args.dwellings, rng)
    vote = services.vote_create(
        actor=user,
        compound=compound,
        title="压测表决",
        description="",
        closes_at=timezone.now() + timedelta(days=14),
        items=[
            services.ItemInput(kind="ordinary", title="续聘物业"),
            services.ItemInput(kind="special", title="使用维修资金"),
            services.ItemInput(kind="election", title="选举业委会", seats=3, candidates=["甲", "乙", "丙", "丁", "戊"]),
        ],
    )
    t0 = time.perf_counter()
    vote = services.vote_open(actor=user, vote=vote)
    opened = time.perf_counter() - t0
    cast = cast_in_bulk(vote, args.ballots, rng)

    def aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(AGGREGATE, [vote.pk])
            cursor.fetchall()

    def tally() -> None:
        counting.vote_tally(vote)

    aggregate()  # warm the caches of both alike
    tally()
    base = median_seconds(aggregate)
    full = median_seconds(tally)
    print(
        f"database: {connection.vendor}; {args.dwellings:,} dwellings, {vote.total_owners:,} owners, {cast:,} ballots"
    )
    print(f"vote_open (freeze the electorate): {opened:.2f}s")
    print(f"{'scenario':52} {'seconds':>10} {'ratio':>8}")
    print("-" * 72)
    print(f"{'one SQL aggregate over the ballot rows (baseline)':52} {base:10.3f} {1:8.2f}")
    print(f"{'vote_tally (exact engine, 3 items, explanations)':52} {full:10.3f} {full / base:8.2f}")


if __name__ == "__main__":
    main()
