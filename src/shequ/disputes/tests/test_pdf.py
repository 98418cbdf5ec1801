"""The agreement PDF: Chinese text extracts back exactly, the font is embedded as a small TrueType subset."""

import datetime as dt
import io

import pypdf

from shequ.disputes.agreement_pdf import AgreementContent, SignatoryLine, render

TERMS = (
    "一、被申请人于2026年4月30日前完成卫生间防水维修，费用自行承担。\n"
    "二、申请人配合入户施工。\n"
    "三、双方今后友好相处，互谅互让。"
)


def _content(**kw):
    values = {
        "title": "人民调解协议书",
        "number": "260316123456",
        "version": 3,
        "community": "洗面桥社区",
        "dispute_title": "楼上漏水邻里纠纷",
        "facts": "楼上卫生间漏水到楼下，多次沟通未果。",
        "terms": TERMS,
        "signatories": (SignatoryLine("申请人", "王秀英"), SignatoryLine("被申请人", "李建国")),
        "mediator": "陈静",
        "made_on": dt.date(2026, 3, 16),
        "generated_at": dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC),
    }
    values.update(kw)
    return AgreementContent(**values)


def test_terms_extract_back_as_written():
    """Every line of the terms, the parties and the date come back out of the PDF's text layer."""
    reader = pypdf.PdfReader(io.BytesIO(render(_content())))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for line in TERMS.splitlines():
        assert line in text
    for expected in ("人民调解协议书", "编号：260316123456-03", "申请人：王秀英", "被申请人：李建国", "2026年3月16日"):
        assert expected in text


def test_font_is_an_embedded_truetype_subset_and_the_file_is_small():
    """The font travels inside the PDF (FontFile2, Identity-H, subset prefix), keeping the file under 80 KB."""
    data = render(_content())
    assert data.startswith(b"%PDF-") and len(data) < 80_000
    fonts = pypdf.PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    (font,) = [f.get_object() for f in fonts.values()]
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant["/FontDescriptor"].get_object()
    assert font["/Encoding"] == "/Identity-H" and descendant["/Subtype"] == "/CIDFontType2"
    assert "/FontFile2" in descriptor and str(font["/BaseFont"])[7] == "+"


def test_long_terms_flow_onto_a_second_page():
    """Terms longer than a page continue on the next page, nothing is cut."""
    terms = "\n".join(f"第{i}条、双方约定的第{i}项内容如实履行。" for i in range(1, 61))
    reader = pypdf.PdfReader(io.BytesIO(render(_content(terms=terms))))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and "第60条、双方约定的第60项内容如实履行。" in text
