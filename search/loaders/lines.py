"""Decoded lines of a file, read in bounded pieces: a huge line or gzip bomb cannot exhaust memory.

Every failure becomes a LoadProblem in the stream: a bad line is skipped, a broken file ends early.
"""

import gzip
import io
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import AnyStr

from .encoding import HEAD_BYTES, choose_encoding, is_wide
from .opening import DecompressionLimitError, format_size, open_stream
from .records import LoadOptions, LoadProblem

_BOM = "\ufeff"
_SKIP_PIECE = 2**20


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text, with its line ending; `size` is its length in (decompressed) bytes."""

    number: int
    text: str
    size: int


def read_lines(path: Path, options: LoadOptions) -> Iterator[Line | LoadProblem]:
    """Lines of `path` (1-based), with problems in place of lines that cannot be used."""
    origin = str(path)
    try:
        stream = open_stream(path, options.max_decompressed_bytes)
    except OSError as exc:
        yield LoadProblem(origin, None, f"cannot open: {exc.strerror or exc}")
        return
    number = 0
    with stream:
        try:
            try:
                encoding = choose_encoding(stream.peek(HEAD_BYTES)[:HEAD_BYTES], options.encoding)
            except LookupError:
                yield LoadProblem(origin, None, f"unknown encoding {options.encoding!r}")
                return
            if encoding is None:
                yield LoadProblem(origin, None, "binary file, not text")
                return
            limit = options.max_record_bytes
            for number, piece in enumerate(_pieces(stream, encoding, limit), start=1):
                yield _line(origin, number, piece, encoding, limit)
        except DecompressionLimitError as exc:
            yield LoadProblem(origin, number + 1, str(exc))
        except UnicodeDecodeError as exc:  # only from UTF-16/32, which cannot resync
            yield LoadProblem(
                origin, number + 1, f"invalid {exc.encoding} text; rest of file skipped"
            )
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield LoadProblem(origin, number + 1, f"gzip data truncated or corrupt ({exc})")
        except OSError as exc:
            yield LoadProblem(origin, number + 1, f"read failed ({exc.strerror or exc})")


def read_text(path: Path, options: LoadOptions) -> Generator[LoadProblem, None, list[str] | None]:
    """Yield problems; return the lines (without endings) of a whole-file record, or None.

    Use as `lines = yield from read_text(...)`. A line that could not be read becomes "" so
    later line numbers stay right; a file over max_record_bytes is refused as a whole.
    """
    origin, limit = str(path), options.max_record_bytes
    lines: list[str] = []
    total = 0
    with closing(read_lines(path, options)) as items:
        for item in items:
            if isinstance(item, Line):
                total += item.size
                too_large = total > limit
            else:
                too_large = item == _too_long(origin, item.line, limit)
            if too_large:
                yield LoadProblem(origin, None, f"file larger than {format_size(limit)}")
                return None
            if isinstance(item, Line):
                lines.append(item.text.rstrip("\r\n"))
                continue
            yield item
            if item.line is None:
                return None
            lines.append("")
    return lines


def _pieces(stream: io.BufferedReader, encoding: str, limit: int) -> Iterator[bytes | str | None]:
    if not is_wide(encoding):
        yield from _bounded(stream.readline, limit, b"\n")
        return
    with io.TextIOWrapper(stream, encoding=encoding, newline="\n") as text:
        yield from _bounded(text.readline, limit // 2, "\n")


def _bounded(
    readline: Callable[[int], AnyStr], limit: int, newline: AnyStr
) -> Iterator[AnyStr | None]:
    """Each line, or None for one longer than `limit`, which is skipped piece by piece."""
    while piece := readline(limit + 1):
        if piece.endswith(newline) or len(piece) <= limit:
            yield piece
            continue
        while piece and not piece.endswith(newline):
            piece = readline(_SKIP_PIECE)
        yield None


def _line(
    origin: str, number: int, piece: bytes | str | None, encoding: str, limit: int
) -> Line | LoadProblem:
    if piece is None:
        return _too_long(origin, number, limit)
    if isinstance(piece, str):
        return Line(number, piece.removeprefix(_BOM), 2 * len(piece))
    try:
        text = piece.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8" else encoding
        return LoadProblem(origin, number, f"invalid {name} (byte {exc.start + 1})")
    return Line(number, text.removeprefix(_BOM), len(piece))


def _too_long(origin: str, number: int | None, limit: int) -> LoadProblem:
    return LoadProblem(origin, number, f"line longer than {format_size(limit)}")
