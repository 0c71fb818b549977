"""action_handoff when its store fails (issue 13): the user still gets the human channel."""
from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff


def tracker(lang: str) -> Tracker:
    events = [{"event": "user", "text": "我要投诉地方政府" if lang == "zh" else "I want to complain",
               "parse_data": {"intent": {"name": "ask_policy"}}},
              {"event": "user", "text": "/request_human",
               "parse_data": {"intent": {"name": "request_human"}}}]
    return Tracker(sender_id="web:handoff-test", slots={"lang": lang, "topic": "complaints"},
                   latest_message={"text": "/request_human", "intent": {"name": "request_human"}},
                   events=events, paused=False, followup_action=None, active_loop={},
                   latest_action_name="action_listen")


def run(lang: str):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, tracker(lang), {}))
    return dispatcher.messages


def test_handoff_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOFF_DB", str(tmp_path / "handoff.sqlite"))
    message = run("en")[0]
    assert message["custom"]["reference"] == "H000001"
    row = sqlite3.connect(tmp_path / "handoff.sqlite").execute(
        "SELECT conversation_id, question FROM handoff_requests").fetchone()
    assert row == ("web:handoff-test", "I want to complain")


@pytest.mark.parametrize("broken", ["not a database", "locked"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sqlite_failure_still_answers_and_logs_the_request(tmp_path, monkeypatch, caplog, broken, lang):
    path = tmp_path / "handoff.sqlite"
    monkeypatch.setenv("HANDOFF_DB", str(path))
    holder = None
    if broken == "not a database":
        path.write_bytes(b"this is not an SQLite file" * 100)  # sqlite3.DatabaseError
    else:
        # Another process holds the write lock past the store's 10 s timeout (shortened here).
        holder = sqlite3.connect(path)
        holder.execute("CREATE TABLE x (a)")
        holder.execute("BEGIN EXCLUSIVE")
        real_connect = sqlite3.connect
        monkeypatch.setattr(sqlite3, "connect",
                            lambda p, timeout=5.0, **kw: real_connect(p, timeout=0.2, **kw))
    try:
        with caplog.at_level(logging.ERROR, logger="actions"):
            messages = run(lang)
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
    assert len(messages) == 1
    text = messages[0]["text"]
    assert ("投诉中心" in text) if lang == "zh" else ("Complaint Centre" in text)
    assert messages[0]["custom"]["reference"] == ""
    assert "Traceback" not in text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "NOT stored" in logged and "web:handoff-test" in logged
