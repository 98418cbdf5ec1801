"""The mediation agreement (人民调解协议书) as a PDF: its content and order, laid out by core.pdf.

The parties, the dispute, the agreed terms one paragraph per line, the standard clause on when the agreement
takes effect, a signature line per party and for the mediator, then the committee's seal and the date. The
font, page and layout rules (embedded Noto Sans SC subset, A4) are core.pdf's. Pure: no database access.
"""

from dataclasses import dataclass
from datetime import date, datetime

from shequ.core import pdf

BOILERPLATE = (
    "本协议经各方当事人签名（盖章）、调解员签名并加盖人民调解委员会印章后生效，"
    "具有法律约束力，当事人应当按照约定履行。本协议一式多份，当事人各执一份，调解组织留存一份。"
)


@dataclass(frozen=True)
class SignatoryLine:
    role: str  # 申请人 / 被申请人 / 第三人
    name: str


@dataclass(frozen=True)
class AgreementContent:
    title: str  # e.g. 人民调解协议书
    number: str  # the case's tracking number
    version: int
    community: str
    dispute_title: str
    facts: str  # the dispute as registered
    terms: str
    signatories: tuple[SignatoryLine, ...]
    mediator: str
    made_on: date
    generated_at: datetime


def document(content: AgreementContent) -> pdf.Document:
    """The agreement as a core.pdf document."""
    made = content.made_on
    blocks: list[pdf.Block] = [
        pdf.TitleLine(content.title),
        pdf.Line(f"编号：{content.number}-{content.version:02d}    {content.community}", align="R", size=10, height=7),
        pdf.Space(3),
        pdf.Heading("当事人"),
        *(pdf.Paragraph(f"{s.role}：{s.name}") for s in content.signatories),
        pdf.Space(2),
        pdf.Heading("纠纷事项"),
        pdf.Paragraph(f"{content.dispute_title}。{content.facts}"),
        pdf.Space(2),
        pdf.Heading("经调解，各方自愿达成如下协议"),
        *(pdf.Paragraph(line.strip()) for line in content.terms.splitlines() if line.strip()),
        pdf.Space(2),
        pdf.Paragraph(BOILERPLATE),
        pdf.Space(8),
        *(pdf.SignatureLine(s.role, s.name) for s in content.signatories),
        pdf.SignatureLine("调解员", content.mediator),
        pdf.Space(4),
        pdf.Line(f"{content.community}人民调解委员会（印章）", align="R"),
        pdf.Line(f"{made.year}年{made.month}月{made.day}日", align="R"),
    ]
    return pdf.Document(title=f"{content.title} {content.number}", created_at=content.generated_at, blocks=blocks)


def render(content: AgreementContent) -> bytes:
    """Lay out the agreement on A4 and return the PDF bytes (font subset embedded, metadata fixed)."""
    return pdf.render(document(content))
