"""Fahras web application: server-rendered Arabic pages with htmx on top, and a JSON API.

`create_app()` builds the app from FAHRAS_* environment variables (see webapp/settings.py and
docs/settings.md); `gunicorn wsgi:app` or `gunicorn 'webapp:create_app()'` serves it. The
engine lives in `search/` and knows nothing of Flask: this package is a thin face over it.
"""

from collections.abc import Mapping

from flask import Flask

from search.datafiles import check_data_files
from search.query import MAX_QUERY_CHARS
from webapp import (
    admin,
    analytics,
    api,
    arabic,
    auth,
    bidi,
    cors,
    documents_api,
    embed,
    errors,
    extension,
    headers,
    hosts,
    limits,
    pages,
    ratelimit,
    slots,
    writer,
)
from webapp.htmx import htmx
from webapp.inert import InertJSONProvider, without_bidi_controls
from webapp.ready import bp as readiness
from webapp.settings import load_settings

HTMX_VERSION = "2.0.11"  # webapp/static/vendor/htmx/
HTMX_CONFIG = {
    # Explicit attributes on every element: no inherited hx-include surprises on links.
    "disableInheritance": True,
    # Back and Forward ask the server for the page, so they show exactly what the URL says, and
    # no search results are kept in the browser's storage.
    "historyCacheSize": 0,
    "historyRestoreAsHxRequest": False,
    # Strict CSP: no eval, no injected <style>, no scripts from responses.
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "selfRequestsOnly": True,
    # Bad parameters come back as an Arabic message in the results region: show it.
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[2345]..", "swap": True, "error": False},
    ],
}


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The app; `config` (Flask or FAHRAS_* keys) overrides the environment, for tests."""
    check_data_files()  # a broken install fails here, at start-up, not on the first search
    app = Flask(__name__)
    app.config.update(load_settings(overrides=config))
    app.config.update({k: v for k, v in (config or {}).items() if not k.startswith("FAHRAS_")})
    app.json = InertJSONProvider(app)
    htmx.init_app(app)
    extension.init_app(app)
    analytics.init_app(app)
    errors.init_app(app)
    hosts.init_app(app)  # first of the checks: nothing is built on an untrusted Host
    headers.init_app(app)
    cors.init_app(app)
    limits.init_app(app)
    ratelimit.init_app(app)
    auth.init_app(app)
    slots.init_app(app)  # after the rate limits and keys: a refused client takes no slot
    writer.init_app(app)
    documents_api.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(readiness)
    app.jinja_env.filters.update(
        number=arabic.number,
        arabic_date=arabic.day,
        without_bidi=without_bidi_controls,
        text_dir=bidi.direction,
        html_dir=bidi.html_direction,
        isolate_latin=bidi.isolate_latin,
        paragraphs=bidi.paragraphs,
    )
    app.jinja_env.globals.update(
        site_title=app.config["FAHRAS_SITE_TITLE"],
        typing_delay=app.config["FAHRAS_TYPING_DELAY_MS"],
        max_query_chars=MAX_QUERY_CHARS,
        htmx_version=HTMX_VERSION,
        htmx_config=HTMX_CONFIG,
    )
    return app
