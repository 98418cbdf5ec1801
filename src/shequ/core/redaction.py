"""Redaction of free text that leaves the system publicly (Open311 output, public case lists and maps).

Public output carries no personal information (PIPL §6, §28; issue 4 "reporter confidentiality"), so before it
is shown, text is redacted: mobile and ID numbers (core.masking.mask_text), licence plates (川A12345, new-energy
川AD12345) and room numbers (3-2-301, 301室). Dates and ordinary text stay readable.
"""

import re

from shequ.core.masking import mask_text

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Ordinary plates (川A12345) and new-energy plates (川AD12345); letters exclude I and O.
_PLATE_RE = re.compile(rf"([{_PROVINCES}])\s?([A-HJ-NP-Z])\s?[·.]?\s?([A-HJ-NP-Z0-9]{{5,6}})(?![A-Za-z0-9])")
# Building-unit-room triples (3-2-301, 3—2—301) and rooms written with 室 (301室).
_ROOM_TRIPLE_RE = re.compile(r"(?<![\d-])\d{1,3}[-—－]\d{1,3}[-—－]\d{2,4}(?![\d-])")
_ROOM_RE = re.compile(r"(?<!\d)\d{2,5}(?=\s?室)")


def _stars(match: re.Match[str]) -> str:
    return re.sub(r"[0-9A-Za-z]", "*", match.group(0))


def redact(text: str | None) -> str:
    """Return `text` with mobile and ID numbers, licence plates and room numbers masked."""
    if not text:
        return ""
    text = mask_text(text)
    text = _PLATE_RE.sub(lambda m: m.group(1) + m.group(2) + "*" * len(m.group(3)), text)
    text = _ROOM_TRIPLE_RE.sub(_stars, text)
    return _ROOM_RE.sub(_stars, text)
