"""Flask gateway: web page and widget, chat API, WeChat channel, feedback (a later issue)."""
