"""rasa-sdk custom actions: thin adapters from a Rasa tracker to knowledge_base and back.

Run with `python -m rasa_sdk --actions actions` from `.venv`. The knowledge base (model and index)
is loaded when the server starts, so the first question is as fast as the others.
"""
import os

from . import kb_service

if os.environ.get("KB_PRELOAD", "1") == "1":
    kb_service.preload()
