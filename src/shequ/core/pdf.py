"""Printable A4 documents as PDF, with an embedded Simplified-Chinese font.

A document is a title for the file's metadata, a creation time and a sequence of blocks (TitleLine, Line,
Heading, Paragraph, Space, Table, SignatureLine), laid out top to bottom and flowing onto new pages as needed;
`render` returns the PDF bytes. The content of each kind of document (an agreement, a minute...) belongs to its
app; the layout rules live here so every document looks the same.

The font is Noto Sans SC (SIL Open Font License 1.1) as shipped, in its variable form, by the
`justmytype-intl-cjk` package. For each document the font is cut down with fontTools to the characters the
document uses and pinned to the Regular weight (wght 400), and fpdf2 embeds that small static TrueType font
(CIDFontType2, Identity-H, with a ToUnicode map): the PDF renders the same on any machine, with or without
Chinese fonts installed, its text can be searched and copied, and a one-page document stays a few tens of KB.
The creation date is the one given, so the same content renders to the same file. Pure: no database access.
"""

import io
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from fpdf import FPDF
from fpdf.enums import TextEmphasis, WrapMode
from fpdf.fonts import FontFace

FONT_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
WEIGHT = 400.0
FONT = "NotoSansSC"
BODY_SIZE = 11.5
LINE_HEIGHT = 7
SIGNATURE_BLANK = "＿＿＿＿＿＿＿＿"
# Always in the font, whatever the document says: digits, date and signature punctuation.
_ALWAYS = "0123456789年月日：（）编号签名印章　＿"

Align = Literal["L", "C", "R"]


@dataclass(frozen=True)
class TitleLine:
    """The document's title, centred and large."""

    text: str
    size: float = 20


@dataclass(frozen=True)
class Line:
    """One line of text (not wrapped), e.g. a reference number aligned right."""

    text: str
    align: Align = "L"
    size: float = BODY_SIZE
    height: float = 8


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text, wrapped to the page width."""

    text: str


@dataclass(frozen=True)
class Space:
    """Vertical space, in millimetres."""

    height: float


@dataclass(frozen=True)
class Table:
    """A table with a header row; `widths` are fractions of the page width (equal columns when empty)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class SignatureLine:
    """ "<role>（签名）：<name>" followed by a blank line to sign on."""

    role: str
    name: str = ""


Block = TitleLine | Line | Heading | Paragraph | Space | Table | SignatureLine


@dataclass(frozen=True)
class Document:
    title: str  # the PDF's metadata title
    created_at: datetime  # the PDF's creation date
    blocks: Sequence[Block]


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


def render(document: Document) -> bytes:
    """Lay out `document` on A4 and return the PDF bytes (font subset embedded, metadata fixed)."""
    with tempfile.TemporaryDirectory() as tmp:
        font_file = Path(tmp) / "NotoSansSC-Regular.ttf"
        font_file.write_bytes(static_font(_all_text(document)))
        return _layout(document, font_file)


def _all_text(document: Document) -> str:
    parts = [document.title, _ALWAYS, SIGNATURE_BLANK]
    for block in document.blocks:
        if isinstance(block, Table):
            parts += [*block.headers, *(cell for row in block.rows for cell in row)]
        elif isinstance(block, SignatureLine):
            parts.append(f"{block.role}（签名）：{block.name}")
        elif not isinstance(block, Space):
            parts.append(block.text)
    return "".join(parts)


def _layout(document: Document, font_file: Path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(document.created_at)
    pdf.set_title(document.title)
    pdf.set_creator("shequ")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, fname=str(font_file))
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, size=BODY_SIZE)
    for block in document.blocks:
        if isinstance(block, TitleLine):
            pdf.set_font(FONT, size=block.size)
            pdf.cell(width, 14, block.text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=BODY_SIZE)
        elif isinstance(block, Line):
            pdf.set_font(FONT, size=block.size)
            pdf.cell(width, block.height, block.text, align=block.align, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=BODY_SIZE)
        elif isinstance(block, Heading):
            pdf.set_font(FONT, size=13)
            pdf.cell(width, 9, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, size=BODY_SIZE)
        elif isinstance(block, Paragraph):
            pdf.multi_cell(width, LINE_HEIGHT, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Space):
            pdf.ln(block.height)
        elif isinstance(block, Table):
            _table(pdf, block, width)
        else:
            pdf.cell(
                width, 10, f"{block.role}（签名）：{block.name}　　{SIGNATURE_BLANK}", new_x="LMARGIN", new_y="NEXT"
            )
    return bytes(pdf.output())


def _table(pdf: FPDF, table: Table, width: float) -> None:
    count = len(table.headers)
    fractions = table.widths or tuple(1 / count for _ in range(count))
    with pdf.table(
        col_widths=tuple(f * width for f in fractions),
        line_height=LINE_HEIGHT,
        width=width,
        first_row_as_headings=True,
        # One weight of the font is embedded: headings are shaded, not bold. Chinese wraps between characters.
        headings_style=FontFace(emphasis=TextEmphasis.NONE, fill_color=(235, 235, 235)),
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
    ) as grid:
        for values in (table.headers, *table.rows):
            row = grid.row()
            for value in values:
                row.cell(value)
