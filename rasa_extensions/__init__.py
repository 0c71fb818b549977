"""Code that runs inside the Rasa server (.venv-rasa, Python 3.10): loaded by Rasa from the
endpoints file, never imported by the project's own .venv code."""
