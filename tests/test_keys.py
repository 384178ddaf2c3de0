"""API keys: the store (search/keys.py), `fahras keys`, and the HTTP check (webapp/auth.py)."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, jsonify

from search.cli import main
from search.keys import KEYS_FILE, ApiKeyError, KeyStore, Scope
from webapp.auth import current_key, require_key


def test_a_key_is_shown_once_and_stored_hashed(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    new = store.create("cms", Scope.WRITE)
    assert new.secret.startswith(f"fahras_{new.key.key_id}_")
    with sqlite3.connect(tmp_path / KEYS_FILE) as db:
        stored = db.execute("SELECT * FROM api_keys").fetchall()
    assert len(stored) == 1
    assert not any(new.secret in str(column) for column in stored[0])
    assert store.verify(new.secret) == new.key
    assert [k.key_id for k in store.list()] == [new.key.key_id]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # one character off
        lambda s: s.replace("fahras_", "other_"),
        lambda s: s.split("_", 2)[2],  # the secret without its id
        lambda s: "",
    ],
)
def test_a_wrong_key_is_refused(tmp_path: Path, mangle: Callable[[str], str]) -> None:
    store = KeyStore(tmp_path)
    secret = store.create("cms", Scope.READ).secret
    assert store.verify(mangle(secret)) is None


def test_a_revoked_key_no_longer_works(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    kept, dropped = store.create("site", Scope.READ), store.create("old cms", Scope.WRITE)
    revoked = store.revoke(dropped.key.key_id)
    assert revoked.revoked and not revoked.active
    assert store.verify(dropped.secret) is None
    assert store.verify(kept.secret) == kept.key
    assert store.revoke(dropped.key.key_id).revoked == revoked.revoked  # harmless twice
    with pytest.raises(ApiKeyError, match="no key with id"):
        store.revoke("deadbeef")


def test_write_implies_read() -> None:
    assert Scope.WRITE.allows(Scope.READ) and Scope.WRITE.allows(Scope.WRITE)
    assert Scope.READ.allows(Scope.READ) and not Scope.READ.allows(Scope.WRITE)


def test_keys_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = ["--index", str(tmp_path)]
    assert main(["keys", "create", "--name", "cms", "--scope", "write", *index]) == 0
    secret = capsys.readouterr().out.splitlines()[0]
    key = KeyStore(tmp_path).verify(secret)
    assert key is not None and key.scope is Scope.WRITE and key.name == "cms"
    assert main(["keys", "list", *index]) == 0
    listed = capsys.readouterr().out
    assert key.key_id in listed and "active" in listed and secret not in listed
    assert main(["keys", "revoke", key.key_id, *index]) == 0
    assert KeyStore(tmp_path).verify(secret) is None
    assert main(["keys", "revoke", "deadbeef", *index]) == 1
    assert capsys.readouterr().err.startswith("fahras: error: no key with id 'deadbeef'")
    assert main(["keys", "create", "--name", "  ", *index]) == 1
    assert "needs a name" in capsys.readouterr().err


@pytest.fixture
def guarded_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app over a copy-free index folder, with a read and a write endpoint."""
    app = make_app(FAHRAS_INDEX=str(tmp_path))

    @require_key("write")
    def publish() -> object:
        return jsonify(name=current_key().name)  # type: ignore[union-attr]

    @require_key("read")
    def read() -> object:
        return jsonify(name=current_key().name)  # type: ignore[union-attr]

    app.add_url_rule("/api/test-write", view_func=publish, methods=["POST"])
    app.add_url_rule("/api/test-read", view_func=read)
    return app


def test_require_key_over_http(guarded_app: Flask, tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    writer, reader = store.create("cms", Scope.WRITE), store.create("site", Scope.READ)
    client = guarded_app.test_client()

    def bearer(secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    assert client.post("/api/test-write", headers=bearer(writer.secret)).json == {"name": "cms"}
    assert client.get("/api/test-read", headers=bearer(writer.secret)).json == {"name": "cms"}
    assert client.get("/api/test-read", headers=bearer(reader.secret)).json == {"name": "site"}

    missing = client.post("/api/test-write")
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    error = missing.json["error"]
    assert "مفتاح" in error["message"] and "Authorization: Bearer" in error["detail"]

    wrong = client.post("/api/test-write", headers=bearer(writer.secret + "x"))
    assert wrong.status_code == 401 and "wrong or was revoked" in wrong.json["error"]["detail"]
    basic = client.post("/api/test-write", headers={"Authorization": f"Basic {writer.secret}"})
    assert basic.status_code == 401

    read_only = client.post("/api/test-write", headers=bearer(reader.secret))
    assert read_only.status_code == 403
    assert "للقراءة فقط" in read_only.json["error"]["message"]
    assert "write scope" in read_only.json["error"]["detail"]

    store.revoke(writer.key.key_id)
    assert client.post("/api/test-write", headers=bearer(writer.secret)).status_code == 401
