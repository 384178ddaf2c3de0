"""Turn the sources a user names (files and folders) into a deterministic list of files."""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from .formats import describe_supported, format_of
from .records import LoadProblem


@dataclass(frozen=True, slots=True)
class Found:
    """A file to read and the source folder it was found under (None if named directly)."""

    path: Path
    root: Path | None


def discover(sources: Sequence[str | Path]) -> tuple[list[Path], list[LoadProblem]]:
    """Files to read, in order, and problems met on the way; SourceError if one is missing."""
    found, problems = find_files(sources)
    return [item.path for item in found], problems


def find_files(sources: Sequence[str | Path]) -> tuple[list[Found], list[LoadProblem]]:
    """Like discover(), keeping each file's root for category_from_dir.

    Folders are walked depth-first in name order, skipping hidden entries and unsupported
    extensions; symlinks are followed, but a folder or file is read once (by real path), which
    also stops symlink loops. Every missing source is named before anything is read.
    """
    paths = [Path(source) for source in sources]
    missing = [str(path) for path in paths if not (path.exists() or path.is_symlink())]
    if missing:
        raise SourceError(f"source not found: {', '.join(missing)} (check the path and try again)")
    walk = _Walk()
    for path in paths:
        if path.is_dir():
            walk.folder(path)
        elif path.exists() and not path.is_file():  # reading a FIFO would block forever
            reason = "not a regular file (a FIFO, socket or device), skipped"
            walk.problems.append(LoadProblem(str(path), None, reason))
        elif format_of(path) is None:
            reason = f"unsupported file type (expected {describe_supported()})"
            walk.problems.append(LoadProblem(str(path), None, reason))
        else:
            walk.file(path, None)
    return walk.found, walk.problems


class _Walk:
    """State shared by all sources, so a file or folder named twice is read once."""

    def __init__(self) -> None:
        self.found: list[Found] = []
        self.problems: list[LoadProblem] = []
        self._files: set[str] = set()
        self._folders: set[str] = set()

    def file(self, path: Path, root: Path | None) -> None:
        real = os.path.realpath(path)
        if real not in self._files:
            self._files.add(real)
            self.found.append(Found(path, root))

    def folder(self, root: Path) -> None:
        """Walk in path order; explicit stack so deep trees cannot hit the recursion limit."""
        stack: list[tuple[Path, bool]] = [(root, True)]
        while stack:
            path, is_folder = stack.pop()
            if not is_folder:
                self.file(path, root)
                continue
            children = []
            for entry in self._enter(path):
                kind = _kind(entry)
                child = path / entry.name
                if kind == "folder" or (kind == "file" and format_of(child) is not None):
                    children.append((child, kind == "folder"))
            stack.extend(reversed(children))

    def _enter(self, folder: Path) -> list[os.DirEntry[str]]:
        """Sorted visible entries of a folder not seen before; problems for loops and errors."""
        real = os.path.realpath(folder)
        if real in self._folders:
            parent = os.path.realpath(folder.parent)
            looped = parent == real or parent.startswith(real + os.sep)
            reason = "symlink loop" if looped else "folder already read"
            self.problems.append(LoadProblem(str(folder), None, f"{reason} ({real}), skipped"))
            return []
        self._folders.add(real)
        try:
            with os.scandir(folder) as scan:
                return sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            self.problems.append(
                LoadProblem(str(folder), None, f"cannot list folder: {exc.strerror or exc}")
            )
            return []


def _kind(entry: os.DirEntry[str]) -> str | None:
    """Classify an entry as "folder", "file" or None (sockets, FIFOs).

    Links that cannot be followed count as files, so that reading them reports why.
    """
    try:
        if entry.is_dir():
            return "folder"
        if entry.is_file():
            return "file"
    except OSError:  # e.g. a symlink pointing to itself
        return "file"
    return "file" if entry.is_symlink() and not os.path.exists(entry.path) else None
