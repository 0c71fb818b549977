"""The test suite's own structure: tests/ mirrors the packages, tiers select what they promise,
helpers are imported as modules."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

from helpers import REPO

TESTS = REPO / "tests"
# Folders of tests that exercise no single package (README, "Layout").
SYSTEM_FOLDERS = {
    "repo": "the repository itself: layout, requirements, README settings, deploy/, hygiene",
    "e2e": "several real processes together: Rasa, action server, gateway, browser, replicas",
    "rasa": "the Rasa project (config.yml, domain.yml, data/) checked by Rasa's own commands",
}
# A sample with every way of being slow: through a fixture (kb, bot, gateway), by module or by test.
SAMPLE = ["tests/knowledge_base/test_search.py", "tests/e2e/test_rasa_e2e.py", "tests/bot/test_gateway.py",
          "tests/e2e/test_browser.py", "tests/rasa/test_rasa_training_data.py",
          "tests/knowledge_base/test_model_provision.py", "tests/bot/test_wechat.py", "tests/actions/test_actions.py"]


PLUGIN = """
import os
import sys

def pytest_collection_finish(session):
    with open(os.environ["TIER_REPORT"], "w", encoding="utf-8") as out:
        out.write("LOADED " + ",".join(m for m in ("torch", "sentence_transformers") if m in sys.modules) + "\\n")
        for item in session.items:
            out.write(item.nodeid.split("[")[0] + " " + ",".join(m.name for m in item.iter_markers()) + "\\n")
"""


def markers_by_test(tmp_path) -> dict[str, set[str]]:
    """Collect the sample in a fresh pytest (as `make test-fast` would) and read each test's marks."""
    (tmp_path / "tier_report.py").write_text(PLUGIN, encoding="utf-8")
    report = tmp_path / "report.txt"
    env = dict(os.environ, TIER_REPORT=str(report),
               PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "tier_report", *SAMPLE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    marks: dict[str, set[str]] = {}
    lines = report.read_text(encoding="utf-8").splitlines()
    # Collecting imports test modules (and `actions`, whose service only the server entry point
    # makes): no model may be loaded before a test asks for one.
    assert lines.pop(0) == "LOADED ", "collection loaded the model"
    for line in lines:
        test, _, names = line.partition(" ")
        marks.setdefault(test, set()).update(n for n in names.split(",") if n)
    return marks


def test_fast_tier_leaves_out_the_model_rasa_and_the_browser(tmp_path):
    marks = markers_by_test(tmp_path)
    slow = {t for t, names in marks.items() if "slow" in names}
    fast = set(marks) - slow
    files = lambda tests: {t.split("::")[0] for t in tests}  # noqa: E731
    # Marked through the fixtures they use (kb -> settings: model; bot, gateway -> bot: rasa),
    # by module (browser, Rasa's own commands) or by test (the model provisioning checks).
    assert files(slow) == set(SAMPLE)  # test_actions: through kb -> settings
    assert not files(fast) & {"tests/e2e/test_browser.py", "tests/rasa/test_rasa_training_data.py",
                              "tests/e2e/test_rasa_e2e.py"}
    # Every model, rasa and browser test is slow.
    assert all("slow" in names for names in marks.values() if names & {"model", "rasa", "browser"})
    assert "model" in marks["tests/knowledge_base/test_search.py::test_topic_filter"]
    assert "rasa" in marks["tests/e2e/test_rasa_e2e.py::test_mixed_language_message"]
    assert {"rasa", "model"} <= marks["tests/bot/test_gateway.py::test_chat_returns_answer_with_sources"]
    assert "browser" in marks[next(t for t in marks if t.startswith("tests/e2e/test_browser.py::"))]
    assert "rasa" in marks["tests/rasa/test_rasa_training_data.py::test_data_validates_without_warnings"]
    assert "model" in marks["tests/knowledge_base/test_model_provision.py::test_prompts_are_configured"]
    assert "tests/knowledge_base/test_model_provision.py::test_dequantize_q4_0_block_layout" in fast
    assert "tests/bot/test_gateway.py::test_rasa_down_gives_503_bilingual_apology" in fast
    # The stand-in gateway of the WeChat tests overrides conftest's and needs no bot.
    assert "tests/bot/test_wechat.py::test_rasa_down_gets_short_bilingual_apology" in fast


def test_helpers_are_modules_not_conftest_and_bench_stays_out_of_tests():
    pattern = re.compile(r"^\s*(from conftest import|import conftest)", re.M)
    offenders = [p.name for p in (REPO / "tests").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    for path in (REPO / "bench").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"sys\.path\.insert\(.*[\"']tests[\"']", text) and "conftest" not in text, path.name


def test_test_modules_mirror_the_packages():
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")}
    modules = sorted(TESTS.rglob("test_*.py"))
    assert len(modules) > 50
    for path in modules:
        top, *inner = path.relative_to(TESTS).parent.parts or ("",)
        # tests/<package>/[<subpackage>/]test_*.py, or one of the system folders
        where = path.relative_to(REPO)
        assert top in packages or (top in SYSTEM_FOLDERS and not inner), f"{where}: no package or system folder"
        assert not inner or (REPO / top).joinpath(*inner).is_dir(), f"{where}: the package has no such folder"
    # No __init__.py: modules are imported by their basename (pytest.ini), which must be unique.
    assert not list(TESTS.rglob("__init__.py"))
    names = [p.name for p in modules]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    # A folder named after a package does not hide it: `import knowledge_base` in a test is the package.
    for folder in sorted(p.name for p in TESTS.iterdir() if p.is_dir() and p.name in packages):
        assert importlib.util.find_spec(folder).origin == str(REPO / folder / "__init__.py"), folder
