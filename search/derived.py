"""What a search derives from the index, computed once per segment at commit and mapped by readers.

Every process that opened an index used to rebuild from Whoosh the stem → indexed forms map
(stemming 200,000 terms), the speller's vocabulary, the autocomplete counts, the facet and date
columns and the document lengths: seconds before the first answer, and private copies in every
web worker. Common terms' postings are decoded here too (Whoosh keeps them as pickled blocks
that every first search of a word would unpickle), and the vocabulary is kept as term hashes.
Whoosh segments never change once written (only their deletion sets do), so these are derived
per segment, when the segment appears, and written beside the index in `derived/<segment id>/`:
NumPy arrays and sorted string tables (search/strtable.py) in one file that readers map, with
meta.json saying where each lies and which analysis version and settings made them: pages
shared through the OS page cache, an open in milliseconds. Opening a generation combines its
segments' data (concatenations, one small value remap per facet) and applies its deletions.
Writers call `write_derived` after every commit; it also removes the data of segments Whoosh
has merged away. An index without derived files still opens: the missing
segments are derived in memory, as before, and the next `fahras index` writes them.
"""

import contextlib
import ctypes
import json
import logging
import mmap
import multiprocessing
import os
import shutil
import struct
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import TEXT
from whoosh.index import Index, open_dir
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

from search.analysis import ANALYSIS_VERSION, STEMMING_VERSION, stem_of, terms_of
from search.docsets import contains
from search.normalize import strip_marks
from search.rules import ACTIVE, NO_RULES, AnalysisRules, applied
from search.schema import COLUMN_SUFFIX, FACET_SEPARATOR
from search.stemmer import strip_article
from search.store import read_meta
from search.strtable import StringTable
from search.tokenize import token_pattern

log = logging.getLogger(__name__)

DERIVED_DIR = "derived"
FORMAT = 2  # bump when what is written changes
NO_DATE = np.iinfo(np.int64).min
KEY_END = "\x00"  # between a key and what it maps to in a sorted table ("stem\x00form")
KNOWN_STEMS_FROM = 5_000  # documents: a segment this big (a merge) reuses the stems derived
COMPLETION_CANDIDATES = 4  # per segment, this many times `limit` best keys are weighed exactly
STEM_FORMS_KEPT = 50_000  # stems whose forms a generation remembers (a few MB)
DECODED_FROM = 32  # documents: a term in this many has its postings decoded at commit
_META = "meta.json"
_DATA = "data.bin"
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def fingerprint() -> str:
    """What derived data depends on; files with another fingerprint are never used: the
    analysis (its version, and the index's own rules in force: search/rules.py) and the format.
    Which fields are derived is read from each segment's schema."""
    rules = ACTIVE.get()
    own = f";rules={rules.fingerprint()}" if rules is not NO_RULES else ""
    return f"analysis={ANALYSIS_VERSION}.{STEMMING_VERSION};format={FORMAT}{own}"


def text_fields(reader: IndexReader) -> list[str]:
    """The segment's text fields (title, body and any of the index's settings)."""
    return [name for name, kind in reader.schema.items() if isinstance(kind, TEXT)]


def facet_fields(reader: IndexReader) -> list[str]:
    """The segment's facet fields: those kept in a facet column (search/schema.py)."""
    return [
        name[: -len(COLUMN_SUFFIX)]
        for name in reader.schema.names()
        if name.endswith(COLUMN_SUFFIX) and name[: -len(COLUMN_SUFFIX)] in reader.schema
    ]


@dataclass(slots=True)
class SegmentData:
    """One segment's derived arrays and string tables, by name, over its local docnums."""

    doc_count: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, StringTable] = field(default_factory=dict)
    segment_id: str = ""
    # position of each decoded term in its field's arrays, read from the table on first use
    _decoded: dict[str, dict[str, int]] = field(default_factory=dict)

    def decoded(self, name: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(local docnums, frequencies) of `term` in `name` if decoded at commit, else None."""
        positions = self._decoded.get(name)
        if positions is None:
            table = self.tables.get(f"decoded_{name}")
            terms = table.all() if table is not None else []
            positions = self._decoded[name] = {term: index for index, term in enumerate(terms)}
        index = positions.get(term)
        if index is None:
            return None
        start, end = self.arrays[f"decoded_{name}_starts"][index : index + 2]
        docs = self.arrays[f"decoded_{name}_docs"][start:end]
        return docs, self.arrays[f"decoded_{name}_counts"][start:end]


# --- deriving one segment ------------------------------------------------------------------


def derive(
    reader: IndexReader, stem: Callable[[str], str | None] = stem_of, decode: bool = True
) -> SegmentData:
    """Everything derived from one segment's reader (a leaf, not a multi-segment reader);
    without `decode`, no decoded postings (searches read them through Whoosh)."""
    size = reader.doc_count_all()
    data = SegmentData(size)
    stems: dict[str, str | None] = {}  # title words are mostly body words too: stem them once
    for name in text_fields(reader):
        data.arrays[f"length_{name}"] = _lengths(reader, name, size)
        raw_terms = _decode_postings(reader, name, data) if decode else reader.lexicon(name)
        terms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in raw_terms]
        data.tables[f"terms_{name}"] = StringTable.of(terms)
        data.arrays[f"hashes_{name}"] = np.unique(term_hashes(terms))
        for term in terms:
            if term not in stems:
                stems[term] = stem(term)
        pairs = sorted(f"{s}{KEY_END}{t}" for t in terms if (s := stems[t]) is not None)
        data.tables[f"stems_{name}"] = StringTable.of(pairs)
    data.arrays["dates"] = _dates(reader, size)
    for name in facet_fields(reader):
        values, docs, ids = _facet_pairs(_column(reader, name + COLUMN_SUFFIX, size))
        data.tables[f"facet_{name}_values"] = StringTable.of(values)
        data.arrays[f"facet_{name}_doc"] = docs
        data.arrays[f"facet_{name}_value"] = ids
    _derive_completions(data, _column(reader, "title_column", size))
    return data


def _decode_postings(reader: IndexReader, name: str, data: SegmentData) -> list[bytes]:
    """Decode the postings of `name`'s terms found in DECODED_FROM documents or more into
    arrays; return every term of `name`. Whoosh keeps postings as pickled blocks of 128 with
    their positions, so a common word at 300,000 documents is thousands of blocks unpickled
    by every search that is first to ask: here, once per segment, they become slices of a
    mapped file."""
    fmt = reader.schema[name].format
    terms: list[bytes] = []
    decoded: list[str] = []
    sizes: list[int] = []
    docs: list[np.ndarray] = [np.zeros(0, dtype=np.int32)]
    counts: list[np.ndarray] = [np.zeros(0, dtype=np.float32)]
    for term, frequency in _doc_frequencies(reader, name):
        terms.append(term)
        if frequency < DECODED_FROM:
            continue
        matcher = reader._terms.matcher(name, term, fmt)
        size = 0
        while matcher.is_active():  # one iteration per block of postings
            matcher._read_ids()
            matcher._read_weights()
            docs.append(np.asarray(matcher._ids, dtype=np.int32))
            counts.append(np.asarray(matcher._weights, dtype=np.float32))
            size += docs[-1].size
            matcher._next_block()
        decoded.append(term.decode("utf-8"))
        sizes.append(size)
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    data.tables[f"decoded_{name}"] = StringTable.of(decoded)
    data.arrays[f"decoded_{name}_starts"] = starts
    data.arrays[f"decoded_{name}_docs"] = np.concatenate(docs)
    data.arrays[f"decoded_{name}_counts"] = np.concatenate(counts)
    return terms


_DOC_FREQUENCY = struct.Struct("!I")  # in a W3TermInfo's bytes, after a flag and a weight


def _doc_frequencies(reader: IndexReader, name: str) -> Iterator[tuple[bytes, int]]:
    """Each term of `name` and its document frequency, read from the raw term table: Whoosh's
    own term infos unpickle the postings rare terms keep inline (three times slower)."""
    table = reader._terms
    prefix = table._keycoder(name, b"")
    for key, value in table._tindex.items_from(prefix):
        if not key.startswith(prefix):
            return
        yield key[len(prefix) :], _DOC_FREQUENCY.unpack_from(value, 5)[0]


def _lengths(reader: IndexReader, name: str, size: int) -> np.ndarray:
    """Every document's length in `name` (Whoosh keeps it as one byte per document)."""
    lengths = np.zeros(size, dtype=np.float32)
    column = reader._perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
    if column is not None:
        raw = np.fromiter(column, dtype=np.uint8, count=len(column))
        lengths[: raw.size] = _BYTE_LENGTHS[raw]
    return lengths


def _dates(reader: IndexReader, size: int) -> np.ndarray:
    if not reader.has_column("date"):  # a segment with no dates has no date column
        return np.full(size, NO_DATE, dtype=np.int64)
    raw = reader.column_reader("date", translate=False)
    stored = np.fromiter(raw, dtype=np.uint64, count=size)
    missing = (stored == 0) | (stored >= 2**63)  # Whoosh writes 2**64-1 for none
    return np.where(missing, NO_DATE, stored.astype(np.int64))


def _column(reader: IndexReader, name: str, size: int) -> list[bytes]:
    if not reader.has_column(name):
        return [b""] * size
    column = reader.column_reader(name, translate=False)
    return [column[docnum] for docnum in range(size)]


def _facet_pairs(blobs: Iterable[bytes]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Values (ids in order of appearance) and (docnum, value id) pairs of one facet column."""
    ids: dict[bytes, int] = {}
    docs: list[int] = []
    values: list[int] = []
    separator = FACET_SEPARATOR.encode()
    for docnum, blob in enumerate(blobs):
        if not blob:
            continue
        for part in blob.split(separator) if separator in blob else (blob,):
            docs.append(docnum)
            values.append(ids.setdefault(part, len(ids)))
    names = [raw.decode("utf-8") for raw in ids]
    return names, np.array(docs, dtype=np.int32), np.array(values, dtype=np.int32)


def _derive_completions(data: SegmentData, titles: list[bytes]) -> None:
    """Autocomplete entries "key\\x00written form" (sorted), their counts, and which documents
    gave them (so a generation can subtract its deleted documents).

    Keys are title words and two-word phrases, normalized; a word also completes without its
    article (كت… → الكتاب). Counts are per occurrence in titles.
    """
    numbers: dict[str, int] = {}
    words: dict[str, tuple[str, str, list[int]] | None] = {}  # token -> its part, once a token
    per_doc: list[list[int]] = []
    for blob in titles:
        entries: list[int] = []
        per_doc.append(entries)
        previous: tuple[str, str, list[int]] | None = None
        title = blob.decode("utf-8") if blob else ""
        for token in token_pattern(title).findall(title):
            word = words.get(token, _UNSEEN)
            if word is _UNSEEN:
                word = words[token] = _title_word(token, numbers)
            if word is None:
                previous = None
                continue
            normalized, surface, own = word
            entries += own
            if previous is not None:
                pair = f"{previous[0]} {normalized}{KEY_END}{previous[1]} {surface}"
                entries.append(numbers.setdefault(pair, len(numbers)))
            previous = word
    names = sorted(numbers)
    rank = np.zeros(len(numbers), dtype=np.int32)
    rank[[numbers[n] for n in names]] = np.arange(len(names), dtype=np.int32)
    doc_entries = rank[np.array([e for entries in per_doc for e in entries], dtype=np.int64)]
    doc_start = np.zeros(len(per_doc) + 1, dtype=np.int64)
    np.cumsum([len(entries) for entries in per_doc], out=doc_start[1:])
    keys = [n.partition(KEY_END)[0] for n in names]
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    key_of = np.zeros(len(names), dtype=np.int32)
    if starts:
        key_of[starts[1:]] = 1
        key_of = np.cumsum(key_of, dtype=np.int32)
    data.tables["complete_entries"] = StringTable.of(names)
    data.arrays["complete_count"] = np.bincount(doc_entries, minlength=len(names)).astype(np.int32)
    data.arrays["complete_key"] = key_of
    data.arrays["complete_key_first"] = np.array(starts, dtype=np.int32)
    data.arrays["complete_doc_start"] = doc_start
    data.arrays["complete_doc_entries"] = doc_entries.astype(np.int32)


_UNSEEN = ("", "", [])


def _title_word(token: str, numbers: dict[str, int]) -> tuple[str, str, list[int]] | None:
    """A title token's normalized form, written form and the numbers of its own entries
    (itself, and without its article), or None when it completes nothing (a stop word, one
    letter)."""
    surface = strip_marks(token)
    normalized, stemmed = terms_of(surface)
    if stemmed is None or len(normalized) < 2:
        return None
    keys = [normalized]
    bare = strip_article(normalized)
    if bare != normalized and len(bare) >= 2:
        keys.append(bare)
    own = [numbers.setdefault(f"{key}{KEY_END}{surface}", len(numbers)) for key in keys]
    return normalized, surface, own


# --- files ---------------------------------------------------------------------------------


def segment_dir(index_dir: Path, segment_id: str) -> Path:
    return Path(index_dir) / DERIVED_DIR / segment_id


def save(data: SegmentData, target: Path) -> None:
    """Write `data` to the folder `target` atomically: a reader sees all of it or none.

    Every array and table goes into one file (a reader maps it once: one file handle a
    segment), at 64-byte aligned offsets that meta.json lists with dtypes and lengths.
    """
    temporary = target.parent / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    try:
        _write_files(data, temporary)
    except BaseException:  # a full disk, an interruption: leave nothing half-written behind
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    try:
        os.rename(temporary, target)
    except OSError:  # written meanwhile (it is the same data): keep the first
        shutil.rmtree(temporary, ignore_errors=True)


def _write_files(data: SegmentData, folder: Path) -> None:
    layout: dict[str, tuple[int, str, int]] = {}
    with open(folder / _DATA, "wb") as out:

        def put(name: str, array: np.ndarray) -> None:
            out.write(b"\0" * (-out.tell() % 64))
            layout[name] = (out.tell(), array.dtype.str, int(array.size))
            out.write(np.ascontiguousarray(array).tobytes())

        for name, array in data.arrays.items():
            put(name, array)
        for name, table in data.tables.items():
            put(f"{name}.blob", np.frombuffer(bytes(table.blob), dtype=np.uint8))
            put(f"{name}.offsets", np.asarray(table.offsets, dtype=np.int64))
    meta = {
        "fingerprint": fingerprint(),
        "doc_count": data.doc_count,
        "arrays": sorted(data.arrays),
        "tables": sorted(data.tables),
        "layout": layout,
    }
    (folder / _META).write_text(json.dumps(meta), encoding="utf-8")


def load(source: Path, doc_count: int) -> SegmentData | None:
    """The data saved in `source`, mapped; None if absent, stale or damaged (then re-derived)."""
    try:
        meta = json.loads((source / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("fingerprint") != fingerprint() or meta.get("doc_count") != doc_count:
        return None
    try:
        with open(source / _DATA, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        layout = meta["layout"]

        def get(name: str) -> np.ndarray:
            offset, dtype, count = layout[name]
            if offset + count * np.dtype(dtype).itemsize > size:
                raise ValueError(f"{name} runs past the end of {source / _DATA}")
            return np.frombuffer(mapped, dtype=dtype, count=count, offset=offset)

        data = SegmentData(doc_count)
        for name in meta["arrays"]:
            data.arrays[name] = get(name)
        for name in meta["tables"]:
            offset, _, count = layout[f"{name}.blob"]
            blob = memoryview(mapped)[offset : offset + count]
            data.tables[name] = StringTable(blob, get(f"{name}.offsets"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("derived data in %s is unreadable (%s): deriving it again", source, exc)
        return None
    return data


def write_derived(index_dir: Path, index: Index, procs: int = 1) -> list[str]:
    """Derive and write the data of each segment of the current generation that has none, and
    remove what belongs to segments Whoosh dropped. Call after every commit, under the writer
    lock. With `procs` > 1, segments are derived in that many processes at once: a
    `--procs N` run ends with N new segments, and deriving them one after the other (stemming
    each one's vocabulary) would leave all but one core idle. Returns the ids derived."""
    root = Path(index_dir) / DERIVED_DIR
    root.mkdir(exist_ok=True)
    with index.reader() as reader:
        segments = _segments(reader)
        missing = [
            segment_id
            for leaf, segment_id in segments
            if load(root / segment_id, leaf.doc_count_all()) is None
        ]
    if procs > 1 and len(missing) > 1:
        written = _derive_apart(Path(index_dir), index.indexname, missing, procs)
    else:
        written = _derive_segments(Path(index_dir), index, missing)
    current = {segment_id for _, segment_id in segments}
    for entry in root.iterdir():
        if entry.name not in current:  # merged away by Whoosh, or left by a killed writer
            shutil.rmtree(entry, ignore_errors=True)
    return written


def _derive_segments(index_dir: Path, index: Index, wanted: Iterable[str]) -> list[str]:
    """Derive and save the segments `wanted` of the index's current generation."""
    wanted = set(wanted)
    root = index_dir / DERIVED_DIR
    written = []
    with index.reader() as reader, applied(built_rules(index_dir)):
        segments = _segments(reader)
        stems: Callable[[str], str | None] | None = None
        for leaf, segment_id in segments:
            if segment_id not in wanted:
                continue
            if stems is None and leaf.doc_count_all() >= KNOWN_STEMS_FROM:
                stems = _known_stems(root, segments)
            target = root / segment_id
            shutil.rmtree(target, ignore_errors=True)  # stale: another analysis or format
            save(derive(leaf, stems or stem_of), target)
            written.append(segment_id)
    return written


def _derive_apart(index_dir: Path, name: str, wanted: list[str], procs: int) -> list[str]:
    """`_derive_segments`, one segment per process, `procs` at a time. A process that dies
    (the OOM killer) only costs time: what it did not write is derived here afterwards."""
    written: list[str] = []
    context = multiprocessing.get_context("fork")  # the lexicon, loaded, is shared
    workers = min(procs, len(wanted))
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_name_worker) as pool:
        jobs = [pool.submit(_derive_in_child, index_dir, name, one) for one in wanted]
        for job in jobs:
            with contextlib.suppress(BrokenProcessPool):
                written += job.result()  # an OSError (a full disk) is raised here
    rest = [segment_id for segment_id in wanted if segment_id not in written]
    if rest:
        written += _derive_segments(index_dir, open_dir(str(index_dir), name), rest)
    return written


DERIVING_PROCESS = b"fahras-derive"  # its name in ps and /proc/PID/comm
_PR_SET_NAME = 15


def _name_worker() -> None:
    """Tell deriving processes apart from Whoosh's writer processes (same command line)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_NAME, DERIVING_PROCESS)


def _derive_in_child(index_dir: Path, name: str, segment_id: str) -> list[str]:
    return _derive_segments(index_dir, open_dir(str(index_dir), name), [segment_id])


_Segments = list[tuple[IndexReader, str]]  # leaf readers and their segment ids


def _segments(reader: IndexReader) -> _Segments:
    found = []
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is not None:
            found.append((leaf, segment.segment_id()))
    return found


def _known_stems(root: Path, segments: _Segments) -> Callable[[str], str | None]:
    """`stem_of`, answered from the stems already derived where it can: a merged segment's
    terms are mostly known, and reading a table is ten times faster than stemming."""
    known: dict[str, str] = {}
    for leaf, segment_id in segments:
        data = load(root / segment_id, leaf.doc_count_all())
        tables = [t for n, t in data.tables.items() if n.startswith("stems_")] if data else []
        for table in tables:
            for entry in table.all():
                stemmed, _, term = entry.partition(KEY_END)
                known[term] = stemmed

    def stem(term: str) -> str | None:
        found = known.get(term)
        return found if found is not None else stem_of(term)

    return stem


# --- a generation: its segments' data combined ---------------------------------------------


class GenerationData:
    """The derived data of one generation: its segments' data at their docnum offsets, with the
    generation's deletions applied. Read-only once built, so threads share it freely."""

    def __init__(self, parts: list[tuple[SegmentData, int, frozenset[int]]], size: int) -> None:
        self.parts = parts
        self.size = size
        self.live = np.ones(size, dtype=bool)
        for _, offset, deleted in parts:
            if deleted:
                self.live[np.fromiter(deleted, dtype=np.int64) + offset] = False
        self.dates = self._concat("dates", np.int64, NO_DATE)
        self._lengths: dict[str, np.ndarray] = {}
        self._counts = [_live_counts(data, deleted) for data, _, deleted in parts]
        self._stem_forms: dict[tuple[str, str], list[str]] = {}
        self._by_offset = {offset: data for data, offset, _ in parts}

    def _concat(self, name: str, dtype: type, missing: object) -> np.ndarray:
        """One array over the generation; a segment without it (a field added to the
        settings after the segment was written) contributes `missing`."""
        if len(self.parts) == 1 and self.parts[0][0].doc_count == self.size:
            found = self.parts[0][0].arrays.get(name)
            if found is not None:
                return found  # the mapped array itself: shared pages
        combined = np.full(self.size, missing, dtype=dtype)
        for data, offset, _ in self.parts:
            if name in data.arrays:
                combined[offset : offset + data.doc_count] = data.arrays[name]
        return combined

    def lengths(self, name: str) -> np.ndarray:
        found = self._lengths.get(name)
        if found is None:  # built once per field; a race builds the same array twice
            found = self._lengths[name] = self._concat(f"length_{name}", np.float32, 0)
        return found

    def facet(self, name: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """A facet's values and its (docnum, value id) pairs over the whole generation."""
        ids: dict[str, int] = {}
        docs, values = [], []
        for data, offset, _ in self.parts:
            if f"facet_{name}_values" not in data.tables:  # a facet added after this segment
                continue
            names = list(data.tables[f"facet_{name}_values"])
            remap = np.array([ids.setdefault(v, len(ids)) for v in names], dtype=np.int64)
            docs.append(data.arrays[f"facet_{name}_doc"].astype(np.int64) + offset)
            values.append(remap[data.arrays[f"facet_{name}_value"]])
        if not docs:
            return [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return list(ids), np.concatenate(docs), np.concatenate(values)

    def decoded(self, offset: int, name: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums, frequencies) of `term` in `name` of the segment at docnum `offset`, as
        decoded at commit (search/derived.py: _decode_postings); None if not."""
        data = self._by_offset.get(offset)
        return data.decoded(name, term) if data is not None else None

    def stem_forms(self, name: str, stemmed: str) -> list[str]:
        """The indexed forms of `name` whose stem is `stemmed`, in any segment; remembered,
        since every search asks for its words' forms (scoring, proximity, highlighting) and
        the tables answer by bisection in Python."""
        key = (name, stemmed)
        found = self._stem_forms.get(key)
        if found is None:
            if len(self._stem_forms) >= STEM_FORMS_KEPT:
                self._stem_forms.clear()
            found = self._stem_forms[key] = self._find_stem_forms(name, stemmed)
        return found

    def _find_stem_forms(self, name: str, stemmed: str) -> list[str]:
        forms: dict[str, None] = {}
        prefix = stemmed + KEY_END
        for data, _, _ in self.parts:
            table = data.tables.get(f"stems_{name}")
            if table is None:
                continue
            start, end = table.prefix_range(prefix)
            for position in range(start, end):
                forms[table[position][len(prefix) :]] = None
        return list(forms)

    def words(self, names: tuple[str, ...]) -> "Words":
        """The terms of the fields `names`: the speller's vocabulary."""
        return Words([_hashes(data, name) for data, _, _ in self.parts for name in names])

    def complete(self, wanted: str, limit: int) -> list[str]:
        """The most frequent title keys starting with `wanted`, each in its most common
        written form; a two-word key needs two titles. Exact with one segment; with several,
        each segment's best keys are the candidates, then counted in every segment."""
        candidates: dict[str, None] = {}
        for (data, _, _), counts in zip(self.parts, self._counts, strict=True):
            table = data.tables["complete_entries"]
            start, end = table.prefix_range(wanted)
            if start == end:
                continue
            keys = data.arrays["complete_key"][start:end]
            totals = np.bincount(keys - keys[0], weights=counts[start:end])
            order = np.argsort(-totals, kind="stable")[: limit * COMPLETION_CANDIDATES]
            for number in order[totals[order] > 0].tolist():
                first = int(data.arrays["complete_key_first"][keys[0] + number])
                candidates[table[first].partition(KEY_END)[0]] = None
        weighed = []
        for key in candidates:
            forms = self._forms(key)
            total = forms.total()
            if total >= (2 if " " in key else 1):
                weighed.append((-total, key, forms.most_common(1)[0][0]))
        return [written for _, _, written in sorted(weighed)[:limit]]

    def _forms(self, key: str) -> Counter[str]:
        """How often each written form of `key` occurs in live titles."""
        forms: Counter[str] = Counter()
        prefix = key + KEY_END
        for (data, _, _), counts in zip(self.parts, self._counts, strict=True):
            table = data.tables["complete_entries"]
            start, end = table.prefix_range(prefix)
            for position in range(start, end):
                if counts[position] > 0:
                    forms[table[position][len(prefix) :]] += int(counts[position])
        return forms


def term_hashes(terms: Iterable[str]) -> np.ndarray:
    """The CRC-32 of each term: the speller's vocabulary is kept as these, sorted."""
    return np.fromiter((zlib.crc32(term.encode("utf-8")) for term in terms), dtype=np.uint32)


def _hashes(data: SegmentData, name: str) -> np.ndarray:
    """A segment's sorted term hashes of `name`: mapped, or (data derived before they were)
    computed from its term table once."""
    found = data.arrays.get(f"hashes_{name}")
    if found is None:
        table = data.tables.get(f"terms_{name}")
        found = np.unique(term_hashes(table.all() if table is not None else []))
        data.arrays[f"hashes_{name}"] = found
    return found


class Words:
    """Which words the index holds, by their hashes in each segment's sorted arrays (mapped
    and shared by every worker, nothing built per process). Two words may share a hash (one
    in four billion a segment): the speller then weighs a word the index lacks, which its
    document frequency, read from the index itself, turns down."""

    def __init__(self, hashes: list[np.ndarray]) -> None:
        self.hashes = hashes

    def having(self, words: Collection[str]) -> list[str]:
        """Those of `words` the index holds, in their order."""
        words = list(words)
        wanted = term_hashes(words)
        found = np.zeros(len(words), dtype=bool)
        for hashes in self.hashes:
            found |= contains(hashes, wanted)
        return list(compress(words, found))


def _live_counts(data: SegmentData, deleted: frozenset[int]) -> np.ndarray:
    """Completion counts without the titles of deleted documents."""
    counts = data.arrays["complete_count"]
    if not deleted:
        return counts
    starts = data.arrays["complete_doc_start"]
    owner = np.repeat(np.arange(data.doc_count), np.diff(starts))
    gone = np.zeros(data.doc_count, dtype=bool)
    gone[np.fromiter(deleted, dtype=np.int64)] = True
    dropped = data.arrays["complete_doc_entries"][gone[owner]]
    return counts - np.bincount(dropped, minlength=counts.size).astype(counts.dtype)


def built_rules(index_dir: Path) -> AnalysisRules:
    """The analysis rules the index was built with (its settings: search/rules.py)."""
    built = read_meta(Path(index_dir)).get("settings")
    rules = AnalysisRules.from_dict(built.get("analysis", {})) if isinstance(built, dict) else None
    return rules or NO_RULES


def open_generation(index_dir: Path, reader: IndexReader) -> tuple[GenerationData, list[str]]:
    """The derived data of `reader`'s generation, and the segments that had to be derived here
    (no files yet: an index from before derived data, or a writer that has not written them)."""
    parts = []
    derived_here = []
    for leaf, offset in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:
            continue
        segment_id = segment.segment_id()
        data = load(segment_dir(index_dir, segment_id), leaf.doc_count_all())
        if data is None:  # decoding the postings would only slow this open down
            data = derive(leaf, decode=False)
            derived_here.append(segment_id)
        data.segment_id = segment_id
        parts.append((data, offset, frozenset(segment.deleted_docs())))
    return GenerationData(parts, reader.doc_count_all()), derived_here


def missing_segments(index_dir: Path, index: Index) -> list[str]:
    """Segments of the newest generation without derived files (cheap: the TOC and a stat
    per segment), e.g. while their writer is still writing them."""
    return [
        segment_id
        for segment in index._read_toc().segments
        if not (segment_dir(index_dir, segment_id := segment.segment_id()) / _META).exists()
    ]
