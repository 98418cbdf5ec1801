"""The proof of volunteer service (志愿服务记录证明, 办法第十二条至第十五条) as a frozen snapshot and as a PDF.

`snapshot_of` freezes what the proof states when it is issued: the volunteer's masked identity, each confirmed
service (activity, organiser, date, place, content, hours), the total, training and commendations, the number and
the date. `render` lays the snapshot out with core.pdf (embedded Chinese font), so a proof downloaded again is the
same document. The document's wording is the official Chinese form, not interface text.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shequ.core import pdf

from .domain import EntryKind, hours_text

SNAPSHOT_VERSION = 1
# The document is in Chinese whatever the reader's interface language.
ENTRY_WORDS = {EntryKind.TRAINING.value: "培训", EntryKind.COMMENDATION.value: "表彰奖励"}


def snapshot_of(
    volunteer: Any, community: Any, records: list[Any], entries: list[Any], number: str, issued_at: datetime
) -> dict[str, Any]:
    """What the proof states, as JSON-ready values (hours as exact strings)."""
    records = sorted(records, key=lambda r: (r.served_on, r.pk))
    total = sum((r.hours for r in records), Decimal(0))
    return {
        "version": SNAPSHOT_VERSION,
        "number": number,
        "issued_on": timezone.localdate(issued_at).isoformat(),
        "issued_at": issued_at.isoformat(),
        "community": community.name,
        "name": volunteer.name_masked,
        "id_number": volunteer.id_number_masked,
        "registered_on": volunteer.registered_on.isoformat(),
        "services": [
            {
                "title": r.title,
                "organiser": r.organiser.name,
                "served_on": r.served_on.isoformat(),
                "place": r.place,
                "content": r.content,
                "hours": hours_text(r.hours),
            }
            for r in records
        ],
        "total_hours": hours_text(total),
        "entries": [
            {"kind": e.kind, "on": e.on.isoformat(), "title": e.title, "issuer": e.issuer}
            for e in sorted(entries, key=lambda e: (e.on, e.pk))
            if e.kind in (EntryKind.TRAINING, EntryKind.COMMENDATION)
        ],
    }


def _day(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def document(snap: dict[str, Any]) -> pdf.Document:
    """The proof as a core.pdf document."""
    identity = f"姓名：{snap['name']}"
    if snap["id_number"]:
        identity += f"    证件号码：{snap['id_number']}"
    blocks: list[pdf.Block] = [
        pdf.TitleLine("志愿服务记录证明"),
        pdf.Line(f"编号：{snap['number']}", align="R", size=10),
        pdf.Space(2),
        pdf.Paragraph(identity),
        pdf.Paragraph(f"注册社区：{snap['community']}    注册日期：{_day(snap['registered_on'])}"),
        pdf.Paragraph(
            f"经查询志愿服务记录，该志愿者参加志愿服务 {len(snap['services'])} 次，"
            f"累计志愿服务时长 {snap['total_hours']} 小时（不含往返交通时间）。"
        ),
        pdf.Heading("志愿服务记录"),
        pdf.Table(
            headers=("活动名称", "组织单位", "服务日期", "服务地点", "时长（小时）"),
            rows=tuple((s["title"], s["organiser"], s["served_on"], s["place"], s["hours"]) for s in snap["services"]),
            widths=(0.28, 0.24, 0.16, 0.2, 0.12),
        ),
        pdf.Paragraph(f"合计：{snap['total_hours']} 小时"),
    ]
    if snap["entries"]:
        blocks += [
            pdf.Heading("培训和表彰奖励"),
            pdf.Table(
                headers=("类别", "日期", "事项", "组织或作出单位"),
                rows=tuple(
                    (ENTRY_WORDS.get(e["kind"], e["kind"]), e["on"], e["title"], e["issuer"]) for e in snap["entries"]
                ),
                widths=(0.14, 0.16, 0.45, 0.25),
            ),
        ]
    blocks += [
        pdf.Space(4),
        pdf.Paragraph("本证明根据志愿服务记录出具，依据《志愿服务记录与证明出具办法（试行）》。"),
        pdf.Paragraph("本证明免费出具。"),
        pdf.Space(8),
        pdf.Line(f"{snap['community']}（盖章）", align="R"),
        pdf.Line(_day(snap["issued_on"]), align="R"),
    ]
    issued_at = datetime.fromisoformat(snap["issued_at"])
    return pdf.Document(title=f"志愿服务记录证明 {snap['number']}", created_at=issued_at, blocks=blocks)


def render(snap: dict[str, Any]) -> bytes:
    """The proof's PDF bytes (the same snapshot always renders the same file)."""
    return pdf.render(document(snap))


def filename(snap: dict[str, Any]) -> str:
    return f"{snap['number']}.pdf"
