"""MOFCOM's law and regulation database (policy.mofcom.gov.cn/claw), on our own fixture pages; the
article page mirrors the real template (h2.tit_08, table.table_01 particulars, div.article text)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scrapers.sites import named_parser, parser_for_url
from scrapers.sites.mofcom_law import MofcomLawParser, dotted_date, read_particulars
from scrapers.sources import load_sources
from scrapers.types import ParseError
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "sites" / "mofcom_law"
PAGE = "https://policy.mofcom.gov.cn/claw/clawContent.shtml?id=90001"
ARTICLES = ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条"]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parser():
    return MofcomLawParser()


def test_registered_and_chosen_for_the_database_host():
    assert isinstance(named_parser("mofcom_law"), MofcomLawParser)
    assert isinstance(parser_for_url(PAGE), MofcomLawParser)
    assert not isinstance(parser_for_url("https://www.mofcom.gov.cn/zcfb/index.html"), MofcomLawParser)
    sources = {s.name: s for s in load_sources(REPO / "scrapers" / "sources.yaml").sources}
    assert sources["mofcom_law"].parser == "mofcom_law"
    assert all("policy.mofcom.gov.cn" in u for u in sources["mofcom_law"].start_urls)


def test_article_particulars(parser):
    article = parser.parse_article(fixture("clawContent_90001.html"), PAGE)
    assert article.title == "外商投资示例管理条例"
    assert article.issuer == "国务院"
    assert article.doc_number == "中华人民共和国国务院令第900号"
    assert article.written_date == "2023-05-20" and article.publish_date == "2023-05-20"
    assert article.effective_date == "2023-07-01"
    assert article.validity == "现行有效"
    assert article.source_url == PAGE


def test_every_article_parsed_once_under_its_chapter(parser):
    article = parser.parse_article(fixture("clawContent_90001.html"), PAGE)
    labels = [c.label for c in article.clauses]
    assert labels == ARTICLES  # each once, in order; the table of contents added none
    by_label = {c.label: c for c in article.clauses}
    assert by_label["第一条"].heading.replace(" ", "").endswith("第一章总则")
    assert "第二章" in by_label["第四条"].heading and "第三章" in by_label["第七条"].heading
    # A paragraph without a label belongs to the article before it; a cross-reference
    # ("依照第二条的规定") inside an article does not start a new one.
    assert "本条例所称外商投资" in by_label["第二条"].text
    assert "依照第二条的规定" in by_label["第三条"].text
    assert "（三）投诉事项的受理" in by_label["第四条"].text
    # The source line, the particulars, the disclaimer and the footer are not text.
    assert not any(w in article.body for w in ("打印", "关闭窗口", "来源：", "主办单位", "【发布部门】",
                                               "【信息来源", "【法律话题】", "免责声明"))
    # The table of contents is dropped: each chapter title is printed once, before its articles.
    assert [line for line in article.body.split("\n") if line.startswith("第二章")] == ["第二章　投资促进"]


def test_title_never_the_site_name(parser):
    """The template's <title> names the site; without the title block the hidden form's copy is
    used."""
    html = fixture("clawContent_90001.html").replace(
        '<h2 class="tit_08">外商投资示例管理条例</h2>', "")
    article = parser.parse_article(html, PAGE)
    assert article.title == "外商投资示例管理条例"
    html = html.replace('name="title" value="外商投资示例管理条例"', 'name="title" value=""')
    with pytest.raises(ParseError, match="title"):
        parser.parse_article(html, PAGE)


def test_list_page_rows_and_next_page(parser):
    page = parser.parse_list(fixture("list.html"), "https://policy.mofcom.gov.cn/claw/clawList.shtml")
    assert page.article_urls == (
        "https://policy.mofcom.gov.cn/claw/clawContent.shtml?id=90001",
        "https://policy.mofcom.gov.cn/claw/clawContent.shtml?id=90002",
    )
    assert page.next_url == "https://policy.mofcom.gov.cn/claw/clawList.shtml?page=2"


def test_page_without_articles_is_a_clear_parse_error(parser):
    with pytest.raises(ParseError, match="第X条"):
        parser.parse_article(fixture("list.html"), PAGE)


def test_particulars_and_dates_in_both_layouts():
    assert read_particulars("【发布部门】商务部\n【发文字号】商务部令2020年第3号") == {
        "issuer": "商务部", "doc_number": "商务部令2020年第3号"}
    assert read_particulars("发布部门：商务部 市场监管总局")["issuer"] == "商务部 市场监管总局"
    # The template's cells: the value on the line after the label; 时效状态 is the validity.
    assert read_particulars("【发布日期】\n\t\t2018-12-29\n【时效状态】\n  现行有效\n") == {
        "written_date": "2018-12-29", "validity": "现行有效"}
    assert dotted_date("2019.12.30") == "2019-12-30" and dotted_date("2020年1月1日") == "2020-01-01"
    assert dotted_date("") == ""


def test_parse_command_reads_the_page_as_a_user_would(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "scrapers", "parse", "--json", "--url", PAGE,
                           str(FIXTURES / "clawContent_90001.html")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["doc_number"] == "中华人民共和国国务院令第900号"
    assert data["effective_date"] == "2023-07-01"
    assert [c["label"] for c in data["clauses"]] == ARTICLES
