"""The mediation agreement as a PDF (人民调解协议书) with an embedded Simplified-Chinese font.

The font is Noto Sans SC (SIL Open Font License 1.1) as shipped, in its variable form, by the
`justmytype-intl-cjk` package. For each document the font is cut down with fontTools to the characters the
document uses and pinned to the Regular weight (wght 400), and fpdf2 embeds that small static TrueType font
(CIDFontType2, Identity-H, with a ToUnicode map): the PDF renders the same on any machine, with or without
Chinese fonts installed, its text can be searched and copied, and a one-page agreement stays a few tens of
KB. Pure: no database access.
"""

import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from fpdf import FPDF

FONT_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
WEIGHT = 400.0
HEADINGS = "当事人纠纷事项经调解，各方自愿达成如下协议人民调解委员会"
BOILERPLATE = (
    "本协议经各方当事人签名（盖章）、调解员签名并加盖人民调解委员会印章后生效，"
    "具有法律约束力，当事人应当按照约定履行。本协议一式多份，当事人各执一份，调解组织留存一份。"
)
FONT = "NotoSansSC"


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


@lru_cache(maxsize=1)
def font_path() -> Path:
    """The variable Noto Sans SC font file shipped by justmytype-intl-cjk."""
    return Path(str(files("justmytype_intl_cjk") / FONT_FILE))


def static_font(text: str) -> bytes:
    """Noto Sans SC Regular limited to the characters of `text` (plus ASCII), as a static TrueType font."""
    font = TTFont(font_path(), recalcTimestamp=False)
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))) + "".join(chr(c) for c in range(0x20, 0x7F)))
    subsetter.subset(font)
    static = instancer.instantiateVariableFont(font, {"wght": WEIGHT}, updateFontNames=False)
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


def render(content: AgreementContent) -> bytes:
    """Lay out the agreement on A4 and return the PDF bytes (font subset embedded, metadata fixed)."""
    with tempfile.TemporaryDirectory() as tmp:
        font_file = Path(tmp) / "NotoSansSC-Regular.ttf"
        font_file.write_bytes(static_font(_all_text(content)))
        return _layout(content, font_file)


def _all_text(content: AgreementContent) -> str:
    parts = [content.title, content.number, content.community, content.dispute_title, content.facts, content.terms]
    parts += [f"{s.role}{s.name}" for s in content.signatories]
    return "".join(parts) + content.mediator + BOILERPLATE + HEADINGS + "0123456789年月日：（）编号签名印章　＿"


def _layout(content: AgreementContent, font_file: Path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(content.generated_at)
    pdf.set_title(f"{content.title} {content.number}")
    pdf.set_creator("shequ")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, fname=str(font_file))
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT, size=20)
    pdf.cell(width, 14, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.cell(
        width,
        7,
        f"编号：{content.number}-{content.version:02d}    {content.community}",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    def heading(text: str) -> None:
        pdf.set_font(FONT, size=13)
        pdf.cell(width, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=11.5)

    heading("当事人")
    for s in content.signatories:
        pdf.multi_cell(width, 7, f"{s.role}：{s.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    heading("纠纷事项")
    pdf.multi_cell(width, 7, f"{content.dispute_title}。{content.facts}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    heading("经调解，各方自愿达成如下协议")
    for paragraph in content.terms.splitlines():
        if paragraph.strip():
            pdf.multi_cell(width, 7, paragraph.strip(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(width, 7, BOILERPLATE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=11.5)
    for s in content.signatories:
        pdf.cell(width, 10, f"{s.role}（签名）：{s.name}　　＿＿＿＿＿＿＿＿", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 10, f"调解员（签名）：{content.mediator}　　＿＿＿＿＿＿＿＿", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(width, 8, f"{content.community}人民调解委员会（印章）", align="R", new_x="LMARGIN", new_y="NEXT")
    made = content.made_on
    pdf.cell(width, 8, f"{made.year}年{made.month}月{made.day}日", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
