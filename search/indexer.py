"""Incremental indexing: read sources, skip what is unchanged, add and update the rest.

Safety rules: every batch is one Whoosh commit (atomic), so an interrupted run keeps everything
committed before it and the next run resumes by skipping documents already indexed unchanged;
a bad record is reported as `file:line: reason` and skipped, never fatal; one writer at a time
(see search/store.py).
"""

import contextlib
import ctypes
import errno
import gzip
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

from whoosh.index import Index
from whoosh.writing import CLEAR, IndexWriter

from search.check import damage_explained
from search.derived import write_derived
from search.documents import Document, RecordError, build_document
from search.errors import IndexWriteError
from search.fields import BUILTIN, FieldRegistry
from search.loaders import LoadOptions, LoadProblem, RawRecord, read_file
from search.loaders.discover import find_files
from search.loaders.formats import format_of
from search.parallel_writer import CheckedMpWriter, SubWriterLostError
from search.problem_log import ProblemLog
from search.schema import FACET_SEPARATOR
from search.settings import Settings, SettingsError, installed, rebuild_reasons
from search.stemmer import lexicon
from search.store import (
    create_or_open,
    open_index,
    read_meta,
    record_file_sizes,
    remove_leftovers,
    write_meta,
    writer_lock,
)

ProgressCallback = Callable[[int, int], None]
PhaseCallback = Callable[[str], None]  # what a long silent step is doing, e.g. COMMITTING
COMMITTING = "merging segments and committing…"


@dataclass(frozen=True, slots=True)
class IndexOptions:
    procs: int = 1
    rebuild: bool = False
    prune: bool = False
    commit_every: int = 100_000
    commit_seconds: float = 120.0  # also commit this often, so a killed run loses little
    limitmb: int = 256
    wait: float = 0.0


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: ProblemLog = field(default_factory=ProblemLog)
    warnings: ProblemLog = field(default_factory=ProblemLog)
    seconds: float = 0.0
    documents: int = 0
    index_bytes: int = 0
    interrupted: bool = False

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "skipped": len(self.skipped),
            "warnings": len(self.warnings),
            "seconds": round(self.seconds, 2),
            "documents": self.documents,
            "index_bytes": self.index_bytes,
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True, slots=True)
class _Indexed:
    content_hash: str
    origin: str


def index_sources(
    sources: Sequence[str | Path],
    index_dir: Path,
    load_options: LoadOptions | None = None,
    options: IndexOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_problem: Callable[[str], None] | None = None,
    on_phase: PhaseCallback | None = None,
) -> IndexReport:
    """Index `sources` into `index_dir`; see the module docstring for what is guaranteed."""
    load_options = load_options or LoadOptions()
    found, problems = find_files(sources)  # raises SourceError for a missing path

    def entries(index: Index) -> Iterator[RawRecord | LoadProblem]:
        yield from problems
        for item in found:
            yield from read_file(item.path, load_options, item.root)

    total = _estimate_records([item.path for item in found])
    prune = _pruned_scope(sources, [item.path for item in found])
    return _index(entries, index_dir, options, total, prune, on_progress, on_problem, on_phase)


def rebuild_from_index(
    index_dir: Path,
    options: IndexOptions | None = None,
    on_progress: ProgressCallback | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> IndexReport:
    """Rebuild the index from its own stored documents, under its current settings.

    For a settings change that needs a rebuild (a new facet, protected words): the documents
    are read back from the index (extra keys included, so a new facet finds its values there)
    and indexed again in one commit; readers see the old documents until it is done.
    """
    with open_index(index_dir).reader() as reader:  # fails clearly if there is no index
        total = reader.doc_count()
    options = replace(options or IndexOptions(), rebuild=True, procs=1, prune=False)

    def entries(index: Index) -> Iterator[RawRecord]:
        with index.reader() as reader:  # the generation before the rebuild, until its commit
            for number, stored in enumerate(reader.all_stored_fields(), 1):
                yield stored_record(stored, number)

    return _index(entries, index_dir, options, total, None, on_progress, on_problem)


def _index(
    entries: Callable[[Index], Iterable[RawRecord | LoadProblem]],
    index_dir: Path,
    options: IndexOptions | None,
    total: int,
    prune: Callable[[str], bool] | None,
    on_progress: ProgressCallback | None,
    on_problem: Callable[[str], None] | None,
    on_phase: PhaseCallback | None = None,
) -> IndexReport:
    options = options or IndexOptions()
    report = IndexReport()
    started = time.monotonic()
    run: _Run | None = None
    try:
        with (
            writer_lock(index_dir, wait=options.wait),
            _sigterm_as_interrupt(),
            damage_explained(index_dir),
        ):
            settings = installed(index_dir)
            registry = settings.registry()
            _refuse_stale_settings(index_dir, settings, options.rebuild)
            index = create_or_open(index_dir, rebuild=options.rebuild, registry=registry)
            remove_leftovers(index_dir)
            existing = {} if options.rebuild else _indexed_documents(index)
            if options.rebuild:  # one commit replacing everything: see store.create_or_open
                options = replace(options, commit_every=sys.maxsize, commit_seconds=math.inf)
            problems = on_problem or (lambda _: None)
            run = _Run(index, options, existing, report, problems, registry)
            run.on_phase = on_phase or (lambda _: None)
            _run_batches(run, entries(index), total, prune, on_progress)
            write_meta(
                index_dir,
                last_update=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                settings=settings.index_record(),  # what the documents are built with
            )
            report.documents = index.doc_count()
    except OSError as exc:  # a full disk outside a batch: the lock file, the metadata
        if not _is_write_failure(exc):
            raise
        kept = run.committed if run else 0
        raise IndexWriteError(_write_failure(index_dir, exc, kept)) from exc
    report.index_bytes = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
    report.seconds = time.monotonic() - started
    return report


class _Run:
    """The state of one indexing run: the open writer, the ids seen, the counts."""

    def __init__(
        self,
        index: Index,
        options: IndexOptions,
        existing: dict[str, _Indexed],
        report: IndexReport,
        on_problem: Callable[[str], None],
        registry: FieldRegistry = BUILTIN,
    ) -> None:
        self.registry = registry
        self.index = index
        self.index_dir = Path(index.storage.folder)
        self.options = options
        self.existing = existing
        self.report = report
        self.on_problem = on_problem
        self.first_seen: dict[str, str] = {}
        self.resolved_origins: dict[str, str] = {}
        self.writer: IndexWriter | None = None
        self.pending = 0
        self.committed = 0  # documents of this run in committed batches
        self.seen = 0
        self.last_commit = time.monotonic()
        self.on_phase: PhaseCallback = lambda _: None

    def skip(self, where: str, reason: str) -> None:
        if self.report.skipped.add(where, reason):
            self.on_problem(f"{where}: {reason}")

    def warn(self, where: str, reason: str) -> None:
        if self.report.warnings.add(where, reason):
            self.on_problem(f"{where}: {reason}")

    def take(self, entry: RawRecord | LoadProblem) -> None:
        self.seen += 1
        if isinstance(entry, LoadProblem):
            self.skip(entry.where, entry.reason)
            return
        where = f"{entry.origin}:{entry.line}"
        try:
            document = build_document(entry, self.registry)
        except RecordError as exc:
            self.skip(where, str(exc))
            return
        first = self.first_seen.get(document.doc_id)
        if first is not None:
            self.skip(where, f"duplicate id {document.doc_id!r} (first at {first})")
            return
        self.first_seen[document.doc_id] = where
        for warning in document.warnings:
            self.warn(where, warning)
        self._store(document)

    def _store(self, document: Document) -> None:
        document.origin = self._resolved(document.origin)
        known = self.existing.get(document.doc_id)
        if known is not None and known.content_hash == document.content_hash:
            self.report.unchanged += 1
            return
        writer = self._writer()
        if known is None:
            writer.add_document(**document.index_fields())
            self.report.added += 1
        else:
            writer.update_document(**document.index_fields())
            self.report.updated += 1
        self.pending += 1
        overdue = time.monotonic() - self.last_commit >= self.options.commit_seconds
        if self.pending >= self.options.commit_every or overdue:
            self.commit()

    def _resolved(self, origin: str) -> str:
        """The absolute path of a record's file, resolved once per file, not per record."""
        resolved = self.resolved_origins.get(origin)
        if resolved is None:
            resolved = self.resolved_origins[origin] = str(Path(origin).resolve())
        return resolved

    def prune(self, in_scope: Callable[[str], bool]) -> None:
        gone = [
            doc_id
            for doc_id, known in self.existing.items()
            if doc_id not in self.first_seen and in_scope(known.origin)
        ]
        for doc_id in gone:
            self._writer().delete_by_term("id", doc_id)
        self.report.deleted += len(gone)
        self.pending += len(gone)

    def _writer(self) -> IndexWriter:
        if self.writer is None:
            procs = self.options.procs
            if procs > 1:
                _tie_workers_to_parent()
            # Separate segment files, not Whoosh's compound ones: a reader copies every part of a
            # compound file into memory (BytesIO), which cost each web worker 250 MB on ANT.
            limitmb, compound = self.options.limitmb, False
            self.writer = (
                CheckedMpWriter(
                    self.index, procs=procs, multisegment=True, limitmb=limitmb, compound=compound
                )
                if procs > 1
                else self.index.writer(limitmb=limitmb, compound=compound)
            )
        return self.writer

    def commit(self) -> None:
        if self.options.rebuild and self.report.added == 0:
            self.cancel()  # a rebuild that found nothing to index keeps the old documents
            return
        if self.writer is not None:
            self.on_phase(COMMITTING)  # minutes on a large run, with no record to count
            lexicon()  # deriving needs the stemmer: load it before the commit, not after
            self.writer.commit(mergetype=CLEAR if self.options.rebuild else None)
            self.writer = None
            self.committed += self.pending
            self.pending = 0
            self.last_commit = time.monotonic()
            record_file_sizes(self.index_dir)
            self.derive()

    def derive(self) -> None:
        """Write the derived data of the new segments, so readers open this generation at once."""
        try:
            write_derived(self.index_dir, self.index, self.options.procs)
        except OSError as exc:  # the commit stands; readers derive in memory until a next run
            # Only counted in the report: on a full disk the next batch's error says it all.
            reason = f"could not write the derived search data: {exc.strerror or exc}"
            self.report.warnings.add(str(self.index_dir), reason)

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None


def _run_batches(
    run: _Run,
    entries: Iterable[RawRecord | LoadProblem],
    total: int,
    prune: Callable[[str], bool] | None,
    on_progress: ProgressCallback | None,
) -> None:
    """Take every entry into the run, batch after batch; a failed batch is never committed."""
    try:
        for entry in entries:
            run.take(entry)
            if on_progress:
                on_progress(run.seen, total)
        if run.options.prune and prune is not None:
            run.prune(prune)
        run.commit()
        run.derive()  # also for an index from before derived data, when nothing changed
    except KeyboardInterrupt:
        run.cancel()
        run.report.interrupted = True
    except Exception as exc:
        with contextlib.suppress(Exception):
            run.cancel()  # the failed commit may have closed it already
        remove_leftovers(run.index_dir)  # its files: a full disk must not stay full
        if isinstance(exc, SubWriterLostError) or _is_write_failure(exc):
            raise IndexWriteError(_write_failure(run.index_dir, exc, run.committed)) from exc
        raise  # a damaged index file, perhaps: damage_explained tells


_WRITE_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES})


def _is_write_failure(exc: Exception) -> bool:
    return isinstance(exc, OSError) and exc.errno in _WRITE_FAILURES


def _write_failure(index_dir: Path, exc: Exception, committed: int) -> str:
    """What failed, what the index now holds, and what to do (issue 16 §1, §4)."""
    if isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        advice = "free some space, then run" if exc.errno == errno.ENOSPC else "run"
    else:
        what, advice = str(exc), "run"
    kept = (
        f"the index keeps the {committed:,} documents this run committed before the failure"
        if committed
        else "the index is as it was before this run"
    )
    return (
        f"could not write the index in {index_dir}: {what}; the batch being written was not "
        f"committed, {kept}; {advice} the same command again to finish (what is indexed "
        "is skipped)"
    )


def _refuse_stale_settings(index_dir: Path, settings: Settings, rebuild: bool) -> None:
    """An update under settings that change what is indexed would mix two kinds of documents."""
    if rebuild or not read_meta(index_dir).get("last_update"):
        return
    reasons = rebuild_reasons(read_meta(index_dir).get("settings"), settings)  # type: ignore
    if reasons:
        raise SettingsError(rebuild_message(index_dir, reasons))


def rebuild_message(index_dir: Path, reasons: list[str], settings: Path | None = None) -> str:
    given = f" --settings {settings}" if settings else ""
    return (
        f"the settings of {index_dir} change what is indexed ({', '.join(reasons)}): the index "
        f"must be rebuilt; run `fahras index --index {index_dir}{given} --rebuild-from-index` "
        "(or index your sources again with --rebuild)"
    )


def stored_record(stored: dict[str, object], number: int) -> RawRecord:
    """A stored document as the raw record it came from: its fields, its extra keys, its file."""
    fields = {key: value for key, value in stored.items() if key not in _DERIVED}
    for key, value in list(fields.items()):
        if isinstance(value, str) and FACET_SEPARATOR in value:
            fields[key] = value.split(FACET_SEPARATOR)
    extra = fields.pop("extra", None) or {}
    return RawRecord({**extra, **fields}, str(stored.get("origin") or "index"), number)


_DERIVED = frozenset({"content_hash", "origin"})


def _indexed_documents(index: Index) -> dict[str, _Indexed]:
    """id -> (content hash, origin) of every live document, read from columns (fast)."""
    with index.reader() as reader:
        if reader.doc_count() == 0:
            return {}
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        origins = reader.column_reader("origin")
        return {
            ids[docnum]: _Indexed(hashes[docnum], origins[docnum])
            for docnum in reader.all_doc_ids()
        }


def _pruned_scope(sources: Sequence[str | Path], files: list[Path]) -> Callable[[str], bool]:
    """Documents from a file read in this run, or from under a folder given, may be pruned."""
    read = {str(path.resolve()) for path in files}
    folders = [str(Path(s).resolve()) + "/" for s in sources if Path(s).is_dir()]
    return lambda origin: origin in read or any(origin.startswith(f) for f in folders)


def _estimate_records(paths: list[Path]) -> int:
    """A quick count of records for the progress bar (lines of line-based files)."""
    total = 0
    for path in paths:
        kind = format_of(path)
        if kind == "txt":
            total += 1
        elif kind in ("jsonl", "csv", "tsv"):
            total += _count_lines(path)
    return total


ESTIMATE_BYTES = 512 * 2**20  # enough for an estimate; a gzip bomb is not counted to the end


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as raw:
            magic = raw.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            lines = 0
            for _ in range(ESTIMATE_BYTES >> 20):
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                lines += chunk.count(b"\n")
            return lines
    except (OSError, EOFError):
        return 0


_PR_SET_PDEATHSIG = 1
_workers_tied = False


def _tie_workers_to_parent() -> None:
    """Make Whoosh's writer processes die with the indexer and leave Ctrl-C to it.

    Without this, a SIGKILL'd indexer leaves its workers blocked on their job queue forever
    (holding memory and the inherited lock file), and Ctrl-C prints a traceback per worker.
    """
    global _workers_tied
    if _workers_tied or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)

    def in_child() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's KeyboardInterrupt

    os.register_at_fork(after_in_child=in_child)
    _workers_tied = True


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM stop a run the way Ctrl-C does: the current batch is cancelled cleanly."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
