"""The demo's residents: about 20,000 fictitious people with checksum-valid ID numbers, households and owners.

Staffed communities (where the demo accounts work) are densely populated; elsewhere about a quarter of the
dwellings have a registered household. A developer holds unsold dwellings of the newest compound, and one
buyer holds several dwellings. Bulk inserts: this is a data generator, not a request path. Birth dates are
stored encrypted with the decade in clear, as the registry's services store them (registry.encryption).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from shequ.core.demo import DemoContext
from shequ.core.validators import resident_id_check_char, uscc_check_char
from shequ.registry import encryption
from shequ.registry.domain import age_on, clear_birth_decade
from shequ.registry.models import Household, Ownership, Residence, Resident, ResidentTag
from shequ.territory.models import Dwelling

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢钟"
GIVEN_M = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳"
GIVEN_F = "芳娜秀英敏静丽艳娟霞玲桂兰萍红燕琳雪婷倩慧颖洁佳欣怡雯梅莉"
OTHER_REGIONS = ["510104", "510105", "510106", "510108", "510112", "510113", "511302", "510622", "500103", "420106"]
DEVELOPER = ("成都锦城置业有限公司", "91510107MA61XQ0B2T")
TODAY = date(2026, 11, 1)


def _uscc_valid(code: str) -> str:
    return code[:17] + uscc_check_char(code[:17])


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_ids: set[str] = set()
        self.used_mobiles: set[str] = set()

    def name(self, gender: str) -> str:
        given = GIVEN_M if gender == "M" else GIVEN_F
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(self.rng.choice([1, 2, 2])))

    def birth(self, lo: int, hi: int) -> date:
        start = date(TODAY.year - hi, 1, 1)
        return start + timedelta(days=self.rng.randint(0, (hi - lo) * 365))

    def id_number(self, birth: date, gender: str, registered: bool) -> str:
        region = "510107" if registered else self.rng.choice(OTHER_REGIONS)
        while True:
            seq = self.rng.randint(0, 99) * 10 + (
                self.rng.choice([1, 3, 5, 7, 9]) if gender == "M" else self.rng.choice([0, 2, 4, 6, 8])
            )
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = f"1{self.rng.choice('3456789')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number


def build_people(*, communities, staffed_ids: set[int], seed: int = 2026) -> dict[str, int]:
    """Create households, residents, residences, care tags and ownerships for the demo district."""
    rng = random.Random(seed)
    people = _People(rng)
    registered_on = timezone.localdate()
    counts = {"households": 0, "residents": 0, "ownerships": 0}
    developer_name, developer_code = DEVELOPER[0], _uscc_valid(DEVELOPER[1])
    buyer: Resident | None = None
    buyer_holdings = 0
    for community in communities:
        dense = community.pk in staffed_ids
        dwellings = list(
            Dwelling.objects.filter(building__compound__community=community)
            .select_related("building__compound")
            .order_by("building__compound__code", "building__number", "id")
        )
        newest = max((d.building.compound for d in dwellings), key=lambda c: c.built_year or 0, default=None)
        households, residents, plans = [], [], []
        for d in dwellings:
            unsold = dense and newest is not None and d.building.compound_id == newest.pk and rng.random() < 0.3
            occupied = not unsold and rng.random() < (0.85 if dense else 0.22)
            if not occupied:
                plans.append((d, None, "developer" if unsold else "vacant"))
                continue
            h = Household(community=community, number=f"{community.code[-6:]}{len(households) + 1:05d}", dwelling=d)
            households.append(h)
            plans.append((d, h, "occupied"))
        Household.objects.bulk_create(households)
        members: dict[int, list[Resident]] = {}
        for d, h, kind in plans:
            if kind != "occupied":
                continue
            registered = rng.random() < 0.6
            rtype = "registered" if registered else rng.choice(["permanent", "permanent", "floating"])
            size = rng.choice([1, 1, 2, 2, 2, 3, 3, 3, 4, 5])
            head_gender = rng.choice("MF")
            specs = [("head", head_gender, people.birth(28, 85))]
            if size >= 2:
                specs.append(("spouse", "F" if head_gender == "M" else "M", people.birth(28, 80)))
            for _ in range(size - len(specs)):
                specs.append(("child", rng.choice("MF"), people.birth(0, 27)))
            for relation, gender, birth in specs:
                age = age_on(birth, TODAY)
                has_id = age >= 16 or rng.random() < 0.5
                number = people.id_number(birth, gender, registered) if has_id else ""
                mobile = people.mobile() if age >= 16 and rng.random() < 0.9 else ""
                tags = []
                if age >= 80:
                    tags.append("oldest_old")
                if age >= 65 and size == 1:
                    tags.append("elderly_alone")
                if rng.random() < 0.03:
                    tags.append("disabled")
                if rng.random() < 0.02:
                    tags.append("subsistence")
                if age < 16 and rng.random() < 0.02:
                    tags.append("child_in_distress")
                if age >= 18 and rng.random() < 0.02:
                    tags.append("veteran")
                r = Resident(
                    community=community,
                    name=people.name(gender),
                    gender=gender,
                    id_type="resident_id" if number else "none",
                    household=h,
                    relation=relation,
                    dwelling=d,
                    residence_type=rtype,
                    legal_basis="statutory" if rtype != "floating" else "consent",
                    moved_in_on=max(birth, date(2000 + rng.randint(0, 25), rng.randint(1, 12), 1)),
                )
                r.pinyin_index = encryption.pinyin_index(r.name)
                r._demo_birth = birth
                for k, v in {
                    **encryption.birth_fields(birth, min(r.moved_in_on, registered_on)),
                    **encryption.document_fields(number),
                    **encryption.mobile_fields(mobile),
                    **encryption.tag_fields(tags),
                    **encryption.notes_fields(""),
                }.items():
                    setattr(r, k, v)
                r._demo_tags = tags
                residents.append(r)
                members.setdefault(h.pk, []).append(r)
        Resident.objects.bulk_create(residents, batch_size=2000)
        for h in households:
            heads = [m for m in members.get(h.pk, []) if m.relation == "head"]
            h.head = heads[0] if heads else None
        Household.objects.bulk_update(households, ["head"], batch_size=2000)
        Residence.objects.bulk_create(
            [
                Residence(
                    resident=r,
                    community=community,
                    dwelling=r.dwelling,
                    household=r.household,
                    relation=r.relation,
                    valid_from=r.moved_in_on,
                )
                for r in residents
            ],
            batch_size=2000,
        )
        ResidentTag.objects.bulk_create(
            [ResidentTag(resident=r, tag_hash=t) for r in residents for t in encryption.tag_hashes(r._demo_tags)],
            batch_size=2000,
        )
        ownerships = []
        adults = [r for r in residents if r.relation == "head"]
        if dense and buyer is None and adults:
            buyer = adults[0]
        for d, h, kind in plans:
            since = date(2005 + rng.randint(0, 19), rng.randint(1, 12), 1)
            if kind == "developer":
                ownerships.append(
                    Ownership(
                        dwelling=d,
                        owner_kind="developer",
                        organisation_name=developer_name,
                        organisation_uscc=developer_code,
                        share=Decimal(1),
                        registered_area=d.floor_area,
                        valid_from=date(2018, 6, 1),
                    )
                )
            elif kind == "occupied" and h.head is not None and h.head.residence_type != "floating":
                ownerships.append(
                    Ownership(
                        dwelling=d,
                        owner_kind="person",
                        resident=h.head,
                        share=Decimal(1),
                        registered_area=d.floor_area,
                        valid_from=since,
                    )
                )
            elif dense and buyer is not None and buyer_holdings < 4:
                # One buyer holding several dwellings (counted as one owner in owners' votes, Civil Code §278).
                buyer_holdings += 1
                ownerships.append(
                    Ownership(
                        dwelling=d,
                        owner_kind="person",
                        resident=buyer,
                        share=Decimal(1),
                        registered_area=d.floor_area,
                        valid_from=since,
                    )
                )
            elif dense and adults and rng.random() < 0.5:
                # A second home of another household's head; the rest have no registered owner yet.
                ownerships.append(
                    Ownership(
                        dwelling=d,
                        owner_kind="person",
                        resident=rng.choice(adults),
                        share=Decimal(1),
                        registered_area=d.floor_area,
                        valid_from=since,
                    )
                )
        Ownership.objects.bulk_create(ownerships, batch_size=2000)
        # An ownership dated before the owner moved in is their earliest dated fact: it may withhold the decade.
        owned_since: dict[int, tuple[Resident, date]] = {}
        for o in ownerships:
            if o.resident is not None:
                owner, since = owned_since.get(o.resident.pk, (o.resident, o.valid_from))
                owned_since[owner.pk] = (owner, min(since, o.valid_from))
        withheld = []
        for owner, since in owned_since.values():
            decade = clear_birth_decade(owner._demo_birth, min(since, owner.moved_in_on, registered_on))
            if decade != owner.birth_decade:
                owner.birth_decade = decade
                withheld.append(owner)
        Resident.objects.bulk_update(withheld, ["birth_decade"], batch_size=2000)
        counts["households"] += len(households)
        counts["residents"] += len(residents)
        counts["ownerships"] += len(ownerships)
    return counts


def seed(ctx: DemoContext) -> None:
    """Populate every community, densely where the demo's staff work; adds the counts to the closing record."""
    staffed = {c.pk for c in ctx.get("accounts.staffed_communities")}
    ctx.counts.update(build_people(communities=ctx.get("territory.communities"), staffed_ids=staffed, seed=ctx.seed))
