"""gunicorn settings for the gateway (`gunicorn -c python:bot.gunicorn_conf bot.wsgi:app`).

The access log names the path only: WeChat's callbacks carry signature, nonce and the user's
openid in the query string, and the widget's referrer may carry the embedding page's own.
"""
from bot.config import settings_or_exit

# Every setting is read, and a bad one refused in one line, before gunicorn binds its address or
# starts a worker (bot.wsgi refuses it too when gunicorn runs without this file).
settings_or_exit()

access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
