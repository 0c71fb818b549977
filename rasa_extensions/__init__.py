"""Code that runs inside the Rasa server (.venv-rasa, Python 3.10): loaded by Rasa from the
endpoints file, never imported by the project's own .venv code."""
# Rasa imports this package for the stores the endpoints file names (every configuration does):
# the trimmed action-server requests, the faster action-response validation, the kept-alive
# action-server connections and the event-class table are patched in then.
from rasa_extensions import action_request, action_response, events, keep_alive  # noqa: F401
