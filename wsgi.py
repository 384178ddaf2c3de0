"""WSGI entry point for `gunicorn wsgi:app`; settings come from FAHRAS_* (docs/settings.md)."""

from webapp import create_app

app = create_app()
