"""What the loaders hand back: raw records, problems, and the options that shape reading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as found in a file, before ids, dates or hashes are derived from it."""

    fields: dict[str, object]
    origin: str
    line: int


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Something that could not be loaded; reported instead of raised so reading can go on."""

    origin: str
    line: int | None
    reason: str

    @property
    def where(self) -> str:
        return self.origin if self.line is None else f"{self.origin}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to read sources; the defaults suit UTF-8 or Windows-1256 files of any size."""

    encoding: str | None = None
    field_map: Mapping[str, str] = field(default_factory=dict)
    category_from_dir: bool = False
    max_record_bytes: int = 16 * 2**20
    max_decompressed_bytes: int = 4 * 2**30

    def __post_init__(self) -> None:
        if self.max_record_bytes < 1 or self.max_decompressed_bytes < 1:
            raise ValueError("byte limits must be positive")
