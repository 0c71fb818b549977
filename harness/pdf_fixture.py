"""Tiny PDF writer for tests: real text layers with Chinese, without reportlab or font files.

The text is drawn in a Type0 font (Identity-H: two-byte codes = CIDs) whose CIDFontType2
descendant embeds no glyphs; CID n is the n-th distinct character used, and a ToUnicode CMap maps
the CIDs back to Unicode, which is all a text extractor reads. Viewers substitute a system font.

    python -m harness.pdf_fixture   # rewrites tests/fixtures/sites/attachment.pdf
"""
from __future__ import annotations

from pathlib import Path

ATTACHMENT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sites" / "attachment.pdf"
ATTACHMENT_PAGES = [[
    "外商投资准入特别管理措施（负面清单）",
    "一、农、林、牧、渔业",
    "1. 小麦、玉米新品种选育和种子生产须由中方控股。",
    "2. 禁止投资中国稀有和特有的珍贵优良品种的研发、养殖、种植以及",
    "相关繁殖材料的生产。",
    "二、采矿业",
    "3. 禁止投资稀土、放射性矿产、钨勘查、开采及选矿。",
    "- 1 -",
]]

_FONT_SIZE = 12
_LEADING = 18  # points between lines
_TOP = 800  # first baseline, on an A4 page 842 points high


def _utf16_hex(ch: str) -> str:
    return ch.encode("utf-16-be").hex().upper()  # surrogate pairs for characters beyond the BMP


def _to_unicode_cmap(cids: dict[str, int]) -> bytes:
    entries = sorted((cid, ch) for ch, cid in cids.items())
    blocks = []
    for start in range(0, len(entries), 100):  # at most 100 entries per bfchar block
        chunk = entries[start:start + 100]
        lines = "\n".join(f"<{cid:04X}> <{_utf16_hex(ch)}>" for cid, ch in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{lines}\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) +
            "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode("ascii")


def _stream(content: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(content)}{extra} >>\nstream\n".encode("ascii") + content + \
        b"\nendstream"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with one page per entry of `pages`, each line drawn with one `Tj` below the last."""
    chars = sorted({ch for page in pages for line in page for ch in line})
    if len(chars) > 0xFFFE:
        raise ValueError("too many distinct characters for two-byte CIDs")
    cids = {ch: i for i, ch in enumerate(chars, 1)}  # CID 0 is .notdef

    # Object numbers: 1 catalog, 2 page tree, 3 Type0 font, 4 CIDFont, 5 descriptor,
    # 6 ToUnicode, then a page object and its content stream for each page.
    page_ids = [7 + 2 * i for i in range(len(pages))]
    ascii_widths = " ".join(f"{cids[ch]} [500]" for ch in chars if ch.isascii())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] "
        f"/Count {len(pages)} >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        # Chinese characters are 1000 units wide (DW), ASCII half of that.
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor 5 0 R /DW 1000 /W [{ascii_widths}] /CIDToGIDMap /Identity >>"
        .encode("ascii"),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
        _stream(_to_unicode_cmap(cids)),
    ]
    for page_id, lines in zip(page_ids, pages):
        ops = [f"BT /F1 {_FONT_SIZE} Tf 72 {_TOP} Td"]
        for i, line in enumerate(lines):
            move = "" if i == 0 else f"0 -{_LEADING} Td "
            ops.append(f"{move}<{''.join(f'{cids[ch]:04X}' for ch in line)}> Tj")
        ops.append("ET")
        content = "\n".join(ops).encode("ascii") if lines else b""
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>"
                       .encode("ascii"))
        objects.append(_stream(content))

    # A binary comment after the header tells transfer tools the file is binary.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    # Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CR/LF pair.
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode("ascii")
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode("ascii")
    return bytes(out)


if __name__ == "__main__":
    ATTACHMENT.parent.mkdir(parents=True, exist_ok=True)
    ATTACHMENT.write_bytes(make_pdf(ATTACHMENT_PAGES))
    print(f"wrote {ATTACHMENT}")
