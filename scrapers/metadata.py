"""Metadata of Chinese official documents: dates, document numbers, label/value tables."""
from __future__ import annotations

import re

from bs4 import Tag

from .html_text import short_text

_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
# 国发〔2018〕38号, 财税〔2018〕102号, 国家税务总局公告2025年第2号, 国令第707号, 第47号令, 商务部令2019年第2号
_DOC_NUMBER = re.compile(
    r"(?:[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号"
    r"|[\u4e00-\u9fff]{0,16}(?:公告|令)\s*\d{4}\s*年\s*第\s*\d+\s*号"
    r"|[\u4e00-\u9fff]{1,12}令\s*第\s*\d+\s*号"
    r"|第\s*\d+\s*号令)"
)
# The labels of metadata tables, with the spaces and full-width colons they are printed with.
LABEL_ALIASES = {
    "索引号": "index_number",
    "主题分类": "subject",
    "发文机关": "issuer",
    "发布机构": "issuer",
    "发布单位": "issuer",
    "发文单位": "issuer",
    "来源": "source",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "颁布文号": "doc_number",
    "颁布日期": "publish_date",
    "颁布单位": "issuer",
    "成文日期": "written_date",
    "发布日期": "publish_date",
    "发布时间": "publish_date",
    "生效日期": "effective_date",
    "标题": "title",
    "名称": "title",
}


def normalize_label(text: str) -> str:
    return re.sub(r"[\s\u3000:：]+", "", text)


def iso_date(text: str) -> str:
    """2018年11月07日, 2018-11-7 or 2018/11/07 -> 2018-11-07; "" when there is no date."""
    match = _DATE.search(text or "")
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_doc_number(text: str) -> str:
    match = _DOC_NUMBER.search(text or "")
    return re.sub(r"\s+", "", match.group(0)) if match else ""


def label_table(container: Tag | None) -> dict[str, str]:
    """Read `label：value` metadata, whether laid out as table cells or as `<li>`/`<span>` pairs.

    Returns canonical keys (issuer, doc_number, written_date, …) mapped to the raw value text.
    """
    found: dict[str, str] = {}
    if container is None:
        return found
    cells = container.find_all(["td", "th"])
    for i, cell in enumerate(cells):
        key = LABEL_ALIASES.get(normalize_label(short_text(cell)))
        if key and i + 1 < len(cells) and key not in found:
            value = short_text(cells[i + 1])
            if normalize_label(value) not in LABEL_ALIASES:
                found[key] = value
    # Inline pairs: "发文机关：国务院" in one element.
    for element in container.find_all(["li", "span", "p", "div", "td"]):
        text = short_text(element)
        match = re.match(r"^\s*([\u4e00-\u9fff\s]{2,8})[:：]\s*(.+)$", text)
        if match:
            key = LABEL_ALIASES.get(normalize_label(match.group(1)))
            if key and key not in found and len(match.group(2)) < 120:
                found[key] = match.group(2).strip()
    return found
