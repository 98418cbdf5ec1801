"""Benchmark: importing a generated 100,000-row resident .xlsx against a bare bulk insert of the same rows.

Run: `python bench/bench_import.py [--rows 100000]` (SQLite in a temporary directory), or with
`SHEQU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench` for PostgreSQL (the database is
created if missing and its tables are replaced). `--rows 10000` is a quick run.

It builds one community with compounds, buildings, units and dwellings, writes an .xlsx of fictitious
residents (checksum-valid ID numbers, mobiles, households of 1–5 at real addresses, care tags), then times

  (a) baseline: one `bulk_create` of the same Resident rows, values already encrypted, in one transaction;
  (b) the full import as the application runs it: upload (encrypt + store), the validation task (read,
      check, classify, stage in chunks) and the apply task (prepare outside the transaction, then one
      transaction inserting residents, households, stays, tags and events).

While (b) runs, a separate process commits a tiny write every 20 ms, as other users would: its worst wait
shows how long the import kept the database's write lock. The longest transaction the import held is
measured by timing every outermost `transaction.atomic` block. Prints a table; nothing is asserted on time.
"""

import argparse
import io
import multiprocessing
import os
import random
import resource
import sys
import time
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import logging  # noqa: E402

import benchdb  # noqa: E402,F401  (sets up Django on a throw-away database)
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from shequ.accounts.models import RoleAssignment, User  # noqa: E402
from shequ.core.keyring import keyring_init  # noqa: E402
from shequ.core.validators import resident_id_check_char  # noqa: E402
from shequ.registry import encryption, imports  # noqa: E402
from shequ.registry.models import Household, ImportRow, Residence, Resident, ResidentEvent, ResidentTag  # noqa: E402
from shequ.territory.models import Area, Building, BuildingUnit, Compound, Dwelling  # noqa: E402

logging.getLogger("huey").setLevel(logging.WARNING)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国志强海燕文斌晓东雪梅春生"
RELATIONS = ["户主", "配偶", "子女", "子女", "父母"]
RESIDENCE = ["户籍", "户籍", "常住", "流动"]
HEADER = [
    "姓名",
    "性别",
    "证件类型",
    "证件号码",
    "出生日期",
    "手机号码",
    "户号",
    "与户主关系",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "居住类型",
    "关怀标签",
    "备注",
    "采集依据",
]
COMPOUNDS, BUILDINGS, UNITS, FLOORS, PER_FLOOR = 10, 15, 4, 18, 4  # 43,200 dwellings


# --- timing of transactions ---------------------------------------------------------------------------------

_held: list[tuple[float, str]] = []
_phase = ["setup"]
_original_enter, _original_exit = transaction.Atomic.__enter__, transaction.Atomic.__exit__


def _enter(self):
    if not connection.in_atomic_block:
        self._bench_start = time.perf_counter()
    return _original_enter(self)


def _exit(self, exc_type, exc_value, tb):
    try:
        return _original_exit(self, exc_type, exc_value, tb)
    finally:
        start = getattr(self, "_bench_start", None)
        if start is not None and not connection.in_atomic_block:
            _held.append((time.perf_counter() - start, _phase[0]))
            self._bench_start = None


transaction.Atomic.__enter__, transaction.Atomic.__exit__ = _enter, _exit


# --- a concurrent writer --------------------------------------------------------------------------------------


def probe(stop, results) -> None:
    """Commit one small write every 20 ms; report the worst and the 99th-percentile latency."""
    from django.contrib.sessions.models import Session

    connection.close()
    waits, errors, i = [], 0, 0
    while not stop.is_set():
        i += 1
        start = time.perf_counter()
        try:
            with transaction.atomic():
                Session.objects.create(
                    session_key=f"bench{os.getpid()}x{i}", session_data="x", expire_date=timezone.now()
                )
        except Exception:  # noqa: BLE001 - "database is locked" after busy_timeout: count it
            errors += 1
        waits.append(time.perf_counter() - start)
        time.sleep(0.02)
    connection.close()
    waits.sort()
    results.put((len(waits), waits[-1] if waits else 0.0, waits[int(len(waits) * 0.99)] if waits else 0.0, errors))


# --- data -------------------------------------------------------------------------------------------------


def build_territory():
    city = Area.objects.create(level="city", code="510100000000", name="成都市", is_official_code=True)
    district = Area.objects.create(parent=city, level="district", code="510107000000", name="武侯区")
    street = Area.objects.create(parent=district, level="street", code="510107001000", name="浆洗街街道")
    community = Area.objects.create(parent=street, level="community", code="510107001002", name="基准社区")
    compounds = Compound.objects.bulk_create(
        [Compound(community=community, code=f"BENCH-C{c:02d}", name=f"基准{c + 1}号小区") for c in range(COMPOUNDS)]
    )
    buildings = Building.objects.bulk_create(
        [
            Building(compound=c, name=f"{b + 1}栋", number=b + 1, floors=FLOORS)
            for c in compounds
            for b in range(BUILDINGS)
        ]
    )
    units = BuildingUnit.objects.bulk_create(
        [BuildingUnit(building=b, number=u + 1, name=f"{u + 1}单元") for b in buildings for u in range(UNITS)]
    )
    dwellings = [
        Dwelling(
            unit=u, building_id=u.building_id, floor=f, number=f"{u.number}-{f}{d:02d}", floor_area=Decimal("89.50")
        )
        for u in units
        for f in range(1, FLOORS + 1)
        for d in range(1, PER_FLOOR + 1)
    ]
    Dwelling.objects.bulk_create(dwellings, batch_size=2000)
    user = User.objects.create(username="bench-importer", display_name="基准")
    RoleAssignment.objects.create(user=user, role="community_worker", area=community)
    return community, user


def addresses():
    """(compound, building, unit, room) of every dwelling, in the order households move in."""
    for c in range(COMPOUNDS):
        for b in range(BUILDINGS):
            for u in range(UNITS):
                for f in range(1, FLOORS + 1):
                    for d in range(1, PER_FLOOR + 1):
                        yield f"基准{c + 1}号小区", f"{b + 1}栋", f"{u + 1}单元", f"{f}{d:02d}"


def generate_rows(n: int, seed: int = 2026) -> list[list[str]]:
    rng = random.Random(seed)
    rows: list[list[str]] = []
    places = addresses()
    household = 0
    first_day = date(1935, 1, 1)
    while len(rows) < n:
        household += 1
        compound, building, unit, room = next(places)
        for member in range(min(rng.choice([1, 2, 2, 3, 3, 3, 4, 5]), n - len(rows))):
            i = len(rows)
            birth = first_day + timedelta(days=i % 29000)
            male = rng.random() < 0.5
            gender_digit = rng.choice("13579" if male else "02468")
            first17 = f"510107{birth:%Y%m%d}{i // 29000:02d}{gender_digit}"
            number = first17 + resident_id_check_char(first17)
            tags = []
            if rng.random() < 0.05:
                tags.append("独居老人")
            if rng.random() < 0.02:
                tags.append("残疾人")
            rows.append(
                [
                    rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
                    "男" if male else "女",
                    "居民身份证",
                    number,
                    birth.isoformat(),
                    f"1{3 + i % 7}{i:09d}" if rng.random() < 0.75 else "",
                    f"H{household:06d}",
                    "户主" if member == 0 else rng.choice(RELATIONS[1:]),
                    compound,
                    building,
                    unit,
                    room,
                    rng.choice(RESIDENCE),
                    "、".join(tags),
                    "需每月走访" if rng.random() < 0.03 else "",
                    "法定职责",
                ]
            )
    return rows


def write_xlsx(rows) -> bytes:
    """An .xlsx as Excel or WPS would save it, including the sheet's <dimension> element.

    openpyxl's write-only mode omits <dimension>, and its read-only reader then scans the whole sheet once
    more to find the size: adding it keeps the benchmark from measuring a cost real files do not have.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民信息")
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    dimension = f'<dimension ref="A1:{chr(ord("A") + len(HEADER) - 1)}{len(rows) + 1}"/>'.encode()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetPr>", b"</sheetPr>" + dimension, 1)
            dst.writestr(info, data)
    return out.getvalue()


def baseline_objects(rows, community) -> list[Resident]:
    """The same residents, every column already computed (encrypted, hashed, masked, pinyin)."""
    dwelling_ids = {
        (c, b, u, r.split("-", 1)[1]): pk
        for pk, c, b, u, r in Dwelling.objects.filter(building__compound__community=community).values_list(
            "id", "building__compound__name", "building__name", "unit__name", "number"
        )
    }
    tag_codes = {"独居老人": "elderly_alone", "残疾人": "disabled"}
    kinds = {"户籍": "registered", "常住": "permanent", "流动": "floating"}
    objs = []
    for r in rows:
        codes = [tag_codes[t] for t in r[13].split("、") if t]
        obj = Resident(
            community=community,
            name=r[0],
            pinyin_index=encryption.pinyin_index(r[0]),
            gender="M" if r[1] == "男" else "F",
            id_type="resident_id",
            relation="head" if r[7] == "户主" else "other",
            dwelling_id=dwelling_ids[(r[8], r[9], r[10], r[11])],
            residence_type=kinds[r[12]],
            legal_basis="statutory",
            moved_in_on=timezone.localdate(),
        )
        for k, v in {
            **encryption.birth_fields(date.fromisoformat(r[4]), timezone.localdate()),
            **encryption.document_fields(r[3]),
            **encryption.mobile_fields(r[5]),
            **encryption.tag_fields(codes),
            **encryption.notes_fields(r[14]),
        }.items():
            setattr(obj, k, v)
        objs.append(obj)
    return objs


def baseline(rows, community, results) -> None:
    """(a) The same Resident rows, every value already computed, one bulk_create in one transaction."""
    connection.close()
    objs = baseline_objects(rows, community)
    start = time.perf_counter()
    with transaction.atomic():
        Resident.objects.bulk_create(objs)
    elapsed = time.perf_counter() - start
    connection.close()
    results.put((elapsed, _peak_memory()))


def wipe_residents() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {Resident._meta.db_table}")  # noqa: S608 - fixed name


def _peak_memory() -> float:
    """Peak resident memory (MB) since the last reset (Linux VmHWM; else the process's lifetime peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_memory() -> float:
    peak = _peak_memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    except OSError:
        pass
    return peak


# --- run ------------------------------------------------------------------------------------------------


def timed(label: str, fn, *args, **kwargs):
    _phase[0] = label
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    n = parser.parse_args().rows

    call_command("migrate", verbosity=0)
    keyring_init()
    community, user = build_territory()
    t0 = time.perf_counter()
    rows = generate_rows(n)
    content = write_xlsx(rows)
    generation = time.perf_counter() - t0
    print(
        f"database: {connection.vendor}; {n:,} rows; .xlsx {len(content) / 1e6:.1f} MB generated in {generation:.1f}s"
    )

    # (a) baseline, in a child process so that its objects do not inflate the import's memory peak.
    connection.close()
    ctx = multiprocessing.get_context("fork")
    base_results = ctx.Queue()
    child = ctx.Process(target=baseline, args=(rows, community, base_results))
    child.start()
    base, baseline_peak = base_results.get()
    child.join()
    wipe_residents()
    _held.clear()

    # (b) the full import, with a concurrent writer measuring how long it had to wait.
    _reset_peak_memory()
    imports._enqueue_validation = lambda batch_id: None  # the bench calls the tasks' bodies itself
    imports._enqueue_apply = lambda batch_id, actor_id, attempt=None: None
    prepare_time = [0.0]
    original_prepare = imports.prepare_apply

    def prepare_timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original_prepare(*args, **kwargs)
        finally:
            prepare_time[0] = time.perf_counter() - start

    imports.prepare_apply = prepare_timed
    connection.close()
    stop, results = ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=probe, args=(stop, results))
    writer.start()
    time.sleep(0.3)
    batch, upload = timed(
        "upload",
        imports.import_upload,
        actor=user,
        community=community,
        fileobj=io.BytesIO(content),
        file_name="bench.xlsx",
    )
    _validated, validate = timed("validation", imports.validate_batch, batch.pk)
    batch.refresh_from_db()
    assert batch.status == "validated", (batch.status, batch.message)
    _confirmed, confirm = timed("confirm", imports.import_confirm, actor=user, batch=batch, mode="all_or_nothing")
    _applied, apply = timed("apply", imports.apply_batch, batch.pk, actor_id=user.pk)
    stop.set()
    samples, worst_wait, p99_wait, locked = results.get()
    writer.join()
    close_old_connections()
    batch.refresh_from_db()
    assert batch.status == "applied", (batch.status, batch.message)

    held = {}
    for seconds, phase in _held:
        held[phase] = max(held.get(phase, 0.0), seconds)
    longest, longest_phase = max(_held)
    full = upload + validate + confirm + apply
    rate = n / base
    table = [
        ("(a) baseline: bulk_create, values pre-encrypted, 1 tx", base, 1.0),
        ("(b) upload (sniff, SHA-256, encrypt, store)", upload, upload / base),
        ("    validation task (read, check, classify, stage)", validate, validate / base),
        ("    apply task", apply, apply / base),
        ("      of which preparation outside the transaction", prepare_time[0], prepare_time[0] / base),
        ("      of which the one apply transaction", held.get("apply", 0.0), held.get("apply", 0.0) / base),
        ("    full import (upload + validation + confirm + apply)", full, full / base),
    ]
    print(f"{'phase':58} {'seconds':>8} {'rows/s':>9} {'x baseline':>11}")
    print("-" * 90)
    for label, seconds, ratio in table:
        print(f"{label:58} {seconds:8.2f} {n / seconds if seconds else 0:9,.0f} {ratio:11.2f}")
    print("-" * 90)
    print(f"baseline rate {rate:,.0f} rows/s; full/baseline {full / base:.2f}; apply/baseline {apply / base:.2f}")
    print(
        f"longest transaction held by the import: {longest:.2f}s ({longest_phase}); "
        f"longest validation chunk transaction: {held.get('validation', 0.0) * 1000:.0f} ms"
    )
    print(
        f"concurrent writer: {samples} commits, worst wait {worst_wait:.2f}s, p99 {p99_wait * 1000:.0f} ms, "
        f"{locked} refused"
    )
    counts = {
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "residences": Residence.objects.count(),
        "tags": ResidentTag.objects.count(),
        "events": ResidentEvent.objects.count(),
        "staged payloads left": ImportRow.objects.exclude(payload_encrypted="").count(),
    }
    print("written: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"peak memory: baseline process {baseline_peak:,.0f} MB, import {_peak_memory():,.0f} MB")
    if counts["residents"] != n:
        sys.exit(1)


if __name__ == "__main__":
    main()
