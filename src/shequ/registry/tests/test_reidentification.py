"""Re-identification (issue 10): from everything in clear, no demo resident's ID number narrows below 1,000.

The test plays an attacker without the personal-information keyring on the demo district. It gathers what is in
clear: (a) every column of every registry table except ciphertexts and keyed hashes, (b) every audit record,
(c) the masked Excel export as a role that may not reveal (grid1) and as one that may (community1, not choosing
the full export), (d) the API list and detail answers and the resident list and detail pages as grid1, (e) the
log output of the whole run. Meanwhile community1 uses the reveal flows (a birth date, an age filter, the
birthday list and its export), whose audit records are in clear too; their answers are reveals and are not.

Everything is parsed generically, per resident: a masked ID gives its first 4 and last 4 characters; a value
labelled as a birth date gives the date, a decade ("1960年代") the decade, an age ("46岁", or a number under an
age label) the birth date give or take a year on the day it was printed; any other date about the resident
(moved in, registered, owned...) cannot precede the birth. The tightest birth interval then bounds the unknown
digits: the area code (every Chengdu county code of the shipped division list that matches the first 4; for an
ID from outside Chengdu, 10 codes), the birth date, and the check character (GB 11643 MOD 11-2) that the last
4 characters fix. The candidates are counted by convolving residue histograms, since the weighted sum is
additive mod 11; a sample is enumerated by brute force to check the count and that the true ID is a candidate.

Run alone: pytest -p no:xdist src/shequ/registry/tests/test_reidentification.py -s (prints min and median).
"""

import csv
import functools
import html.parser
import io
import json
import logging
import re
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from shequ.accounts.models import User
from shequ.core.models import AuditRecord
from shequ.core.validators import resident_id_check_char
from shequ.registry import encryption
from shequ.registry.domain import MIN_CANDIDATES, years_before
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db

DIVISIONS = Path(__file__).resolve().parents[2] / "territory" / "fixtures" / "chengdu_districts_2022.csv"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
EARLIEST = date(1900, 1, 1)
MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{4})\*{10}(\d{3}[0-9X])(?![0-9A-Za-z])")
DECADE = re.compile(r"(?<!\d)(1[89]\d0|20\d0)(?:年代|s\b)")
AGE = re.compile(r"(?<!\d)(\d{1,3})\s*岁(?!及以上|以下)")
DATE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?!\d)")
BIRTH_WORDS = ("birth", "出生", "生日", "dob")
AGE_WORDS = ("age", "年龄", "周岁")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _residue(digits: str, weights: Iterable[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


@functools.cache
def _label_kind(label: str) -> tuple[bool, bool]:
    """Whether a column, key or header name speaks of a birth date, and of an age."""
    label = label.lower()
    return any(w in label for w in BIRTH_WORDS), any(w in label for w in AGE_WORDS)


# --- what the attacker knows about one resident ------------------------------------------------------------


@dataclass
class Knowledge:
    first4: str = ""
    last4: str = ""
    lo: date = EARLIEST
    hi: date = date.max

    def birth(self, day: date) -> None:
        self.lo, self.hi = max(self.lo, day), min(self.hi, day)

    def decade(self, decade: int) -> None:
        self.lo, self.hi = max(self.lo, date(decade, 1, 1)), min(self.hi, date(decade + 9, 12, 31))

    def age(self, years: int, printed_on: date) -> None:
        self.lo = max(self.lo, years_before(printed_on, years + 1) + timedelta(days=1))
        self.hi = min(self.hi, years_before(printed_on, years))

    def fact(self, day: date) -> None:
        """A dated fact about the resident: the birth cannot be later."""
        self.hi = min(self.hi, day)


class Attacker:
    """Collects constraints per resident (keyed by database id) from values seen in clear."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.known: dict[int, Knowledge] = {}

    def about(self, pk: int) -> Knowledge:
        return self.known.setdefault(pk, Knowledge(hi=self.today))

    def observe(self, pk: int, label: str, value: Any, printed_on: date) -> None:
        """One value seen next to `label` (a column, key or header name) about resident `pk`."""
        if value is None or value == "":
            return
        k = self.about(pk)
        birthish, ageish = _label_kind(label)
        if isinstance(value, datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if isinstance(value, date):
            k.birth(value) if birthish else k.fact(value)
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int):
            if birthish and value % 10 == 0 and 1800 <= value <= 2100:
                k.decade(value)
            elif ageish and 0 <= value < 130:
                k.age(value, printed_on)
        elif isinstance(value, dict):
            # {"column": "出生日期", "value": ...} (an import problem report): the value is a birth date.
            about_birth = any(isinstance(v, str) and any(w in v.lower() for w in BIRTH_WORDS) for v in value.values())
            for key, inner in value.items():
                self.observe(
                    pk, f"{label} {key}{' birth' if about_birth and key == 'value' else ''}", inner, printed_on
                )
        elif isinstance(value, list | tuple):
            for inner in value:
                self.observe(pk, label, inner, printed_on)
        else:
            self.text(pk, label, str(value), printed_on, birthish=birthish, ageish=ageish)

    def text(self, pk: int, label: str, text: str, printed_on: date, *, birthish: bool, ageish: bool) -> None:
        if not any(c.isdigit() for c in text):
            return
        k = self.about(pk)
        for m in MASKED_ID.finditer(text):
            k.first4, k.last4 = m.group(1), m.group(2)
        for m in DECADE.finditer(text):
            k.decade(int(m.group(1)))
        for m in AGE.finditer(text):
            k.age(int(m.group(1)), printed_on)
        if ageish and text.strip().isdigit():
            k.age(int(text.strip()), printed_on)
        for m in DATE.finditer(text):
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
            before = text[max(0, m.start() - 12) : m.start()].lower()
            if birthish or any(w in before for w in BIRTH_WORDS):
                k.birth(day)
            else:
                k.fact(day)
        if text.startswith(("{", "[")):
            try:
                self.observe(pk, label, json.loads(text), printed_on)
            except ValueError:
                pass


# --- gathering what is in clear ----------------------------------------------------------------------------


def _resident_links(model: Any) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is Resident]


def gather_database(attacker: Attacker, today: date) -> None:
    """(a) Every clear column of every registry table, attributed to the residents the row refers to."""
    for model in apps.get_app_config("registry").get_models():
        links = ["id"] if model is Resident else _resident_links(model)
        if not links:
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.name.endswith(("_encrypted", "_hash")) and f.attname not in links
        ]
        for row in model.objects.values(*links, *columns).iterator(chunk_size=5000):
            for link in links:
                if row[link] is None:
                    continue
                for column in columns:
                    attacker.observe(row[link], column, row[column], today)


def gather_audit(attacker: Attacker, by_public_id: dict[str, int]) -> None:
    """(b) Every audit record about a resident: its values, its label and its date."""
    for record in AuditRecord.objects.all().iterator():
        pk = by_public_id.get(record.object_id)
        if pk is None:
            continue
        printed_on = timezone.localtime(record.created_at).date()
        attacker.observe(pk, "audit", record.created_at, printed_on)
        attacker.observe(pk, "label", record.object_label, printed_on)
        attacker.observe(pk, "before", record.before or {}, printed_on)
        attacker.observe(pk, "after", record.after or {}, printed_on)


def gather_export(attacker: Attacker, client: Client, by_name_and_mask: dict[tuple[str, str], int], today: date) -> int:
    """(c) The masked Excel export: each row attributed by its name and masked ID, cells by their header."""
    response = client.get(reverse("registry:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.worksheets[0].iter_rows(values_only=True)
    headers = [str(h) for h in next(rows)]
    name_at, id_at = headers.index("姓名"), headers.index("证件号码")
    seen = 0
    for row in rows:
        pk = by_name_and_mask.get((row[name_at], row[id_at]))
        if pk is None:
            continue
        seen += 1
        for header, value in zip(headers, row, strict=True):
            attacker.observe(pk, header, value, today)
    return seen


class _Table(html.parser.HTMLParser):
    """Rows of the resident table (header -> cell text, with the resident's link) and <dt>/<dd> pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []
        self.pairs: list[tuple[str, str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._link = ""
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("th", "td", "dt", "dd"):
            self._cell, self._tag = [], tag
        elif tag == "tr":
            self._row, self._link = [], ""
        elif tag == "a" and self._row is not None:
            match = UUID.search(dict(attrs).get("href") or "")
            if match and "/residents/" in (dict(attrs).get("href") or "") and not self._link:
                self._link = match.group(0)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td", "dt", "dd") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if tag == "th":
                self.headers.append(text)
            elif tag == "td" and self._row is not None:
                self._row.append(text)
            elif tag == "dt":
                self.pairs.append((text, ""))
            elif tag == "dd" and self.pairs:
                self.pairs[-1] = (self.pairs[-1][0], text)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._link:
                self.rows.append((self._link, self._row))
            self._row = None


def gather_pages(attacker: Attacker, client: Client, by_public_id: dict[str, int], today: date) -> int:
    """(d) The resident list, every page, and a sample of detail pages, as a role that may not reveal."""
    url, seen, details = reverse("registry:resident_list"), 0, []
    page = 1
    while True:
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        table = _Table()
        table.feed(response.content.decode())
        for link, cells in table.rows:
            seen += 1
            details.append(link)
            for header, cell in zip(table.headers, cells, strict=False):
                attacker.observe(by_public_id[link], header, cell, today)
        if not response.context["page"].has_next():
            break
        page += 1
    for link in details[:: max(1, len(details) // 25)]:
        response = client.get(reverse("registry:resident_detail", args=[link]))
        table = _Table()
        table.feed(response.content.decode())
        for label, text in table.pairs:
            attacker.observe(by_public_id[link], label, text, today)
    return seen


def gather_api(attacker: Attacker, client: APIClient, by_public_id: dict[str, int], today: date) -> int:
    """(d) The API list, every page, and a sample of detail answers, as a role that may not reveal."""
    url: str | None = "/api/v1/residents/"
    ids = []
    while url:
        body = client.get(url).json()
        for item in body["results"]:
            ids.append(item["id"])
            attacker.observe(by_public_id[item["id"]], "resident", item, today)
        url = body["next"]
    for public_id in ids[:: max(1, len(ids) // 25)]:
        attacker.observe(
            by_public_id[public_id], "resident", client.get(f"/api/v1/residents/{public_id}/").json(), today
        )
    return len(ids)


def use_reveal_flows(client: Client, sample: list[Resident]) -> None:
    """community1 reveals birth dates, filters by age and views the birthday list: audited, answers not in clear."""
    for r in sample:
        url = reverse("registry:resident_reveal", args=[r.public_id])
        assert (
            client.post(url, {"field": "birth_date", "reason_code": "home_visit", "reason": "核对高龄补贴"}).status_code
            == 200
        )
    assert client.get(reverse("registry:resident_list"), {"age": "60plus"}).status_code == 200
    assert client.get(reverse("registry:birthday_list")).status_code == 200
    assert client.get(reverse("registry:birthday_export"), {"age": 80}).status_code == 200


# --- counting candidates -----------------------------------------------------------------------------------


def chengdu_codes() -> list[str]:
    with DIVISIONS.open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["code"].startswith("5101")]


class Counter:
    """Candidate ID numbers for (area codes, birth interval, last 4), by residue histograms."""

    def __init__(self, today: date) -> None:
        self.start = EARLIEST
        days = (today - EARLIEST).days + 1
        self.prefix = [[0] * (days + 1) for _ in range(11)]
        for i in range(days):
            r = _residue(f"{EARLIEST + timedelta(days=i):%Y%m%d}", WEIGHTS[6:14])
            for k in range(11):
                self.prefix[k][i + 1] = self.prefix[k][i] + (k == r)
        self.today = today

    def dates(self, lo: date, hi: date) -> list[int]:
        lo, hi = max(lo, EARLIEST), min(hi, self.today)
        if hi < lo:
            return [0] * 11
        a, b = (lo - self.start).days, (hi - self.start).days + 1
        return [self.prefix[k][b] - self.prefix[k][a] for k in range(11)]

    def count(self, areas: tuple[str, ...], lo: date, hi: date, last4: str) -> int:
        area_hist = _area_histogram(areas)
        date_hist = self.dates(lo, hi)
        target = (CHECK.index(last4[3]) - _residue(last4[:3], WEIGHTS[14:])) % 11
        return sum(area_hist[a] * date_hist[(target - a) % 11] for a in range(11))


@functools.cache
def _area_histogram(areas: tuple[str, ...]) -> list[int]:
    hist = [0] * 11
    for code in areas:
        hist[_residue(code, WEIGHTS[:6])] += 1
    return hist


def brute_force(areas: list[str], lo: date, hi: date, last4: str) -> set[str]:
    out = set()
    day = lo
    while day <= hi:
        for code in areas:
            first17 = f"{code}{day:%Y%m%d}{last4[:3]}"
            if resident_id_check_char(first17) == last4[3]:
                out.add(first17 + last4[3])
        day += timedelta(days=1)
    return out


def areas_for(first4: str, true_number: str, chengdu: list[str]) -> tuple[str, ...]:
    """Chengdu: every county code matching the first 4. Elsewhere (no list shipped) 10 codes, the true one among
    them, as a real county list of that city would hold it."""
    if first4 == "5101":
        return tuple(c for c in chengdu if c.startswith(first4))
    others = [f"{first4}{i:02d}" for i in range(1, 100) if f"{first4}{i:02d}" != true_number[:6]]
    return tuple(sorted([true_number[:6], *others[:9]]))


# --- the test ----------------------------------------------------------------------------------------------


def test_no_demo_resident_narrows_below_a_thousand_candidates(caplog):
    """From everything in clear, every demo resident with a resident ID keeps at least 1,000 candidate numbers;
    the count is checked by brute force on a sample (the true number is always a candidate), and the same counter
    finds fewer than 1,000 for some residents had their decade not been withheld, and for every resident once the
    birth date, or an age printed on a known day, is in clear.
    """
    caplog.set_level(logging.DEBUG)
    call_command("demo", stdout=io.StringIO())
    today = timezone.localdate()
    residents = list(Resident.objects.values_list("pk", "public_id", "name", "id_number_masked"))
    by_public_id = {str(public_id): pk for pk, public_id, *_ in residents}
    names: dict[tuple[str, str], list[int]] = {}
    for pk, _public_id, name, masked in residents:
        names.setdefault((name, masked or None), []).append(pk)
    by_name_and_mask = {key: pks[0] for key, pks in names.items() if len(pks) == 1}

    community1, grid1 = User.objects.get(username="community1"), User.objects.get(username="grid1")
    reveal_client, grid_client, grid_api = Client(), Client(), APIClient()
    reveal_client.force_login(community1)
    grid_client.force_login(grid1)
    grid_api.force_authenticate(grid1)
    community = community1.assignments.get().area
    use_reveal_flows(
        reveal_client, list(Resident.objects.filter(community=community).exclude(birth_date_encrypted="")[:3])
    )

    attacker = Attacker(today)
    gather_database(attacker, today)
    gather_audit(attacker, by_public_id)
    exported = gather_export(attacker, grid_client, by_name_and_mask, today)
    exported += gather_export(attacker, reveal_client, by_name_and_mask, today)
    listed = gather_pages(attacker, grid_client, by_public_id, today)
    answered = gather_api(attacker, grid_api, by_public_id, today)
    for record in caplog.records:  # (e) logs: attributed by a resident's public id
        message = record.getMessage()
        for public_id in UUID.findall(message):
            if public_id in by_public_id:
                attacker.observe(by_public_id[public_id], "log", message, today)
        assert not re.search(r"(出生|生日|birth).{0,12}\d{4}[-/.年]\d{1,2}", message, re.IGNORECASE), message
    assert exported > 500 and listed > 100 and answered == listed, (exported, listed, answered)

    chengdu, counter = chengdu_codes(), Counter(today)
    assert len(chengdu) == 20
    births = _birth_dates()
    numbers = _numbers()
    counts: dict[int, int] = {}
    for pk, number in numbers.items():
        k = attacker.known[pk]
        assert (k.first4, k.last4) == (number[:4], number[-4:])
        assert k.lo <= births[pk] <= k.hi, f"the attacker's bounds must hold the true birth date ({pk})"
        counts[pk] = counter.count(areas_for(k.first4, number, chengdu), k.lo, k.hi, k.last4)
    ordered = sorted(counts.values())
    median = statistics.median(ordered)
    sys.stdout.write(f"\ncandidates per resident: {len(ordered)} residents, min {ordered[0]}, median {median}\n")
    assert ordered[0] >= MIN_CANDIDATES, [
        (pk, attacker.known[pk], n) for pk, n in counts.items() if n < MIN_CANDIDATES
    ][:5]

    # The counter counts what brute force finds, and the true number is among the candidates.
    lowest = sorted(counts, key=counts.get)[:3]
    outside = [pk for pk, number in numbers.items() if not number.startswith("5101")][:2]
    withheld = list(
        Resident.objects.filter(pk__in=list(numbers), birth_decade__isnull=True).values_list("pk", flat=True)[:2]
    )
    sample = [*lowest, *outside, *withheld, *list(numbers)[:: len(numbers) // 3]]
    assert outside and withheld
    for pk in sample:
        k, number = attacker.known[pk], numbers[pk]
        areas = areas_for(k.first4, number, chengdu)
        found = brute_force(areas, max(k.lo, EARLIEST), min(k.hi, today), k.last4)
        assert (len(found), number in found) == (counts[pk], True)

    # Had the decade been shown to those registered early in a decade, their registration date would cut it short.
    shown = []
    for pk in Resident.objects.filter(pk__in=list(numbers), birth_decade__isnull=True).values_list("pk", flat=True):
        k, decade = attacker.known[pk], births[pk].year // 10 * 10
        lo, hi = max(k.lo, date(decade, 1, 1)), min(k.hi, date(decade + 9, 12, 31))
        shown.append(counter.count(areas_for(k.first4, numbers[pk], chengdu), lo, hi, k.last4))
    assert min(shown) < MIN_CANDIDATES

    # The old state: the birth date in clear, or an age printed today, leaves fewer than 1,000 for everyone.
    for pk, number in numbers.items():
        areas = areas_for(number[:4], number, chengdu)
        assert counter.count(areas, births[pk], births[pk], number[-4:]) < MIN_CANDIDATES
        age = Knowledge(lo=EARLIEST, hi=today)
        age.age(today.year - births[pk].year - ((today.month, today.day) < (births[pk].month, births[pk].day)), today)
        assert counter.count(areas, age.lo, age.hi, number[-4:]) < MIN_CANDIDATES


def _birth_dates() -> dict[int, date]:
    """The defender's view (with the keyring): the true birth dates."""
    out = {}
    for pk, ciphertext in Resident.objects.exclude(birth_date_encrypted="").values_list("pk", "birth_date_encrypted"):
        out[pk] = encryption.decrypt_birth_date(ciphertext)
    return out


def _numbers() -> dict[int, str]:
    """The defender's view: the true resident ID numbers (18 characters, GB 11643)."""
    rows = Resident.objects.filter(id_type="resident_id").exclude(id_number_encrypted="")
    return {pk: encryption.decrypt_document(c) for pk, c in rows.values_list("pk", "id_number_encrypted")}
