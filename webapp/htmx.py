"""Which requests get a fragment: htmx's own requests, but not its history restores."""

from flask_htmx import HTMX

htmx = HTMX()


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of the page.

    A history restore (Back after a cache miss) replaces the whole body, so it gets the page.
    """
    return bool(htmx) and not htmx.history_restore_request
