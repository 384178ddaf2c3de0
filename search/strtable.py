"""Lists of strings as one UTF-8 blob plus offsets, so a reader maps them instead of building them.

A Python list of 200,000 terms costs every process that builds it about 20 MB and a second;
mapped from a file, the pages are shared between processes through the OS page cache and an
entry is decoded only when it is looked at. Sorted tables answer prefix ranges by bisection.
"""

import bisect
from collections.abc import Iterable, Sequence

import numpy as np

SEPARATOR = "\n"  # after every entry, so `all()` is one decode and one split
_AFTER_EVERYTHING = "\U0010ffff"


class StringTable(Sequence[str]):
    """Strings by position; `prefix_range` needs them sorted (code point order = UTF-8 order)."""

    def __init__(self, blob: bytes | memoryview, offsets: np.ndarray) -> None:
        self.blob = blob  # every entry followed by SEPARATOR, in UTF-8
        self.offsets = offsets  # where each entry starts, and the end: len(self) + 1 of them

    @classmethod
    def of(cls, strings: Iterable[str]) -> "StringTable":
        encoded = [s.encode("utf-8") + b"\n" for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        start, end = int(self.offsets[index]), int(self.offsets[index + 1]) - 1
        return str(self.blob[start:end], "utf-8")

    def all(self) -> list[str]:
        """Every entry at once (one decode): for entries without a newline of their own."""
        if not len(self):
            return []
        return str(self.blob[: int(self.offsets[-1]) - 1], "utf-8").split(SEPARATOR)

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Positions [start, end) of the entries starting with `prefix` (the table is sorted)."""
        start = bisect.bisect_left(self, prefix)
        return start, bisect.bisect_left(self, prefix + _AFTER_EVERYTHING, lo=start)
