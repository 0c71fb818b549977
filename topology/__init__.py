"""How the bot's processes are laid out and kept alive: replicas, Rasa endpoints, supervision.

Standard library only: it runs in `.venv` and never imports Rasa, Flask or the knowledge base.
"""
