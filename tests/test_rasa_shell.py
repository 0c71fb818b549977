"""`make shell` driven through a real terminal (pexpect): one question, then /stop."""
import sys
from pathlib import Path

import pexpect

REPO = Path(__file__).resolve().parents[1]


def test_make_shell_answers_and_stops(bot):
    env = dict(bot.env, TERM="xterm")
    child = pexpect.spawn("make", ["-s", "shell"], cwd=str(REPO), env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 200))
    child.logfile_read = sys.stdout
    child.expect("Bot loaded")
    child.sendline("外商投资信息报告的年度报告什么时候报送？")
    child.expect("根据")
    child.expect("年度报告")
    child.sendline("/stop")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
