"""Arguments for calling every write service in `test_write_services` (the permission check comes first).

`build_world()` makes a small territory with residents, staff, a case and the other objects services act on.
`DEFAULTS` builds an argument from its parameter name; `ARGUMENTS` builds all keyword arguments of one service
where names are not enough (input dataclasses, files). `READS_ONLY` lists the public functions of services
modules that write nothing, each with the reason.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequ.accounts.tests.factories import UserFactory, staff
from shequ.core import calendar
from shequ.registry.tests.factories import make_world


@dataclass
class World:
    t: dict[str, Any]
    nobody: Any  # a staff account without any role
    stranger: Any  # a resident of the other street (c2)
    disabled_client: Any
    case: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.t[key]


def _case(t: dict[str, Any]) -> Any:
    from shequ.cases import services as cases

    data = cases.CaseInput(
        case_type="complaint",
        title="楼道堆放杂物",
        description="三单元楼道堆满纸箱，影响通行",
        channel="staff",
        building=t["b1"],
        reporter=t["zsf"],
        reporter_name="张三丰",
        reporter_mobile="13812345678",
    )
    return cases.case_submit(actor=t["registrar1"], data=data)


def build_world() -> World:
    from shequ.open311.models import ApiClient

    calendar.seed_official_calendar()
    calendar.invalidate()
    t = make_world()
    nobody = UserFactory(username="nobody-without-role")
    client = ApiClient.objects.create(name="停用的客户端", key_hash="0" * 64, active=False)
    case = _case(t)
    return World(t=t, nobody=nobody, stranger=t["wang"], disabled_client=client, case=case)


def _text(_w: World) -> str:
    return "测试说明：请按规定办理。"


def _now(_w: World) -> dt.datetime:
    return timezone.now()


def _today(_w: World) -> dt.date:
    return timezone.localdate()


def _png(_w: World) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")


# Parameter name -> how to build it.
DEFAULTS: dict[str, Callable[[World], Any]] = {
    "case": lambda w: w.case,
    "into": lambda w: w.case,
    "resident": lambda w: w["zsf"],
    "community": lambda w: w["c1"],
    "area": lambda w: w["c1"],
    "street": lambda w: w["s1"],
    "target": lambda w: w["m111"],
    "compound": lambda w: w["compound1"],
    "building": lambda w: w["b1"],
    "dwelling": lambda w: w["d1"],
    "household": lambda w: w["h1"],
    "user": lambda w: w["registrar2"],
    "reason": _text,
    "note": _text,
    "reply": _text,
    "text": _text,
    "description": _text,
    "title": _text,
    "where_instead": _text,
    "now": _now,
    "on": _today,
    "day": _today,
    "number": lambda w: "H999",
    "name": lambda w: "测试名称",
    "satisfaction": lambda w: "satisfied",
    "reason_code": lambda w: "service",
    "field": lambda w: "mobile",
    "upload": _png,
    "uploads": lambda w: [_png(w)],
    "photos": lambda w: [],
    "floor_area": lambda w: Decimal("80.5"),
}

# Service -> all its keyword arguments but `actor` (where parameter names are not enough).
ARGUMENTS: dict[str, Callable[[World], dict[str, Any]]] = {}

# Public functions of services modules that write nothing, with the reason.
READS_ONLY: dict[str, str] = {}

_ = staff  # builders below may create staff of a role
