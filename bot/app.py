"""The gateway: the only process facing the internet (Rasa and the action server stay behind)."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from .body_limit import BodyLimit

from .chat_api import create_chat_blueprint
from .config import GatewaySettings, get_settings
from .feedback_store import FeedbackStore
from .rasa_client import RasaClient
from .texts import bilingual
from .wechat.views import create_wechat_blueprint

logger = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None) -> Flask:
    settings = settings or get_settings()
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.wsgi_app = BodyLimit(app.wsgi_app, settings.max_body_bytes)
    if settings.trusted_proxy_hops > 0:
        # Only the last N X-Forwarded-For entries, the ones our own proxies added, are believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops, x_proto=0,
                                x_host=0, x_port=0, x_prefix=0)
    rasa = RasaClient(settings.replica_urls, settings.rasa_timeout, settings.rasa_auth_token,
                      settings.rasa_cooldown)
    feedback = FeedbackStore(settings.feedback_address, settings.feedback_retention_days,
                             settings.feedback_answer_days)
    app.extensions["gateway"] = {"settings": settings, "rasa": rasa, "feedback": feedback}
    app.register_blueprint(create_chat_blueprint(settings, rasa, feedback))
    # Without WECHAT_TOKEN the blueprint still answers /wechat, with a 503 that says so.
    app.register_blueprint(create_wechat_blueprint(settings, rasa))

    @app.get("/")
    def index():
        return render_template("index.html", gateway_url=request.host_url.rstrip("/"))

    @app.get("/widget.js")
    def widget_js():
        return send_from_directory(app.root_path + "/static", "widget.js",
                                   mimetype="application/javascript", max_age=300)

    @app.get("/widget.css")
    def widget_css():
        return send_from_directory(app.root_path + "/static", "widget.css", mimetype="text/css",
                                   max_age=300)

    @app.get("/health/live")
    def live():
        # Liveness: this process answers. Restarting the gateway would not mend a dead Rasa.
        return jsonify({"gateway": "ok"})

    @app.get("/health")
    def health():
        # The summary kept from before replicas: always 200, "rasa" ok while any replica is ready.
        return jsonify({"gateway": "ok", "rasa": "ok" if rasa.healthy() else "down"})

    @app.get("/health/ready")
    def ready():
        # Readiness: at least one Rasa replica answers with a model loaded; 503 otherwise, so a
        # load balancer stops sending users here.
        replicas = [rasa.replica_status(url) for url in rasa.urls]
        up = any(r.ready for r in replicas)
        body = {"gateway": "ok", "rasa": "ok" if up else "down",
                "replicas": [{"url": r.url, "ready": r.ready, "detail": r.detail} for r in replicas]}
        return jsonify(body), 200 if up else 503

    allowed = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]

    @app.after_request
    def cors(resp):
        # The widget may be embedded on other sites: let their pages call the chat API.
        origin = request.headers.get("Origin")
        if request.path.startswith("/api/") and origin and ("*" in allowed or origin in allowed):
            resp.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
            resp.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
            resp.headers["Access-Control-Max-Age"] = "600"
            if "*" not in allowed:
                resp.headers["Vary"] = "Origin"
        return resp

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path == "/":
            resp.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self'; connect-src 'self'; frame-ancestors 'self'")
        return resp

    @app.errorhandler(404)
    def not_found(_):
        return jsonify({"error": "not found"}), 404

    @app.errorhandler(413)
    def too_large(_):
        return jsonify({"error": bilingual("too_large", "web")}), 413

    @app.errorhandler(Exception)
    def unexpected(exc):
        # Never a stack trace to a user: log it, answer briefly.
        from werkzeug.exceptions import HTTPException
        if isinstance(exc, HTTPException):
            return jsonify({"error": exc.description}), exc.code
        logger.exception("unexpected error")
        return jsonify({"error": bilingual("internal_error", "web")}), 500

    return app
