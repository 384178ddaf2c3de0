"""Read every file of the current index generation and say which one is damaged, if any.

Whoosh keeps no checksums: a cut or overwritten file shows up as whatever the decoder trips on
(struct.error, zlib.error, EOFError, UnpicklingError, CorruptIndexError, a bad mmap…), deep in
a search, a stats count or a merge (issue 16 §3). Reading each part of each segment on its own
tells which file it is, so `fahras check` can name it, and an unexpected error anywhere else is
only called damage once a check has found some (`damage_explained`).
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader

from search.errors import FahrasError, IndexDamagedError
from search.store import INDEX_NAME, index_exists, read_toc, recorded_file_sizes


@dataclass(frozen=True, slots=True)
class Damage:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(slots=True)
class CheckReport:
    generation: int = -1
    segments: int = 0
    documents: int = 0
    terms: int = 0
    postings: int = 0
    columns: int = 0
    seconds: float = 0.0
    damage: list[Damage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damage


Damaged = Callable[[Path, BaseException | str], None]  # reports one damaged file


class _Found(Exception):
    """Stops a check at its first damage (`first_only`)."""


def check_index(index_dir: Path, *, first_only: bool = False) -> CheckReport:
    """Read the table of contents and, segment by segment, every part of the index."""
    started = time.monotonic()
    report = CheckReport()
    storage = FileStorage(str(index_dir))

    def damaged(path: Path, problem: BaseException | str) -> None:
        report.damage.append(
            Damage(path, problem if isinstance(problem, str) else _describe(problem))
        )
        if first_only:
            raise _Found

    try:
        report.generation = TOC._latest_generation(storage, INDEX_NAME)
        try:
            toc = read_toc(index_dir)
        except Exception as exc:  # any decoding error: whoosh raises whatever it trips on
            damaged(index_dir / TOC._filename(INDEX_NAME, report.generation), exc)
            return report
        for damage in size_damage(index_dir, toc):
            damaged(damage.path, damage.problem)
        readers = []
        try:  # the quick parts of every segment first, then the postings (most of the time)
            for segment in toc.segments:
                reader = _check_segment(storage, toc.schema, segment, index_dir, report, damaged)
                if reader is not None:
                    readers.append((reader, segment))
            for reader, segment in readers:
                _read_terms(reader, _parts(index_dir, segment), report, damaged)
        finally:
            for reader, _ in readers:
                reader.close()
    except _Found:
        pass
    finally:
        report.seconds = time.monotonic() - started
    return report


def _check_segment(
    storage: FileStorage,
    schema: Schema,
    segment: Segment,
    index_dir: Path,
    report: CheckReport,
    damaged: Damaged,
) -> SegmentReader | None:
    """Open a segment and read its stored fields, lengths and columns; its reader, if it opens."""
    report.segments += 1
    part = _parts(index_dir, segment)

    def read(what: Callable[[], object], path: Path) -> None:
        try:
            what()
        except Exception as exc:
            damaged(_named_file(exc) or path, exc)

    try:
        reader = SegmentReader(storage, schema, segment)
    except Exception as exc:  # opening reads the term index's header and the column directory
        damaged(_named_file(exc) or part(W3Codec.TERMS_EXT), exc)
        return None
    try:
        docnums = range(segment.doc_count_all())
        report.documents += segment.doc_count()
        read(lambda: [reader.stored_fields(n) for n in docnums], part("._stored.col"))
        for name, spec in schema.items():
            if spec.scorable:
                lengths = part(f"._{name}_len.col")
                read(lambda n=name: [reader.doc_field_length(d, n) for d in docnums], lengths)
            if spec.column_type is not None and reader.has_column(name):
                report.columns += 1
                read(lambda n=name: list(reader.column_reader(n)), part(f".{name}.col"))
    except BaseException:
        reader.close()
        raise
    return reader


def _parts(index_dir: Path, segment: Segment) -> Callable[[str], Path]:
    """The path of one of a segment's files, by its extension."""
    segid = segment.segment_id()
    return lambda extension: index_dir / f"{segid}{extension}"


def _read_terms(
    reader: SegmentReader, part: Callable[[str], Path], report: CheckReport, damaged: Damaged
) -> None:
    """Every term of the term index, and every posting (ids and values) of each term."""
    terms = iter(reader.all_terms())
    while True:
        try:
            fieldname, text = next(terms)
        except StopIteration:
            return
        except Exception as exc:
            damaged(part(W3Codec.TERMS_EXT), exc)
            return
        report.terms += 1
        try:
            for _ in reader.postings(fieldname, text).all_items():
                report.postings += 1
        except Exception as exc:
            damaged(part(W3Codec.POSTS_EXT), exc)
            return


def size_damage(index_dir: Path, toc: TOC) -> list[Damage]:
    """Files of the generation whose size differs from the one noted at its commit."""
    found = []
    for name, size in recorded_file_sizes(index_dir, toc.generation).items():
        path = index_dir / name
        try:
            now = path.stat().st_size
        except FileNotFoundError:
            found.append(Damage(path, "missing"))
            continue
        if now != size:
            found.append(Damage(path, f"{now:,} bytes, {size:,} when committed (cut short?)"))
    return found


def quick_check(index_dir: Path) -> list[Damage]:
    """What a look at the current generation finds in milliseconds.

    Its table of contents, its files' sizes and whether each segment opens; reading every
    file is `check_index`. A commit may delete the files of the generation being looked at:
    what is found then is looked at again in the new one.
    """
    storage = FileStorage(str(index_dir))
    generation = TOC._latest_generation(storage, INDEX_NAME)
    found = _look_at(index_dir, storage, generation)
    latest = TOC._latest_generation(storage, INDEX_NAME)
    return _look_at(index_dir, storage, latest) if found and latest != generation else found


def _look_at(index_dir: Path, storage: FileStorage, generation: int) -> list[Damage]:
    try:
        toc = read_toc(index_dir)
    except Exception as exc:
        return [Damage(index_dir / TOC._filename(INDEX_NAME, generation), _describe(exc))]
    found = size_damage(index_dir, toc)
    for segment in toc.segments:
        try:
            SegmentReader(storage, toc.schema, segment).close()
        except Exception as exc:
            path = _named_file(exc) or _parts(index_dir, segment)(W3Codec.TERMS_EXT)
            found.append(Damage(path, _describe(exc)))
    return found


def _named_file(exc: BaseException) -> Path | None:
    filename = getattr(exc, "filename", None)
    return Path(filename) if filename else None


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def damage_message(index_dir: Path, damage: Damage) -> str:
    return (
        f"the index in {index_dir} is damaged ({damage}); restore it from a snapshot, or "
        f"rebuild it with `fahras index SOURCE... --index {index_dir} --rebuild`"
    )


@contextmanager
def damage_explained(index_dir: Path) -> Iterator[None]:
    """Turn an unexpected error while using the index into IndexDamagedError naming the file.

    Only when a check finds damage: any other error is a bug and keeps its traceback.
    """
    try:
        yield
    except (FahrasError, BrokenPipeError):  # `fahras search … | head`: nothing is damaged
        raise
    except Exception as exc:
        if not index_exists(index_dir):
            raise
        # A look at sizes first (milliseconds); reading everything only when that finds nothing.
        found = quick_check(index_dir) or check_index(index_dir, first_only=True).damage
        if not found:
            raise
        raise IndexDamagedError(damage_message(index_dir, found[0])) from exc
