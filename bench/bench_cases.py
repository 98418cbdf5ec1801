"""Benchmark: case submissions through the full service path, and one escalation sweep over many open cases.

Run: `python bench/bench_cases.py` (SQLite, 1 client), or with
`SHEQU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench` for PostgreSQL (1, 8 and 32 clients, and
the sweep). `--sweep-cases 1000000` for the full sweep scenario (default 100,000; 10% overdue). Ratios are against
baselines measured in the same run: bare inserts of the same case rows, and a bare UPDATE of the overdue rows.
"""

import argparse
import itertools
import resource
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402,F401  (sets up Django on a throw-away database)
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shequ.accounts.models import RoleAssignment, User  # noqa: E402
from shequ.cases import services, sweep  # noqa: E402
from shequ.cases.models import Case  # noqa: E402
from shequ.core.calendar import seed_official_calendar  # noqa: E402
from shequ.core.keyring import keyring_init  # noqa: E402
from shequ.territory.models import Area, Building, Compound  # noqa: E402


def setup_world():
    call_command("migrate", verbosity=0)
    keyring_init()
    seed_official_calendar()
    services.categories_seed()
    city = Area.objects.create(level="city", code="510100000000", name="成都市", is_official_code=True)
    district = Area.objects.create(parent=city, level="district", code="510107000000", name="武侯区")
    street = Area.objects.create(parent=district, level="street", code="510107001000", name="街道")
    community = Area.objects.create(parent=street, level="community", code="510107001002", name="社区")
    grid = Area.objects.create(parent=community, level="grid", code="510107001002-01", name="网格")
    micro = Area.objects.create(parent=grid, level="micro_grid", code="510107001002-01-01", name="微网格")
    compound = Compound.objects.create(community=community, code="C1", name="小区")
    building = Building.objects.create(compound=compound, micro_grid=micro, name="1栋", number=1)
    user = User.objects.create(username="bench", display_name="压测")
    RoleAssignment.objects.create(user=user, role="community_worker", area=community)
    return user, community, building


def run_clients(clients: int, total: int, fn) -> float:
    per = max(1, total // clients)
    errors: list[Exception] = []

    def worker(offset: int) -> None:
        try:
            for i in range(per):
                fn(offset * per + i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} client error(s), first: {errors[0]!r}")
    return (per * clients) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=480)
    parser.add_argument("--sweep-cases", type=int, default=100_000)
    args = parser.parse_args()
    user, community, building = setup_world()
    now = timezone.now()
    serial = itertools.count()  # shared by the client threads; next() on a count is atomic under the GIL

    def bare(i: int) -> None:
        with transaction.atomic():
            Case.objects.create(
                tracking_number=f"B{next(serial):012d}",
                case_type="help",
                channel="staff",
                title="路灯不亮",
                description="后门通道路灯坏了一个月",
                community=community,
                location_path=community.path,
                first_receiver=community,
                holder=community,
                holder_path=community.path,
                submitted_at=now,
                accept_by=now,
            )

    def full(i: int) -> None:
        services.case_submit(
            actor=user,
            data=services.CaseInput(
                case_type="help",
                title="路灯不亮",
                description="后门通道路灯坏了一个月",
                channel="staff",
                building=building,
                reporter_name="王先生",
                reporter_mobile="13812345678",
            ),
        )

    clients = (1, 8, 32) if connection.vendor == "postgresql" else (1,)
    print(f"database: {connection.vendor}; {args.submissions} submissions per scenario")
    print(f"{'scenario':44} {'per second':>12} {'ratio':>8}")
    print("-" * 68)
    for n in clients:
        base = run_clients(n, args.submissions, bare)
        full_rate = run_clients(n, args.submissions, full)
        print(f"{f'{n} client(s): bare insert (baseline)':44} {base:12.0f} {1:8.2f}")
        print(f"{f'{n} client(s): case_submit (full service path)':44} {full_rate:12.0f} {full_rate / base:8.2f}")
    if connection.vendor != "postgresql":
        print("(the sweep scenario runs on PostgreSQL only)")
        return
    Case.objects.all().delete()
    m = args.sweep_cases
    overdue_at = now - timedelta(days=1)
    later = now + timedelta(days=3)
    batch = []
    for i in range(m):
        late = i % 10 == 0
        batch.append(
            Case(
                tracking_number=f"S{i:011d}",
                case_type="help",
                channel="staff",
                title="t",
                description="d",
                community=community,
                location_path=community.path,
                first_receiver=community,
                holder=community,
                holder_path=community.path,
                submitted_at=now,
                accept_by=now,
                escalate_after=overdue_at if late else later,
            )
        )
        if len(batch) == 20_000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    overdue = Case.objects.filter(escalate_after__lt=now).count()
    with transaction.atomic():
        t0 = time.perf_counter()
        Case.objects.filter(escalate_after__lt=now).update(holder=community, supervised=True)
        bare_update = time.perf_counter() - t0
        transaction.set_rollback(True)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    escalated = sweep.escalate_overdue(now=now)
    sweep_time = time.perf_counter() - t0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nsweep over {m:,} open cases, {overdue:,} overdue: escalated {escalated:,}")
    print(f"{'bare UPDATE of the overdue rows (baseline)':44} {bare_update:10.2f}s {1:8.2f}")
    print(f"{'escalate_overdue (lock, transition, audit)':44} {sweep_time:10.2f}s {sweep_time / bare_update:8.2f}")
    print(f"peak RSS grew by {(rss_after - rss_before) / 1024:.0f} MB during the sweep (bounded batches)")


if __name__ == "__main__":
    main()
