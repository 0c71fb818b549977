"""`make shell`: Rasa's own console (the one `rasa shell` uses) against the running Rasa server.

Runs in .venv-rasa. Type `/stop` to leave.
"""
import asyncio
import os
import sys
import uuid

from rasa.core.channels.console import record_messages


def main() -> int:
    url = os.environ.get("RASA_URL", f"http://{os.environ.get('RASA_HOST', '127.0.0.1')}:"
                                     f"{os.environ.get('RASA_PORT', '5005')}")
    sender = os.environ.get("SHELL_SENDER", f"shell-{uuid.uuid4().hex[:8]}")
    try:
        asyncio.run(record_messages(sender_id=sender, server_url=url, use_response_stream=False))
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # the server is down or answered with an error
        print(f"error: cannot talk to Rasa at {url} ({exc}). Start it with `make up`.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
