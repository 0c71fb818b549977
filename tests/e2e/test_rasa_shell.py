"""`make shell` driven through a real terminal (pexpect): one question, then /stop."""
import importlib.util
import io
import re
import sys

import pexpect

from helpers import REPO

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")


def console_module():
    # The script runs in .venv-rasa; its formatting needs no Rasa and is read here directly.
    spec = importlib.util.spec_from_file_location("rasa_console", REPO / "scripts" / "rasa_console.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Tee(io.StringIO):
    """Keeps what the shell printed and shows it in the test's output."""

    def write(self, text):
        sys.stdout.write(text)
        return super().write(text)


def test_make_shell_answers_and_stops(bot):
    env = dict(bot.env, TERM="xterm")
    child = pexpect.spawn("make", ["-s", "shell"], cwd=str(REPO), env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 200))
    child.logfile_read = seen = Tee()
    child.expect("Bot loaded")
    child.sendline("外商投资信息报告的年度报告什么时候报送？")
    child.expect("根据")
    child.expect("年度报告")
    child.expect("Sources:")
    child.expect(r"https?://")
    child.sendline("/stop")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    output = seen.getvalue()
    assert "Custom json" not in output and '"doc_title"' not in output and '"sources"' not in output
    # Sources as lines: 《title》 label · 文号 · date, the address on the line below.
    lines = [line.strip() for line in ANSI.sub("", output).replace("\r", "").split("\n")]
    first = next(i for i, line in enumerate(lines) if line.startswith("[1] "))
    assert re.fullmatch(r"\[1\] 《[^》]+》 \S+ · .+ · \d{4}-\d{2}-\d{2}", lines[first]), lines[first]
    assert re.fullmatch(r"https?://\S+", lines[first + 1]), lines[first + 1]


def test_payload_is_printed_as_source_lines():
    payload_lines = console_module().payload_lines
    custom = {"type": "answer", "lang": "zh", "sources": [
        {"doc_title": "商务部关于进一步做好利用外资工作的通知", "label": "（十）", "doc_number": "商资函〔2020〕62号",
         "date": "2020-04-01", "source_url": "http://www.mofcom.gov.cn/article/b/f/202004/x.shtml"},
        {"doc_title": "外商投资信息报告办法\x1b[2J", "label": "第十四条", "doc_number": "", "date": "2019-12-30",
         "source_url": ""},
        {"doc_title": "商务部关于进一步做好利用外资工作的通知", "label": "（十）", "doc_number": "商资函〔2020〕62号",
         "date": "2020-04-01", "source_url": "http://www.mofcom.gov.cn/article/b/f/202004/x.shtml"},
    ]}
    assert payload_lines(custom) == [
        "  Sources:",
        "  [1] 《商务部关于进一步做好利用外资工作的通知》 （十） · 商资函〔2020〕62号 · 2020-04-01",
        "      http://www.mofcom.gov.cn/article/b/f/202004/x.shtml",
        "  [2] 《外商投资信息报告办法[2J》 第十四条 · 2019-12-30",
    ]
    # A hand-off shows its reference; an answer without sources prints nothing.
    assert payload_lines({"type": "handoff", "lang": "en", "reference": "H-12AB", "topic": None}) == [
        "  Reference: H-12AB"]
    assert payload_lines({"type": "no_answer", "lang": "zh", "sources": []}) == []


def test_make_shell_shows_when_an_answer_is_partial_or_none(bot):
    env = dict(bot.env, TERM="xterm")
    child = pexpect.spawn("make", ["-s", "shell"], cwd=str(REPO), env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 200))
    child.logfile_read = Tee()
    child.expect("Bot loaded")
    child.sendline("How much cash award does Shenzhen give a new regional headquarters?")
    child.expect(r"Answerable: partial \(missing: Shenzhen's own local incentives and rules\)")
    child.sendline("今天人民币兑美元的汇率是多少？")
    child.expect("市场数据")
    child.expect(r"Answerable: no \(missing: 当前的市场数据或统计数据\)")
    child.sendline("/stop")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_answerability_is_printed_for_staff():
    payload_lines = console_module().payload_lines
    assert payload_lines({"type": "answer", "answerable": "partial", "missing": "深圳本地的奖励、补贴和具体规定",
                          "sources": []}) == ["  Answerable: partial (missing: 深圳本地的奖励、补贴和具体规定)"]
    assert payload_lines({"type": "answer", "answerable": "yes", "sources": []}) == []
