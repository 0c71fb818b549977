"""WSGI entry for production: `gunicorn -w 2 --threads 8 -b 127.0.0.1:8000 bot.wsgi:app`."""
from .app import create_app
from .config import settings_or_exit

# A bad setting stops the process with one line (bot.config.settings_or_exit), not a traceback.
app = create_app(settings_or_exit())
