"""Read files into raw records: pick the reader by format, and chain discovery with reading."""

from collections.abc import Iterator, Sequence
from pathlib import Path

from .csvfile import read_csv
from .discover import find_files
from .formats import describe_supported, format_of
from .jsonfile import read_json
from .jsonl import read_jsonl
from .records import LoadOptions, LoadProblem, RawRecord
from .textfile import read_txt


def read_file(
    path: Path, options: LoadOptions, root: Path | None = None
) -> Iterator[RawRecord | LoadProblem]:
    """Records of one file, with problems in between; never raises for bad content.

    `root` is the source folder the file was found under, used by category_from_dir.
    """
    match format_of(path):
        case "jsonl":
            yield from read_jsonl(path, options)
        case "json":
            yield from read_json(path, options)
        case "csv" | "tsv" as kind:
            yield from read_csv(path, options, tsv=kind == "tsv")
        case "txt":
            yield from read_txt(path, options, root)
        case _:
            reason = f"unsupported file type (expected {describe_supported()})"
            yield LoadProblem(str(path), None, reason)


def iter_records(
    sources: Sequence[str | Path], options: LoadOptions | None = None
) -> Iterator[RawRecord | LoadProblem]:
    """Discovery problems first, then every file's records and problems, in discovery order."""
    options = options or LoadOptions()
    found, problems = find_files(sources)
    yield from problems
    for item in found:
        yield from read_file(item.path, options, item.root)
