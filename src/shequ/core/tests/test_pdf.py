"""core.pdf: Chinese text renders and extracts back, with the font embedded as a TrueType subset."""

import datetime as dt
import io

import pypdf

from shequ.core import pdf

CREATED = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)


def _render(*blocks: pdf.Block) -> bytes:
    return pdf.render(pdf.Document(title="会议纪要 示例", created_at=CREATED, blocks=blocks))


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_chinese_text_extracts_back_and_the_font_is_embedded():
    """Every block's Chinese text is in the text layer; the one font is an embedded CIDFontType2 subset."""
    data = _render(
        pdf.TitleLine("居民议事会会议纪要"),
        pdf.Line("编号：2026-007", align="R", size=10),
        pdf.Heading("议题"),
        pdf.Paragraph("加装电梯费用分摊方案，经充分讨论后表决。"),
        pdf.Space(4),
        pdf.SignatureLine("记录人", "陈静"),
    )
    assert data.startswith(b"%PDF-") and len(data) < 80_000
    text = _text(data)
    for expected in ("居民议事会会议纪要", "编号：2026-007", "议题", "加装电梯费用分摊方案，经充分讨论后表决。"):
        assert expected in text
    assert "记录人（签名）：陈静" in text
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "会议纪要 示例"
    (font,) = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    assert font["/Encoding"] == "/Identity-H" and descendant["/Subtype"] == "/CIDFontType2"
    assert "/FontFile2" in descriptor and str(font["/BaseFont"])[7] == "+"
    assert "NotoSansSC" in str(font["/BaseFont"])


def test_table_cells_render_in_order():
    """A table's header and cells come out as written, a long Chinese cell wrapped, not cut."""
    long_cell = "按建筑面积比例分摊，一楼住户不承担电梯运行维护费用" * 2
    data = _render(
        pdf.Table(headers=("楼层", "户数", "分摊方式"), rows=(("一层", "4", long_cell), ("二层", "4", "按面积"))),
    )
    text = _text(data).replace("\n", "")
    for expected in ("楼层", "户数", "分摊方式", "一层", "二层", "按面积", long_cell):
        assert expected in text


def test_the_same_document_renders_to_the_same_bytes():
    """The creation date is the given one, so rendering is reproducible."""
    blocks = (pdf.TitleLine("调解记录"), pdf.Paragraph("双方同意。"))
    assert _render(*blocks) == _render(*blocks)
