"""Hostile files for `fahras index` (issue 6 §1): each is skipped with a reason; the run goes on.

The loaders' own tests cover each case in isolation; here one real `fahras index` run meets them
all in one folder next to good records, as an operator pointing it at a messy share would.
Unreadable files need a process that file permissions apply to: as root, the run gives up the
capabilities that let root read anything.
"""

import ctypes
import functools
import gzip
import json
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import cli
from search.loaders import LoadOptions
from search.store import open_index

PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
LONG_LINE_BYTES = 17 * 2**20  # past the 16 MB record limit


def record(doc_id: str) -> str:
    fields = {"id": doc_id, "title": f"عنوان {doc_id}", "body": "نص سليم"}
    return json.dumps(fields, ensure_ascii=False) + "\n"


def gzip_bomb(path: Path, member: bytes, copies: int) -> None:
    """`copies` gzip members of `member`: a small file that expands `copies` times as much."""
    packed = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = packed.compress(member) + packed.flush()
    with path.open("wb") as out:
        for _ in range(copies):
            out.write(data)


def messy_folder(root: Path) -> Path:
    """Good records among everything that can go wrong with a file."""
    folder = root / "share"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.jsonl").write_text(record("good-1") + record("good-2"), encoding="utf-8")
    (folder / "binary.jsonl").write_bytes(bytes(range(256)) * 64)
    with (folder / "long.jsonl").open("w", encoding="utf-8") as out:
        out.write(record("long-1"))
        out.write('{"title": "' + "ا" * (LONG_LINE_BYTES // 2) + '"}\n')
        out.write(record("long-3"))
    (folder / "bad-utf8.jsonl").write_bytes(
        record("utf8-1").encode() + b'{"title": "\xff\xfe\xc0\xaf"}\n' + record("utf8-3").encode()
    )
    gzip_bomb(folder / "bomb.jsonl.gz", b"\0" * 2**26, 72)  # 4.7 MB that expands to 4.5 GB
    (folder / "sub" / "loop").symlink_to("..")
    (folder / "sub" / "dangling.jsonl").symlink_to(folder / "missing.jsonl")
    (folder / "sub" / "deep.jsonl").write_text(record("deep-1"), encoding="utf-8")
    locked = folder / "locked.jsonl"
    locked.write_text(record("locked-1"), encoding="utf-8")
    locked.chmod(0)
    closed = folder / "closed"
    closed.mkdir()
    (closed / "inside.jsonl").write_text(record("closed-1"), encoding="utf-8")
    closed.chmod(0)
    return folder


@pytest.fixture
def share(tmp_path: Path) -> Iterator[Path]:
    """The messy folder; what it locks is unlocked afterwards, so it can be deleted."""
    folder = messy_folder(tmp_path)
    yield folder
    for path in (folder / "locked.jsonl", folder / "closed"):
        path.chmod(0o755)


def file_permissions_apply() -> None:
    """Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set before exec, so even
    root gets "Permission denied" (a no-op for other users, who never had them)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)


def test_fahras_index_skips_every_hostile_file_with_a_reason(share: Path) -> None:
    folder, index_dir = share, share.parent / "index"
    run = subprocess.run(
        [sys.executable, "-m", "search.cli", "index", str(folder), "--index", str(index_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=file_permissions_apply,
    )
    assert run.returncode == 0, run.stderr
    problems = run.stderr
    assert "Traceback" not in problems
    expected = {
        "binary.jsonl": "binary file, not text",
        "long.jsonl:2": "line longer than 16 MB",
        "bad-utf8.jsonl:2": "invalid UTF-8 (byte 12)",
        "bomb.jsonl.gz": "binary file, not text",
        "sub/loop": "symlink loop",
        "sub/dangling.jsonl": "cannot open: No such file or directory",
        "locked.jsonl": "cannot open: Permission denied",
        "closed": "cannot list folder: Permission denied",
    }
    for where, reason in expected.items():
        assert f"{folder}/{where}: {reason}" in problems, (where, problems)
    with open_index(index_dir).searcher() as searcher:
        ids = {fields["id"] for fields in searcher.all_stored_fields()}
    assert ids == {"good-1", "good-2", "long-1", "long-3", "utf8-1", "utf8-3", "deep-1"}
    assert "skipped 8" in run.stdout


def test_a_text_gzip_bomb_stops_at_the_decompression_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text that expands without end (no NUL to give it away) is cut at the limit.

    The limit is lowered from 4 GB to 64 MB so the test does not decompress 4 GB.
    """
    limit = 64 * 2**20
    monkeypatch.setattr(
        "search.loaders.LoadOptions",
        functools.partial(LoadOptions, max_decompressed_bytes=limit),
    )
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb") as out:
        out.write(record("before").encode())
    gzip_bomb(tmp_path / "tail.gz", b" " * 2**24, 8)  # 128 MB of spaces, no line break
    bomb.write_bytes(bomb.read_bytes() + (tmp_path / "tail.gz").read_bytes())
    good = tmp_path / "good.jsonl"
    good.write_text(record("after"), encoding="utf-8")

    status = cli.main(["index", str(bomb), str(good), "--index", str(tmp_path / "ix")])

    assert status == 0
    assert f"{bomb}:2: gzip expands beyond 64 MB: possible zip bomb" in capsys.readouterr().err
    assert open_index(tmp_path / "ix").doc_count() == 2
