"""Snapshots: a consistent copy of one index generation, taken while searches and indexing go on.

Whoosh commits atomically: a generation is one table of contents (`_MAIN_<n>.toc`) naming its
segments, and a segment's files (`MAIN_<id>.*`) are written before any TOC names them and never
changed afterwards (deletions live in the TOC). So a consistent copy is one TOC and exactly the
files of its segments. Segment files are hard-linked when the copy is on the same file system
(instant, no extra space: they are immutable), copied otherwise. A commit may delete the files of
the generation being copied; the copy then starts again on the newer generation.

A snapshot is a complete index folder: `fahras serve --index SNAPSHOT` serves it as it is, and
`restore` brings it into a served folder, whose web workers switch to it without a restart.
Only the index and its metadata travel: a server's own API keys and query log stay where they are.
"""

import errno
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from search.derived import segment_dir
from search.errors import FahrasError, IndexMissingError
from search.store import (
    INDEX_NAME,
    META_FILE,
    open_index,
    read_meta,
    write_meta,
    writer_lock,
)

_TOC_NAME = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")
ATTEMPTS = 20  # commits in a row that may overtake a copy before it gives up
_CANNOT_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES}


class SnapshotError(FahrasError):
    """A snapshot cannot be taken or restored as asked (destination exists, not an index...)."""


class _GenerationGone(Exception):
    """A commit deleted files of the generation being copied: copy the newer one instead."""


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """What a snapshot or a restore copied."""

    path: Path
    generation: int
    documents: int
    files: int
    bytes: int
    linked: int  # files hard-linked
    copied: int  # files copied (the rest of `files` was in place already)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "generation": self.generation,
            "documents": self.documents,
            "files": self.files,
            "bytes": self.bytes,
            "linked": self.linked,
            "copied": self.copied,
        }


@dataclass(frozen=True, slots=True)
class _Generation:
    """One committed generation of an index folder: its TOC and the files it needs."""

    number: int
    toc: TOC
    segment_files: list[str]

    @property
    def toc_file(self) -> str:
        return TOC._filename(INDEX_NAME, self.number)


def take_snapshot(index_dir: Path, dest: Path, *, link: bool = True) -> SnapshotInfo:
    """Copy the index's current generation into the new folder `dest`.

    The copy is assembled in a hidden folder next to `dest` and renamed into place when it is
    complete, so `dest` is either absent or a whole index.
    """
    index_dir, dest = Path(index_dir), Path(dest)
    open_index(index_dir)  # no index, or another analysis version: say so before copying
    if dest.exists() or dest.is_symlink():
        raise SnapshotError(f"{dest} already exists: a snapshot goes into a new folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    try:

        def empty_partial() -> None:
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()

        generation, names, linked = _copy_latest(
            index_dir, partial, lambda g: [*g.segment_files, g.toc_file], link, empty_partial
        )
        copied = len(names) - linked
        shutil.copyfile(index_dir / META_FILE, partial / META_FILE)
        taken = datetime.now(UTC).isoformat(timespec="seconds")
        write_meta(partial, snapshot={"generation": generation.number, "taken": taken})
        _sync(partial, os.listdir(partial))
        info = _describe(partial, generation, names, linked, copied)
        os.rename(partial, dest)
        _sync_dir(dest.parent)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return replace(info, path=dest)


def restore_snapshot(
    source: Path, index_dir: Path, *, link: bool = True, wait: float = 0.0
) -> SnapshotInfo:
    """Make the generation of `source` (a snapshot or any index) the current one of `index_dir`.

    Servers of `index_dir` keep answering from their open generation and switch to the restored
    one at their next search: the new segment files are put in place first, then one new TOC
    (numbered above every generation the servers have seen) makes them current at once, then
    the files no longer named are deleted (a server holds the files of its generation open,
    search/readers.py). An indexer or a publishing writer holding the index's writer lock is
    waited for up to `wait` seconds.
    """
    source, index_dir = Path(source), Path(index_dir)
    open_index(source)
    _check_target(index_dir)
    with writer_lock(index_dir, wait=wait):  # no indexer may commit in between
        storage = FileStorage(str(index_dir))
        generation, new_files, linked = _copy_latest(
            source,
            index_dir,
            lambda g: [n for n in g.segment_files if not (index_dir / n).exists()],
            link,
        )
        copied = len(new_files) - linked
        _sync(index_dir, new_files)
        number = max(generation.number, TOC._latest_generation(storage, INDEX_NAME) + 1)
        meta = read_meta(source) | {"restored": datetime.now(UTC).isoformat(timespec="seconds")}
        write_meta(index_dir, **meta)
        TOC(generation.toc.schema, generation.toc.segments, number).write(storage, INDEX_NAME)
        _sync_dir(index_dir)
        clean_files(storage, INDEX_NAME, number, generation.toc.segments)
    restored = _Generation(number, generation.toc, generation.segment_files)
    names = [*generation.segment_files, restored.toc_file]
    return _describe(index_dir, restored, names, linked, copied + 1)  # + the new TOC


def _check_target(index_dir: Path) -> None:
    """Refuse to scatter index files into a folder that holds something else."""
    if not index_dir.exists():
        return
    if not index_dir.is_dir():
        raise SnapshotError(f"{index_dir} is not a folder")
    names = [n for n in os.listdir(index_dir) if not n.startswith(".")]
    if names and not any(_TOC_NAME.match(n) for n in names):
        raise SnapshotError(
            f"{index_dir} holds files but no Fahras index: restore into an index folder, "
            "an empty folder or a new path"
        )


def _copy_latest(
    source: Path,
    dest: Path,
    files_of: Callable[[_Generation], list[str]],
    link: bool,
    before_each: Callable[[], None] = lambda: None,
) -> tuple[_Generation, list[str], int]:
    """Transfer `files_of` the latest generation of `source` (and its derived data) into
    `dest`, starting again when a commit overtakes the copy: the generation, the files
    transferred and how many were hard-linked."""
    for _ in range(ATTEMPTS):
        before_each()
        try:
            generation = _current_generation(source)
            names = files_of(generation)
            linked = _transfer(source, dest, names, link=link)
            _copy_derived(source, dest, generation.toc.segments)
            return generation, names, linked
        except _GenerationGone:
            continue
    raise SnapshotError(f"{source} committed {ATTEMPTS} times during the copy: try again")


def _current_generation(index_dir: Path) -> _Generation:
    """The latest generation and its files, listed before its TOC is read.

    A TOC is written after its segments are complete, so when the TOC is in the listing, so are
    all of its segments' files, whole.
    """
    names = os.listdir(index_dir)
    numbers = [int(m[1]) for m in map(_TOC_NAME.match, names) if m]
    if not numbers:
        raise IndexMissingError(f"no index in {index_dir}")
    number = max(numbers)
    try:
        toc = TOC.read(FileStorage(str(index_dir)), INDEX_NAME, number)
    except OSError:  # a newer commit removed this TOC meanwhile
        raise _GenerationGone from None
    prefixes = tuple(f"{segment.segment_id()}." for segment in toc.segments)
    files = sorted(n for n in names if n.startswith(prefixes)) if prefixes else []
    for prefix in prefixes:
        if not any(n.startswith(prefix) for n in files):
            raise _GenerationGone
    return _Generation(number, toc, files)


def _transfer(source: Path, dest: Path, names: Iterable[str], *, link: bool) -> int:
    """Hard-link (or copy) each file; the number linked. A vanished file: _GenerationGone."""
    linked = 0
    for name in names:
        try:
            if link and _try_link(source / name, dest / name):
                linked += 1
            else:
                shutil.copyfile(source / name, dest / name)
        except FileNotFoundError:
            raise _GenerationGone from None
    return linked


def _copy_derived(source: Path, dest: Path, segments: Iterable[object]) -> None:
    """Bring the segments' derived search data along (search/derived.py), so the copy opens as
    fast as the original; a segment without it is derived by its first reader instead."""
    for segment in segments:
        found = segment_dir(source, segment.segment_id())  # type: ignore[attr-defined]
        target = segment_dir(dest, segment.segment_id())  # type: ignore[attr-defined]
        if found.is_dir() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copytree(found, target)
            except (FileNotFoundError, shutil.Error):  # merged away meanwhile: derive on open
                shutil.rmtree(target, ignore_errors=True)


def _try_link(source: Path, dest: Path) -> bool:
    try:
        os.link(source, dest)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno in _CANNOT_LINK:  # another file system, or one without hard links
            return False
        raise
    return True


def _describe(
    folder: Path, generation: _Generation, names: list[str], linked: int, copied: int
) -> SnapshotInfo:
    """Open the copy (the proof that it is whole) and count what it holds."""
    index = open_index(folder)
    try:
        documents = index.doc_count()
    finally:
        index.close()
    size = sum((folder / name).stat().st_size for name in names)
    return SnapshotInfo(folder, generation.number, documents, len(names), size, linked, copied)


def _sync(folder: Path, names: Iterable[str]) -> None:
    """Flush the files and the folder to disk: a snapshot is a backup and must survive a crash."""
    for name in names:
        descriptor = os.open(folder / name, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    _sync_dir(folder)


def _sync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
