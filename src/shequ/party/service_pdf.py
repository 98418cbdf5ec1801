"""An in-service member's quarterly service record for their employer (在职党员到社区报到服务情况反馈) as a PDF,
laid out by core.pdf.

The member (name, own Party organisation, employer, post), the community they reported to and when, each service
of the quarter the community confirmed (date, need, content, hours), the total hours, the issuing community Party
organisation with the date of issue, and the date the file was generated. Facts only: no score, grade or
ranking (关于防治"指尖上的形式主义"的若干规定 2024). Like every printed document it is in Chinese. Pure: no
database access.
"""

from dataclasses import dataclass
from datetime import date, datetime

from shequ.core import pdf


@dataclass(frozen=True)
class RecordRow:
    served_on: date
    need: str  # "" for a service without a claimed need
    content: str
    hours: str  # as text ("3.5")


@dataclass(frozen=True)
class RecordContent:
    name: str
    own_org: str
    employer: str
    job_title: str
    community: str
    community_org: str
    registered_on: date
    quarter: str  # in words: 2026年第4季度
    rows: tuple[RecordRow, ...]
    total_hours: str
    issued_on: date
    generated_at: datetime


TITLE = "在职党员到社区报到服务情况反馈"


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def document(content: RecordContent) -> pdf.Document:
    """The record as a core.pdf document."""
    employer = content.employer + (f"（{content.job_title}）" if content.job_title else "")
    blocks: list[pdf.Block] = [
        pdf.TitleLine(TITLE),
        pdf.Line(content.quarter, align="C", size=12, height=8),
        pdf.Space(3),
        pdf.Paragraph(f"姓名：{content.name}"),
        pdf.Paragraph(f"所在党组织：{content.own_org}"),
        pdf.Paragraph(f"工作单位及职务：{employer}"),
        pdf.Paragraph(f"报到社区：{content.community}（{_day(content.registered_on)}报到）"),
        pdf.Space(3),
        pdf.Heading("本季度服务情况"),
    ]
    if content.rows:
        blocks.append(
            pdf.Table(
                headers=("日期", "服务需求", "服务内容", "时长（小时）"),
                rows=tuple((_day(r.served_on), r.need or "—", r.content, r.hours) for r in content.rows),
                widths=(0.2, 0.25, 0.4, 0.15),
            )
        )
    else:
        blocks.append(pdf.Paragraph("本季度没有经社区确认的服务记录。"))
    blocks += [
        pdf.Space(2),
        pdf.Paragraph(f"本季度共服务 {len(content.rows)} 次，合计 {content.total_hours} 小时。"),
        pdf.Paragraph("以上服务记录均经社区党组织确认。"),
        pdf.Space(10),
        pdf.Line(f"{content.community_org}（盖章）", align="R"),
        pdf.Line(_day(content.issued_on), align="R"),
        pdf.Space(6),
        pdf.Line(f"本文件生成于{content.generated_at:%Y-%m-%d %H:%M}", align="R", size=9, height=6),
    ]
    return pdf.Document(title=f"{TITLE} {content.quarter}", created_at=content.generated_at, blocks=blocks)


def render(content: RecordContent) -> bytes:
    """Lay out the record on A4 and return the PDF bytes (font subset embedded, metadata fixed)."""
    return pdf.render(document(content))
