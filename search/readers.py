"""Readers that hold every file of their generation from the moment they are opened.

Whoosh opens a segment's terms and postings when a reader is made, but its columns (stored
fields, field lengths, facet columns) on first use. A commit that merges segments deletes the
old segments' files at once, so a reader opened just before it found no stored fields on its
first hit (a TypeError: a failed page) and no field lengths (BM25 as if every document were
empty). Open files stay readable after they are deleted: `hold_files` opens them all up front,
and `open_searcher` retries until no commit landed before they were held.
"""

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, _lenfield
from whoosh.index import Index
from whoosh.reading import IndexReader
from whoosh.searching import Searcher


def open_searcher(index: Index) -> Searcher:
    """A searcher of the latest generation with every file of it held open."""
    while True:
        searcher = index.searcher()
        generation = searcher.reader().generation()
        hold_files(searcher.reader())
        # No commit could delete a file yet (an empty index has no files, nor a generation).
        if generation is None or index.latest_generation() == generation:
            return searcher
        searcher.close()


def hold_files(reader: IndexReader) -> None:
    """Open every column file of every segment of `reader` now, not on first use."""
    for leaf, _ in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None:  # an empty index
            continue
        perdoc._cached_reader("_stored", STORED_COLUMN)
        for name, field in leaf.schema.items():
            if field.scorable:
                perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            if field.column_type is not None and perdoc.has_column(name):
                perdoc.column_reader(name, field.column_type)
