"""File formats by name: the one place that says which extensions the loaders accept."""

from pathlib import Path

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
}


def format_of(path: Path) -> str | None:
    """Format named by the extension, looking through a trailing .gz; None if unsupported."""
    name = path.name.lower().removesuffix(".gz")
    return FORMATS.get(Path(name).suffix)


def describe_supported() -> str:
    """Extension list for error messages."""
    return " ".join(FORMATS) + " (each optionally .gz)"
