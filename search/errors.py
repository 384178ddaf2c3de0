"""Errors that reach a user: each message says what went wrong and what to do next.

The CLI and the web app convert these to exit codes and HTTP answers at the edges; the engine
itself never prints or exits.
"""


class FahrasError(Exception):
    """Base class for every error Fahras reports to a user."""


class SourceError(FahrasError):
    """A source given to the indexer cannot be used at all (missing path, unknown format)."""


class IndexLockedError(FahrasError):
    """Another indexer holds the index lock, or a crashed run left it behind."""


class IndexMissingError(FahrasError):
    """No index exists at the given path."""


class QueryError(FahrasError):
    """A search parameter is invalid (bad date, unknown sort, page out of range)."""


class IndexWriteError(FahrasError):
    """Writing the index failed (disk full, file too large): the previous index is intact."""


class IndexDamagedError(FahrasError):
    """A file of the index cannot be read: restore a snapshot or rebuild."""
