"""API keys, kept with the index: created, listed, revoked, and checked on every API call.

A newsroom's CMS writes documents over HTTP (issue 13) and a private archive may want readers'
programs to identify themselves, so the API takes `Authorization: Bearer KEY`. A key is shown
once, when it is created, and only its SHA-256 is stored: a copy of the index (a backup, a
stolen disk) gives no working key. Keys are random (`secrets.token_urlsafe`, 256 bits), so a
plain hash is enough; a slow password hash would only slow every request down.

A key reads `fahras_<id>_<secret>`: the short public id names the key in `fahras keys list`, in
logs and in `fahras keys revoke ID`, and finds its row without scanning; the hashes are compared
in constant time. Scopes: `read` (search, suggest, documents' text) and `write` (publish and
delete documents), where write implies read.

The store is a small SQLite database (DIR/fahras-keys.sqlite3, WAL mode) so that keys created or
revoked on the command line take effect at once in every web worker, without a restart.
"""

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from search.errors import FahrasError

KEYS_FILE = "fahras-keys.sqlite3"
KEY_PREFIX = "fahras"
ID_BYTES = 4  # 8 hex digits: a public name, not a secret
SECRET_BYTES = 32
MAX_NAME_CHARS = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    hash TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
)
"""


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"

    def allows(self, needed: "Scope") -> bool:
        """A write key may also read; a read key may only read."""
        return self is Scope.WRITE or needed is Scope.READ


class ApiKeyError(FahrasError):
    """A key cannot be created or revoked as asked (bad name or scope, unknown id)."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: everything but the secret."""

    key_id: str
    name: str
    scope: Scope
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.key_id,
            "name": self.name,
            "scope": str(self.scope),
            "created": self.created,
            "revoked": self.revoked,
        }


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just created: `secret` is the whole key, shown this once and never stored."""

    key: ApiKey
    secret: str


def parse_scope(raw: str) -> Scope:
    try:
        return Scope(raw.strip().lower())
    except ValueError:
        raise ApiKeyError(f"unknown scope {raw!r}: use read or write") from None


class KeyStore:
    """The index's API keys (see the module docstring)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / KEYS_FILE

    def create(self, name: str, scope: Scope) -> NewKey:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME_CHARS:
            raise ApiKeyError(f"a key needs a name of 1 to {MAX_NAME_CHARS} characters, e.g. cms")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            while True:
                key_id = secrets.token_hex(ID_BYTES)
                if db.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone() is None:
                    break
            secret = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
            key = ApiKey(key_id, name, scope, _now())
            db.execute(
                "INSERT INTO api_keys (id, name, scope, hash, created) VALUES (?, ?, ?, ?, ?)",
                (key_id, name, str(scope), _digest(secret), key.created),
            )
        return NewKey(key, secret)

    def list(self) -> list[ApiKey]:
        if not self.path.exists():
            return []
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, name, scope, created, revoked FROM api_keys ORDER BY created, id"
            ).fetchall()
        return [_key(row) for row in rows]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key by its public id; revoking a revoked key is harmless."""
        found = next((k for k in self.list() if k.key_id == key_id.strip()), None)
        if found is None:
            raise ApiKeyError(f"no key with id {key_id!r}: `fahras keys list` shows them")
        if not found.active:
            return found
        revoked = _now()
        with self._connection() as db:
            db.execute("UPDATE api_keys SET revoked = ? WHERE id = ?", (revoked, found.key_id))
        return ApiKey(found.key_id, found.name, found.scope, found.created, revoked)

    def verify(self, secret: str) -> ApiKey | None:
        """The active key `secret` is, or None (unknown, malformed or revoked)."""
        parts = secret.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX or not self.path.exists():
            return None
        with self._connection() as db:
            row = db.execute(
                "SELECT id, name, scope, created, revoked, hash FROM api_keys WHERE id = ?",
                (parts[1],),
            ).fetchone()
        if row is None or not hmac.compare_digest(row[5], _digest(secret.strip())):
            return None
        key = _key(row[:5])
        return key if key.active else None

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            with db:  # one transaction, committed on success
                yield db


def _key(row: tuple) -> ApiKey:
    return ApiKey(row[0], row[1], Scope(row[2]), row[3], row[4])


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
