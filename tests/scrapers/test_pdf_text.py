"""PDF attachments to text: test PDFs from harness/pdf_fixture.py through pypdf and the segmenter."""
import io

import pytest
from pypdf import PdfReader, PdfWriter

from knowledge_base.segmenter import segment
from harness.pdf_fixture import ATTACHMENT, ATTACHMENT_PAGES, make_pdf
from scrapers.pdf_text import PdfError, pdf_text

HEADER = "外商投资政策汇编（2024年版）"
# Two pages, each with a running header and a page number; clause （一） wraps within page 1,
# clause （二） wraps across the page break.
POLICY = [
    [HEADER,
     "一、总则",
     "（一）外国投资者以分配利润直接投资，暂不",
     "征收预提所得税。",
     "（二）外商投资企业依法平等适用国家支持企业发展的",
     "- 1 -"],
    [HEADER,
     "各项政策。",
     "二、附则",
     "（三）本措施自2024年1月1日起施行。",
     "- 2 -"],
]


def encrypted(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, "owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_make_pdf_is_a_valid_pdf():
    data = make_pdf(POLICY)
    reader = PdfReader(io.BytesIO(data), strict=True)  # strict: xref offsets must be exact
    assert len(reader.pages) == 2
    assert reader.pages[0].extract_text().splitlines()[2] == "（一）外国投资者以分配利润直接投资，暂不"


def test_pdf_text_keeps_lines_and_drops_headers_and_page_numbers():
    assert pdf_text(make_pdf(POLICY)).split("\n") == [
        "一、总则",
        "（一）外国投资者以分配利润直接投资，暂不",
        "征收预提所得税。",
        "（二）外商投资企业依法平等适用国家支持企业发展的",
        "各项政策。",
        "二、附则",
        "（三）本措施自2024年1月1日起施行。",
    ]


def test_segmenter_rejoins_wrapped_clauses():
    result = segment(pdf_text(make_pdf(POLICY)))
    assert [c.label for c in result.clauses] == ["（一）", "（二）", "（三）"]
    assert result.clauses[0].text == "外国投资者以分配利润直接投资，暂不征收预提所得税。"
    assert result.clauses[1].text == "外商投资企业依法平等适用国家支持企业发展的各项政策。"
    assert result.clauses[0].heading[0] == "一、总则"
    assert result.clauses[2].heading[0] == "二、附则"


@pytest.mark.parametrize("footer", ["第 1 页 共 3 页", "1/3", "— 1 —", "Page 1 of 3", "1"])
def test_page_number_styles(footer):
    pages = [[f"第{'一二三'[i]}条内容{i}。", footer.replace("1", str(i + 1), 1)] for i in range(3)]
    assert pdf_text(make_pdf(pages)).split("\n") == ["第一条内容0。", "第二条内容1。", "第三条内容2。"]


def test_max_pages():
    pages = [[f"第{n}页的正文内容。"] for n in "一二三"]
    assert pdf_text(make_pdf(pages), max_pages=2) == "第一页的正文内容。\n第二页的正文内容。"


def test_attachment_fixture_extracts():
    data = ATTACHMENT.read_bytes()
    assert data == make_pdf(ATTACHMENT_PAGES), "regenerate it: python -m harness.pdf_fixture"
    text = pdf_text(data)
    assert text.startswith("外商投资准入特别管理措施（负面清单）\n")
    assert "- 1 -" not in text
    items = segment(text).clauses
    assert [c.label for c in items] == ["1.", "2.", "3."]
    assert items[1].text == "禁止投资中国稀有和特有的珍贵优良品种的研发、养殖、种植以及相关繁殖材料的生产。"
    assert items[2].heading == ("二、采矿业",)


def test_encrypted_with_an_empty_user_password_is_read():
    assert pdf_text(encrypted(make_pdf(POLICY), "")).startswith("一、总则\n")


@pytest.mark.parametrize("data,reason", [
    (b"not a pdf", "not a PDF"),
    (b"<!DOCTYPE html><html><body>404</body></html>", "not a PDF"),
    (make_pdf(POLICY)[:300], "corrupt or unreadable PDF"),
    (make_pdf([[]]), "no text layer"),
    (make_pdf([["- 1 -"], ["- 2 -"]]), "no text layer"),  # page numbers alone are no text
    (encrypted(make_pdf(POLICY), "secret"), "encrypted"),
])
def test_unreadable_pdfs(data, reason):
    with pytest.raises(PdfError, match=reason):
        pdf_text(data)
    assert issubclass(PdfError, ValueError)
