"""A rebuilt index is picked up by the running action server: no restart, no failed request."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import rasa_sdk

from actions.config import ActionSettings
from actions.kb_service import KnowledgeBaseService
from knowledge_base.build import build_index
from knowledge_base.index_store import read_index
from knowledge_base.search import KnowledgeBase
from harness.rasa_bot import free_port
from helpers import REPO

NEW_DOC_ID = "test-zqxj-2030-01-01"
NEW_DOC_TITLE = "商务部办公厅关于ZQXJ在线年报测试事项的通知"
NEW_DOC_YAML = f"""\
id: {NEW_DOC_ID}
file: {NEW_DOC_ID}.txt
title: {NEW_DOC_TITLE}
title_en: "Test notice ZQXJ on filing annual reports online"
issuer: 商务部办公厅
doc_number: ""
date: 2030-01-01
source_url: http://www.mofcom.gov.cn/
status: current
language: zh
clauses:
  "一、":
    title_en: "ZQXJ test clause: annual reports can be filed online"
    summary_en: "ZQXJ test clause: foreign-invested enterprises may submit their annual report online."
    topics: [information_reporting]
"""
NEW_DOC_TEXT = f"""\
{NEW_DOC_TITLE}

各省、自治区、直辖市商务主管部门：

为便利外商投资企业报送信息，现就有关事项通知如下：

一、ZQXJ测试条款：外商投资企业可以在线提交年度报告，无需到窗口现场办理。

二、本通知为测试用文件，自发布之日起施行。

商务部办公厅
2030年1月1日
"""
NEW_QUESTION = "ZQXJ测试条款：外商投资企业可以在线提交年度报告吗？"
STEADY_QUESTION = "负面清单现在有几条？"
APOLOGY = "暂时无法使用"  # the kb_unavailable message


def webhook_body(question: str, intent: str, sender: str) -> dict:
    """What Rasa posts to the action server to run action_answer_policy."""
    return {
        "next_action": "action_answer_policy",
        "sender_id": sender,
        "version": rasa_sdk.__version__,
        "domain": {"intents": [], "slots": {}},
        "tracker": {"sender_id": sender, "slots": {"lang": "zh", "topic": None},
                    "latest_message": {"text": question,
                                       "intent": {"name": intent, "confidence": 0.9}},
                    "events": [], "paused": False, "followup_action": None, "active_loop": {},
                    "latest_action_name": "action_listen"},
    }


def sources(response_json: dict) -> list[dict]:
    return [s for m in response_json["responses"] if m.get("custom")
            for s in m["custom"].get("sources", [])]


@pytest.fixture
def temp_kb(built_index, tmp_path):
    """A temp corpus copy and its index.

    The vector cache is a copy of the real one, so only new passages are embedded and the test's
    made-up clause never lands in .cache.
    """
    settings, embedder, _ = built_index
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.corpus_dir, corpus)
    local = dataclasses.replace(settings, corpus_dir=corpus, index_dir=tmp_path / "index" / "index",
                                cache_dir=tmp_path / "cache", vector_cache=None)
    if settings.vectors_cache_dir.is_dir():
        shutil.copytree(settings.vectors_cache_dir, local.vectors_cache_dir)
    build_index(local, embedder)
    return local, embedder


def test_invalid_new_version_keeps_old_then_valid_one_swaps(temp_kb):
    local, embedder = temp_kb
    old = KnowledgeBase(local, read_index(local.index_dir), embedder)
    # No watcher (reload interval 0): this test drives the reloads itself.
    service = KnowledgeBaseService(ActionSettings(reload_interval=0), kb=old)
    old_version = service.current_index_version()
    assert old_version == local.index_dir.resolve().name
    assert service.reload_if_changed() is False  # nothing new

    # A version folder without a manifest (e.g. copied by hand, half-way) behind the link.
    broken = local.index_dir.with_name("index-29991231T000000000000Z")
    broken.mkdir()
    (broken / "clauses.json").write_text("[]", encoding="utf-8")
    link = local.index_dir.with_name(".index.link-test")
    link.symlink_to(broken.name)
    os.replace(link, local.index_dir)
    assert service.reload_if_changed() is False
    assert service.reload_if_changed() is False  # retried, still broken, still the old one
    assert service.loaded is old and service.current_index_version() == old_version
    assert not old.search(STEADY_QUESTION).no_answer  # and it still answers

    report = build_index(local, embedder)  # a good build fixes it on the next check
    assert service.reload_if_changed() is True
    new = service.loaded
    assert service.current_index_version() == Path(report.path).name != old_version
    assert new is not old and new.embedder is embedder  # the model was not loaded again
    assert not new.search(STEADY_QUESTION).no_answer


def test_running_server_swaps_to_rebuilt_index_without_failing_requests(temp_kb, tmp_path):
    local, embedder = temp_kb
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPO), KB_INDEX_DIR=str(local.index_dir),
               KB_CORPUS_DIR=str(local.corpus_dir), KB_RELOAD_INTERVAL="1", KB_PRELOAD="1")
    log_path = tmp_path / "actions.log"
    stop, results = threading.Event(), []
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)],
                                  cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_for_health(url, server, log_path)
        first_version = local.index_dir.resolve().name

        # Continuous traffic for the whole swap: every answer must be a normal one.
        def traffic(n: int):
            with requests.Session() as http:
                while not stop.is_set():
                    sent = time.monotonic()
                    try:
                        r = http.post(f"{url}/webhook", timeout=30, json=webhook_body(
                            STEADY_QUESTION, "ask_negative_list", f"load-{n}"))
                        results.append((r.status_code, r.json() if r.ok else r.text,
                                        time.monotonic() - sent))
                    except requests.RequestException as exc:
                        results.append((None, repr(exc), time.monotonic() - sent))

        workers = [threading.Thread(target=traffic, args=(n,), daemon=True) for n in range(3)]
        for w in workers:
            w.start()
        time.sleep(2)  # some traffic on the old index first

        documents = local.corpus_dir / "documents"
        (documents / f"{NEW_DOC_ID}.yaml").write_text(NEW_DOC_YAML, encoding="utf-8")
        (documents / f"{NEW_DOC_ID}.txt").write_text(NEW_DOC_TEXT, encoding="utf-8")
        report = build_index(local, embedder)
        rebuilt = time.monotonic()

        # Within ~15 s the server answers the new clause, citing the new document.
        found, elapsed = None, None
        with requests.Session() as http:
            while time.monotonic() - rebuilt < 15:
                r = http.post(f"{url}/webhook", timeout=30,
                              json=webhook_body(NEW_QUESTION, "ask_policy", "probe"))
                assert r.status_code == 200, r.text
                if NEW_DOC_TITLE in [s["doc_title"] for s in sources(r.json())]:
                    found, elapsed = r.json(), time.monotonic() - rebuilt
                    break
                time.sleep(0.2)
        time.sleep(1)  # and keep the load going on the new index for a moment
        stop.set()
        for w in workers:
            w.join(timeout=60)

        log_text = log_path.read_text(errors="replace")
        assert found is not None, f"new clause not answered 15 s after the rebuild:\n{log_text[-3000:]}"
        assert "ZQXJ测试条款" in found["responses"][0]["text"]
        assert f"knowledge base reloaded: {Path(report.path).name}" in log_text
        assert Path(report.path).name != first_version

        assert len(results) > 10, "too little traffic to mean anything"
        failures = [r for r in results if r[0] != 200 or not _normal_answer(r[1])]
        problems = [line for line in log_text.splitlines() if " WARNING " in line or " ERROR " in line]
        assert not failures, (f"{len(failures)} of {len(results)} requests failed: {failures[:3]}\n"
                              + "\n".join(problems[-20:]))
        slowest = max(r[2] for r in results)
        print(f"\n{len(results)} requests during the swap, all answered (slowest {slowest:.2f} s); "
              f"new clause answered {elapsed:.1f} s after the rebuild "
              f"(build {report.seconds:.1f} s)")
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _normal_answer(body) -> bool:
    if not isinstance(body, dict) or not body.get("responses"):
        return False
    first = body["responses"][0]
    return (APOLOGY not in (first.get("text") or "")
            and (first.get("custom") or {}).get("type") == "answer")


def _wait_for_health(url: str, server: subprocess.Popen, log_path: Path, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"action server exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"action server not healthy in {timeout} s:\n"
                f"{log_path.read_text(errors='replace')[-3000:]}")
