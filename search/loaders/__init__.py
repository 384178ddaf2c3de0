"""Loaders: turn source files (JSONL, JSON, CSV/TSV, text; optionally gzip'd) into raw records.

Bad content never raises: each problem is yielded as a LoadProblem and reading goes on, so one
broken line cannot stop an indexing run. Deriving ids, dates and hashes happens elsewhere.
"""

from .discover import discover
from .reading import iter_records, read_file
from .records import LoadOptions, LoadProblem, RawRecord

__all__ = ["LoadOptions", "LoadProblem", "RawRecord", "discover", "iter_records", "read_file"]
