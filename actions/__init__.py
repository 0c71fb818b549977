"""rasa-sdk custom actions: thin adapters from a Rasa tracker to knowledge_base and back.

Run with `python -m actions.server` from `.venv`: it makes the knowledge-base service (and, with
KB_PRELOAD=1, loads model and index so the first question is as fast as the others) and hands it
to the actions. Importing the package loads nothing.
"""
