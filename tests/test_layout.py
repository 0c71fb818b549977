"""The test suite's own structure: tiers select what they promise, helpers are imported as modules."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A sample with every way of being slow: through a fixture (kb, bot, gateway), by module or by test.
SAMPLE = ["tests/test_search.py", "tests/test_rasa_e2e.py", "tests/test_gateway.py", "tests/test_browser.py",
          "tests/test_rasa_training_data.py", "tests/test_model_provision.py", "tests/test_wechat.py"]


def collected(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *args, *SAMPLE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 5), proc.stdout[-2000:] + proc.stderr[-2000:]  # 5: none selected
    return {line.split("[")[0] for line in proc.stdout.splitlines() if "::" in line}


def test_fast_tier_leaves_out_the_model_rasa_and_the_browser():
    fast = collected("-m", "not slow")
    slow = collected("-m", "slow")
    assert fast and slow and not fast & slow
    files = lambda tests: {t.split("::")[0] for t in tests}  # noqa: E731
    # Marked through the fixtures they use (kb -> settings: model; bot, gateway -> bot: rasa),
    # by module (browser, Rasa's own commands) or by test (the model provisioning checks).
    assert files(slow) >= set(SAMPLE)
    assert files(fast) == {"tests/test_model_provision.py", "tests/test_wechat.py", "tests/test_gateway.py"}
    assert "tests/test_model_provision.py::test_prompts_are_configured" in slow
    assert "tests/test_model_provision.py::test_dequantize_q4_0_block_layout" in fast
    assert "tests/test_gateway.py::test_chat_returns_answer_with_sources" in slow
    # The stand-in gateway of the WeChat tests overrides conftest's and needs no bot.
    assert "tests/test_wechat.py::test_rasa_down_gets_short_bilingual_apology" in fast


def test_helpers_are_modules_not_conftest_and_bench_stays_out_of_tests():
    pattern = re.compile(r"^\s*(from conftest import|import conftest)", re.M)
    offenders = [p.name for p in (REPO / "tests").glob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    for path in (REPO / "bench").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sys.path.insert" not in text and "conftest" not in text, path.name
