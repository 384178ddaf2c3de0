"""A damaged index (issue 16 §3): one line naming the file and the remedy, `fahras check`.

Each test damages a copy of the sample index the way a failing disk or a careless copy does
(a file cut in half, emptied, or overwritten in its middle) and runs the real command.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE

from search.check import check_index
from search.engine import SearchEngine, SearchRequest


def damage(index_dir: Path, suffix: str, how: str) -> Path:
    """Damage the index file whose name ends with `suffix`; its path."""
    (path,) = [p for p in index_dir.iterdir() if p.name.endswith(suffix)]
    data = path.read_bytes()
    if how == "cut":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    else:  # overwrite 2,000 bytes a quarter of the way in
        start = len(data) // 4
        path.write_bytes(data[:start] + bytes(range(256)) * 8 + data[start + 2048 :])
    return path


@pytest.fixture
def index_copy(sample_index: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ix"
    shutil.copytree(sample_index, copy)
    return copy


def run(*args: object) -> tuple[int, str, str]:
    """The real command in a process of its own, as a user runs it."""
    command = [sys.executable, "-m", "search.cli", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def assert_one_line_naming(err: str, index_dir: Path, path: Path) -> None:
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith(f"fahras: error: the index in {index_dir} is damaged ({path}: ")
    assert "restore it from a snapshot" in err and f"--index {index_dir} --rebuild" in err


COMMANDS = {
    "search": ("search", "الكتاب"),
    "stats": ("stats",),
    "index": ("index", SAMPLE),
}


@pytest.mark.parametrize(
    ("suffix", "how", "command"),
    [
        (".pst", "cut", "search"),
        (".pst", "empty", "search"),
        ("._stored.col", "empty", "search"),
        ("._stored.col", "cut", "search"),
        (".trm", "cut", "stats"),
        (".trm", "cut", "index"),
        (".id.col", "cut", "index"),
        (".toc", "cut", "search"),
        (".toc", "empty", "index"),
    ],
)
def test_a_damaged_file_is_one_line_naming_it(
    index_copy: Path, suffix: str, how: str, command: str
) -> None:
    path = damage(index_copy, suffix, how)
    status, _, err = run(*COMMANDS[command], "--index", index_copy)
    assert status == 1
    assert_one_line_naming(err, index_copy, path)


def test_check_says_ok_on_a_sound_index(sample_index: Path) -> None:
    status, out, err = run("check", "--index", sample_index)
    assert (status, err) == (0, "")
    assert out.startswith(f"OK: {sample_index}, generation ") and "60 documents" in out
    report = check_index(sample_index)
    assert report.ok and report.documents == 60 and report.postings > report.terms > 1000


@pytest.mark.parametrize(
    ("suffix", "how"),
    [
        (".pst", "cut"),
        (".pst", "overwrite"),  # no search of the sample trips on it; reading every posting does
        ("._stored.col", "overwrite"),
        (".trm", "empty"),
        (".id.col", "cut"),
        (".date.col", "cut"),
        (".toc", "overwrite"),
    ],
)
def test_check_names_the_damaged_file(index_copy: Path, suffix: str, how: str) -> None:
    path = damage(index_copy, suffix, how)
    status, out, err = run("check", "--index", index_copy)
    assert status == 1 and out == ""
    assert err.splitlines()[0].startswith(f"damaged: {path}: ")
    assert_one_line_naming(err.splitlines()[-1] + "\n", index_copy, path)


@pytest.mark.parametrize(("suffix", "how"), [(".toc", "cut"), (".pst", "cut")])
def test_a_rebuild_repairs_a_damaged_index(index_copy: Path, suffix: str, how: str) -> None:
    damage(index_copy, suffix, how)
    status, _, err = run("index", SAMPLE, "--index", index_copy, "--rebuild")
    assert status == 0, err
    assert check_index(index_copy).ok
    engine = SearchEngine(index_copy)
    try:
        assert engine.search(SearchRequest(q="")).total == 60
        assert engine.search(SearchRequest(q="الكتاب")).total > 0
    finally:
        engine.close()


class _ClosedPipe:
    """stdout after `| head` has exited: every write fails."""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def close(self) -> None:
        pass


def test_a_closed_pipe_is_not_taken_for_damage(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fahras search … | head` ends at once: no damage check reads the whole index (at 300,000
    documents that took 88 s, for an index that is sound)."""
    from search import check
    from search.cli import main

    checked: list[Path] = []
    monkeypatch.setattr(check, "check_index", lambda index_dir, **_: checked.append(index_dir))
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    monkeypatch.setattr(sys, "stderr", _ClosedPipe())
    assert main(["search", "كتاب", "--index", str(sample_index)]) == 0
    assert checked == []
