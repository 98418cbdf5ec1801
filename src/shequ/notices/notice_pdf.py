"""A public notice (公示) as a printable PDF: its content and order, laid out by core.pdf.

The title, the area it is addressed to and its kind, the body one paragraph per line, the period, how to
object, the issuing body (the community's residents' committee) with the date of publication, and the date the
file was generated. The font, page and layout rules (embedded Noto Sans SC subset, A4) are core.pdf's. Pure: no
database access.
"""

from dataclasses import dataclass
from datetime import date, datetime

from shequ.core import pdf


@dataclass(frozen=True)
class NoticeContent:
    title: str
    kind: str  # in words: 决议, 表决结果 …
    addressed_to: str  # e.g. 洗面桥社区 锦苑小区 1栋 全体居民
    body: str
    starts_on: date
    ends_on: date
    days: int
    issuer: str  # e.g. 洗面桥社区居民委员会
    published_on: date | None  # None for a draft
    status_note: str  # "" when published; e.g. 本公示已撤回：理由 …
    generated_at: datetime


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def how_to_object(content: NoticeContent) -> str:
    return (
        f"公示期内，居住在公示范围内的居民如有异议，可登录社区居民服务门户，在“公示公告”中对本公示提出异议，"
        f"也可以书面、电话或到{content.issuer}当面提出。社区将对每一条异议作出答复。"
    )


def document(content: NoticeContent) -> pdf.Document:
    """The notice as a core.pdf document."""
    blocks: list[pdf.Block] = [
        pdf.TitleLine(content.title),
        pdf.Line(f"公示类别：{content.kind}    公示范围：{content.addressed_to}", align="C", size=10, height=7),
        pdf.Space(3),
    ]
    if content.status_note:
        blocks += [pdf.Paragraph(content.status_note), pdf.Space(2)]
    blocks += [
        *(pdf.Paragraph(line.strip()) for line in content.body.splitlines() if line.strip()),
        pdf.Space(3),
        pdf.Heading("公示期"),
        pdf.Paragraph(f"自{_day(content.starts_on)}起至{_day(content.ends_on)}止，共{content.days}天。"),
        pdf.Heading("异议方式"),
        pdf.Paragraph(how_to_object(content)),
        pdf.Space(8),
        pdf.Line(content.issuer, align="R"),
        pdf.Line(_day(content.published_on) if content.published_on else "（草稿，未发布）", align="R"),
        pdf.Space(6),
        pdf.Line(f"本文件生成于{content.generated_at:%Y-%m-%d %H:%M}", align="R", size=9, height=6),
    ]
    return pdf.Document(title=content.title, created_at=content.generated_at, blocks=blocks)


def render(content: NoticeContent) -> bytes:
    """Lay out the notice on A4 and return the PDF bytes (font subset embedded, metadata fixed)."""
    return pdf.render(document(content))
