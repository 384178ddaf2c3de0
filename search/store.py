"""The on-disk index: create or open it, check its analysis version, and hold the writer lock.

Whoosh commits atomically (a new table of contents replaces the old one), so a killed writer
leaves the previous generation readable. What Whoosh does not give us is a lock that explains
itself: ours is a `flock` on DIR/fahras.lock holding the owner's pid, released by the kernel when
the owner dies, so a crashed run never blocks the next one, and a live one is named.
"""

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search.analysis import ANALYSIS_VERSION
from search.errors import IndexLockedError, IndexMissingError
from search.fields import BUILTIN, FieldRegistry
from search.schema import build_schema

META_FILE = "fahras.json"
LOCK_FILE = "fahras.lock"
INDEX_NAME = "MAIN"


def index_exists(index_dir: Path) -> bool:
    return whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def read_meta(index_dir: Path) -> dict[str, object]:
    try:
        return json.loads((index_dir / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_meta(index_dir: Path, **changes: object) -> None:
    """Update the metadata file atomically (write a temporary file, then rename)."""
    meta = read_meta(index_dir) | changes
    temporary = index_dir / f".{META_FILE}.tmp"
    temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, index_dir / META_FILE)


def open_index(index_dir: Path) -> Index:
    """Open an existing index for searching, or explain why it cannot be."""
    if not index_exists(index_dir):
        raise IndexMissingError(
            f"no index in {index_dir}: build one with `fahras index SOURCE --index {index_dir}`"
        )
    _check_version(index_dir)
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


def create_or_open(index_dir: Path, *, rebuild: bool, registry: FieldRegistry = BUILTIN) -> Index:
    """Open the index for writing, creating it if needed.

    A `rebuild` of an index of the current analysis version keeps it: the indexer replaces
    its documents in one commit (Whoosh's CLEAR merge), so searchers see the old documents
    until the new ones are all there, and the generation number keeps growing. Only a missing
    index, or one of another analysis version, is created anew.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    current = index_exists(index_dir) and read_meta(index_dir).get("analysis_version") == (
        ANALYSIS_VERSION
    )
    if not current and (rebuild or not index_exists(index_dir)):
        schema = build_schema(registry)
        index = whoosh_index.create_in(str(index_dir), schema, indexname=INDEX_NAME)
        write_meta(
            index_dir,
            analysis_version=ANALYSIS_VERSION,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        return index
    _check_version(index_dir)
    index = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    _add_missing_fields(index, registry)
    return index


def _add_missing_fields(index: Index, registry: FieldRegistry) -> None:
    """Add the fields of the index's settings that its schema lacks yet (one commit)."""
    wanted = build_schema(registry)
    missing = [name for name in wanted.names() if name not in index.schema]
    if missing:
        writer = index.writer()
        for name in missing:
            writer.add_field(name, wanted[name])
        writer.commit()


def _check_version(index_dir: Path) -> None:
    version = read_meta(index_dir).get("analysis_version")
    if version != ANALYSIS_VERSION:
        raise IndexMissingError(
            f"the index in {index_dir} was built with analysis version {version}, this Fahras "
            f"uses {ANALYSIS_VERSION}: rebuild it with `fahras index SOURCE... --index "
            f"{index_dir} --rebuild`"
        )


@contextmanager
def writer_lock(index_dir: Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock, waiting up to `wait` seconds for another indexer."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(_lock_message(path)) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_message(path: Path) -> str:
    owner = path.read_text(encoding="utf-8").strip() or "unknown"
    if owner.isdigit() and not _alive(int(owner)):
        return (
            f"{path} is locked, but its owner (pid {owner}) is gone: a crashed run on a file "
            f"system without working locks. If no indexer runs, clear it with `rm {path}`."
        )
    return (
        f"another indexer (pid {owner}) is updating {path.parent}; wait for it to finish, "
        "run again with --wait SECONDS, or stop it (its work so far is discarded safely)"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
