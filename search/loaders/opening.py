"""Open a file as bytes, transparently decompressing gzip and capping how far it may expand."""

import gzip
import io
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
BUFFER_BYTES = 2**16


def format_size(size: int) -> str:
    """Render a byte limit the way users set it ("16 MB"), falling back to exact bytes."""
    for unit, name in ((2**30, "GB"), (2**20, "MB"), (2**10, "KB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


class DecompressionLimitError(Exception):
    """A gzip stream produced more bytes than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"gzip expands beyond {format_size(limit)}: possible zip bomb")


class _Capped(io.RawIOBase):
    """Decompressed gzip bytes, failing once past `limit` so a bomb cannot exhaust memory."""

    def __init__(self, file: BinaryIO, limit: int) -> None:
        super().__init__()
        self._file = file
        self._gzip = gzip.GzipFile(fileobj=file)
        self._limit = limit
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._gzip.readinto(buffer)
        self._left -= count
        if self._left < 0:
            raise DecompressionLimitError(self._limit)
        return count

    def close(self) -> None:
        if not self.closed:
            self._gzip.close()
            self._file.close()
        super().close()


def open_stream(path: Path, max_decompressed_bytes: int) -> io.BufferedReader:
    """Buffered bytes of `path`; gzip is recognised by its magic bytes, whatever the name says.

    The result supports peek(), which the encoding detection uses to look ahead without seeking.
    """
    file = path.open("rb", buffering=BUFFER_BYTES)
    try:
        if file.peek(len(GZIP_MAGIC))[: len(GZIP_MAGIC)] != GZIP_MAGIC:
            return file
        return io.BufferedReader(_Capped(file, max_decompressed_bytes), BUFFER_BYTES)
    except BaseException:
        file.close()
        raise
