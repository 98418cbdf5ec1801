"""Rules of the territory tree (DESIGN §3).

- One tree: city → district → street → community → grid → micro-grid; each level's parent is the level
  above (a district may hang directly under the city; nothing skips below community).
- Official 12-digit statistical division codes (统计用区划代码, 国家统计局) down to community; local codes
  below: grid `<community code>-NN`, micro-grid `<grid code>-NN`.
- A compound is not a rung of the ladder: it belongs to a community; its buildings lie in micro-grids of
  that community. The building → micro-grid assignment is authoritative; polygons only resolve bare points.
"""

import re
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Level(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    MICRO_GRID = "micro_grid"


LEVEL_LABELS = {
    Level.CITY: _("市"),
    Level.DISTRICT: _("区（县）"),
    Level.STREET: _("街道（镇）"),
    Level.COMMUNITY: _("社区（村）"),
    Level.GRID: _("网格"),
    Level.MICRO_GRID: _("微网格"),
}
LEVEL_ORDER = list(Level)
PARENT_LEVEL = {
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
    Level.MICRO_GRID: Level.GRID,
}
OFFICIAL_LEVELS = frozenset({Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY})
OFFICIAL_CODE_RE = re.compile(r"^\d{12}$")
LOCAL_CODE_RE = re.compile(r"^\d{12}(-\d{2,3}){1,2}$")


def child_level(level: str) -> Level | None:
    i = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


def valid_parent(level: str, parent_level: str | None) -> bool:
    """A node's parent must be the level directly above (the root is a city)."""
    if parent_level is None:
        return Level(level) is Level.CITY
    return PARENT_LEVEL.get(Level(level)) == Level(parent_level)


def code_format_ok(level: str, code: str) -> bool:
    if Level(level) in OFFICIAL_LEVELS:
        return bool(OFFICIAL_CODE_RE.match(code))
    depth = 1 if Level(level) is Level.GRID else 2
    return bool(LOCAL_CODE_RE.match(code)) and code.count("-") == depth


def local_code(parent_code: str, number: int) -> str:
    return f"{parent_code}-{number:02d}"
