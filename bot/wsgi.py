"""WSGI entry for production: `gunicorn -w 2 --threads 8 -b 127.0.0.1:8000 bot.wsgi:app`."""
from .app import create_app

app = create_app()
