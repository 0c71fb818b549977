"""`make shell` driven through a real terminal (pexpect): one question, then /stop."""
import sys
from pathlib import Path

import pexpect
import pytest

from rasa_bot import start_bot

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bot(built_index, tmp_path_factory):
    settings, _, _ = built_index
    running = start_bot(tmp_path_factory.mktemp("shellbot"), settings.index_dir)
    yield running
    running.stop()


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
