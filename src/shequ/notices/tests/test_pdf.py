"""The printable PDF of a notice: a valid PDF with the embedded Chinese font, carrying the title, body, period,
how to object, the issuing body and the generated date; a withdrawn notice says so."""

import io

import pypdf
import pytest

from shequ.notices import selectors, services

from .conftest import publish

pytestmark = pytest.mark.django_db


def _text(data):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_carries_the_notice(w, clock):
    notice = publish(w, compound=w["compound1"])
    data = selectors.pdf_bytes(notice, now=clock.now)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "关于增设充电桩的决议公示"
    text = _text(data).replace(" ", "")
    for expected in (
        "关于增设充电桩的决议公示",
        "公示类别：决议",
        "洗面桥社区锦苑小区全体居民",
        "增设电动自行车集中充电桩二十个",
        "自2026年3月16日起至2026年3月22日止，共7天。",
        "异议方式",
        "社区居民服务门户",
        "洗面桥社区居民委员会",
        "本文件生成于2026-03-1617:30",
    ):
        assert expected in text, expected
    fonts = reader.pages[0]["/Resources"]["/Font"]
    font = next(iter(fonts.values())).get_object()
    assert "NotoSansSC" in str(font["/BaseFont"])


def test_a_withdrawn_notice_says_so(w, clock):
    notice = publish(w)
    services.notice_withdraw(actor=w["cw1"], notice=notice, reason="方案需重新讨论")
    notice.refresh_from_db()
    text = _text(selectors.pdf_bytes(notice, now=clock.now)).replace(" ", "")
    assert "本公示已于2026-03-16撤回。撤回理由：方案需重新讨论" in text
