"""The on-disk index: create or open it, check its analysis version, and hold the writer lock.

Whoosh commits atomically (a new table of contents replaces the old one), so a killed writer
leaves the previous generation readable. What Whoosh does not give us is a lock that explains
itself: ours is a `flock` on DIR/fahras.lock holding the owner's pid, released by the kernel when
the owner dies, so a crashed run never blocks the next one, and a live one is named.
"""

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index

from search.analysis import ANALYSIS_VERSION
from search.errors import IndexLockedError, IndexMissingError
from search.fields import BUILTIN, FieldRegistry
from search.schema import build_schema

META_FILE = "fahras.json"
LOCK_FILE = "fahras.lock"
INDEX_NAME = "MAIN"


def index_exists(index_dir: Path) -> bool:
    """Whether a table of contents is there; it is not read (it may be damaged)."""
    storage = FileStorage(str(index_dir))
    return index_dir.is_dir() and TOC._latest_generation(storage, INDEX_NAME) > -1


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


class _ClosingStorage(FileStorage):
    """Remembers the files it opens, so they can be closed when whoosh leaves them open."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.opened: list[object] = []

    def open_file(self, name: str, **kwargs: object) -> object:
        opened = super().open_file(name, **kwargs)
        self.opened.append(opened)
        return opened


def read_toc(index_dir: Path) -> TOC:
    """The current table of contents; its file is closed even when it cannot be decoded."""
    storage = _ClosingStorage(str(index_dir))
    try:
        return TOC.read(storage, INDEX_NAME)
    finally:
        for opened in storage.opened:
            with contextlib.suppress(Exception):
                opened.close()


def _open_dir(index_dir: Path) -> Index:
    read_toc(index_dir)  # a damaged one raises here without leaving its file open
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


def open_index(index_dir: Path) -> Index:
    """Open an existing index for searching, or explain why it cannot be."""
    if not index_exists(index_dir):
        raise IndexMissingError(
            f"no index in {index_dir}: build one with `fahras index SOURCE --index {index_dir}`"
        )
    _check_version(index_dir)
    return _open_dir(index_dir)


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
        return _create(index_dir, registry)
    _check_version(index_dir)
    try:
        index = _open_dir(index_dir)
    except Exception:
        if rebuild:  # a table of contents too damaged to open: the rebuild starts afresh
            return _create(index_dir, registry)
        raise
    _add_missing_fields(index, registry)
    return index


def _create(index_dir: Path, registry: FieldRegistry) -> Index:
    schema = build_schema(registry)
    index = whoosh_index.create_in(str(index_dir), schema, indexname=INDEX_NAME)
    write_meta(
        index_dir,
        analysis_version=ANALYSIS_VERSION,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
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


def record_file_sizes(index_dir: Path) -> None:
    """Note the size of every file of the current generation in the metadata, after a commit.

    Whoosh keeps no checksums or sizes; with these, a file cut short or emptied by a disk
    failure or a careless copy is found by a stat (search/check.py), not by a reader's error.
    """
    toc = read_toc(index_dir)
    live = {segment.segment_id() for segment in toc.segments}
    sizes = {
        path.name: path.stat().st_size
        for path in index_dir.iterdir()
        if path.is_file() and path.name.split(".", 1)[0] in live
    }
    write_meta(index_dir, files={"generation": toc.generation, "sizes": sizes})


def recorded_file_sizes(index_dir: Path, generation: int) -> dict[str, int]:
    """The sizes noted when `generation` was committed (empty when none were noted for it)."""
    files = read_meta(index_dir).get("files")
    if not isinstance(files, dict) or files.get("generation") != generation:
        return {}
    sizes = files.get("sizes")
    return sizes if isinstance(sizes, dict) else {}


def remove_leftovers(index_dir: Path) -> None:
    """Delete what failed and killed runs left behind.

    Whoosh deletes unreferenced files only after a successful commit, so a commit that failed
    on a full disk left its segment files there and the next run failed at once (issue 16 §4);
    a run killed between writing and renaming a table of contents left `_MAIN_N.toc.<time>`
    forever. Call it holding the writer lock: every file of the current generation is kept,
    and nothing is removed when that generation cannot be read.
    """
    try:
        toc = read_toc(index_dir)
    except Exception:  # damaged: for `fahras check` to report, not for us to prune
        return
    live = {segment.segment_id() for segment in toc.segments}
    toc_name = TOC._filename(INDEX_NAME, toc.generation)
    segment_file = TOC._segment_pattern(INDEX_NAME)
    for path in index_dir.iterdir():
        name = path.name
        if path.is_dir() and name == f"{INDEX_NAME}.tmp":  # writers' scratch space
            shutil.rmtree(path, ignore_errors=True)
            continue
        found = segment_file.match(name)
        stale = (found and found.group(1) not in live) or (
            name.startswith(f"_{INDEX_NAME}_") and ".toc" in name and name != toc_name
        )
        if stale and path.is_file():
            path.unlink(missing_ok=True)


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
        "run again with --wait SECONDS, or stop it (the batches it committed are kept; only "
        "its current batch is lost, and the next run redoes it)"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def writer_running(index_dir: Path) -> bool:
    """Whether a live indexer holds the writer lock (it writes its pid there while it does)."""
    try:
        owner = (index_dir / LOCK_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return owner.isdigit() and _alive(int(owner))
