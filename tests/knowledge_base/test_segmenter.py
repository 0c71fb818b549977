import re

import pytest

from knowledge_base.segmenter import chinese_number, segment
from helpers import REPO

NOTICE = REPO / "knowledge_base" / "corpus" / "documents" / \
    "mofcom-2020-04-01-stabilize-foreign-investment.txt"
CN_LABELS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
             "十五", "十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四"]


@pytest.mark.parametrize("text,value", [("一", 1), ("十", 10), ("十一", 11), ("二十一", 21),
                                        ("一百零三", 103), ("三十四", 34)])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.fixture(scope="module")
def notice():
    return segment(NOTICE.read_text(encoding="utf-8"), strip_signature=("商务部",))


def test_notice_has_24_clauses_with_printed_labels(notice):
    assert [c.label for c in notice.clauses] == [f"（{n}）" for n in CN_LABELS]


def test_notice_sections_become_heading_paths(notice):
    sections = []
    for clause in notice.clauses:
        if clause.heading[0] not in sections:
            sections.append(clause.heading[0])
    assert sections == ["一、全力支持外资企业恢复正常生产经营秩序", "二、推动更高水平对外开放",
                        "三、进一步推进商务领域“放管服”改革", "四、加强外商投资服务和促进工作",
                        "五、持续优化外商投资环境"]
    first = notice.clauses[0]
    assert first.heading == ("一、全力支持外资企业恢复正常生产经营秩序", "（一）建立健全应对疫情工作机制")


def test_pdf_line_breaks_and_spacing_are_repaired(notice):
    for clause in notice.clauses:
        assert "\n" not in clause.text, clause.label  # each clause is one paragraph in the notice
        assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", clause.text), clause.label
        assert clause.text.endswith("。"), clause.label
    by_label = {c.label: c.text for c in notice.clauses}
    assert "（国发〔2019〕11号）" in by_label["（八）"]
    assert "（国发〔2019〕23号）" in by_label["（二十一）"]
    assert "营业额等基本情况" in by_label["（二）"]  # page break inside a word


def test_closing_paragraph_and_signature_are_not_clause_text(notice):
    last = notice.clauses[-1].text
    assert last.endswith("持续优化引资国际舆论环境。")
    assert notice.closing.startswith("各级商务主管部门要")
    assert "2020" not in notice.closing
    assert notice.preamble.endswith("现就当前及全年稳外资相关工作通知如下：")


LAW = """中华人民共和国外商投资法

第一章 总则

第一条 为了进一步扩大对外开放，积极促进外商投资，制定本法。
第二条 在中华人民共和国境内的外商投资，适用本法。
本法所称外商投资，包括下列情形：
（一）外国投资者单独或者与其他投资者共同在中国境内设立外商投资企业；
（二）外国投资者取得中国境内企业的股份；
第二章 投资促进
第三条 国家坚持对外开放的基本国策。
第四条 国家对外商投资实行准入前国民待遇加负面清单管理制度。
"""


def test_articles_under_chapters_keep_enumerations_inside():
    seg = segment(LAW)
    assert [c.label for c in seg.clauses] == ["第一条", "第二条", "第三条", "第四条"]
    second = seg.clauses[1]
    assert second.heading == ("第一章 总则",) or second.heading == ("第一章总则",)
    assert "（一）外国投资者单独" in second.text and "（二）外国投资者取得" in second.text
    assert seg.clauses[2].heading[0].startswith("第二章")
    assert seg.preamble == "中华人民共和国外商投资法"


GUIDE_SECTIONS = """外商投资信息报告指南
一、初始报告
外国投资者在中国境内设立外商投资企业，应于办理设立登记时报送初始报告。
二、变更报告
初始报告的信息发生变更，涉及企业变更登记的，应于办理变更登记时报送变更报告。
三、年度报告
每年1月1日至6月30日报送上一年度的年度报告。
"""


def test_sections_alone_are_clauses():
    seg = segment(GUIDE_SECTIONS)
    assert [c.label for c in seg.clauses] == ["一、", "二、", "三、"]
    assert seg.clauses[0].text.startswith("初始报告")


NUMBERED = """办事指南
一、申请条件
1. 申请人为外商投资企业。
2. 已在市场监管部门登记。
二、办理流程
1．提交材料。
2、等待受理，受理期限为7个工作日。
"""


def test_numbered_items_under_sections():
    seg = segment(NUMBERED)
    assert [c.label for c in seg.clauses] == ["1.", "2.", "1．", "2、"]
    assert seg.clauses[2].heading == ("二、办理流程",)
    assert "7个工作日" in seg.clauses[3].text


def test_out_of_sequence_marker_is_wrapped_text_not_a_clause():
    text = "（一）第一项措施，内容较长需要换行，下一行开头恰好是编号\n（三）这不是新条目而是续行。\n（二）第二项措施。"
    seg = segment(text)
    assert [c.label for c in seg.clauses] == ["（一）", "（二）"]
    assert "（三）这不是新条目而是续行" in seg.clauses[0].text
