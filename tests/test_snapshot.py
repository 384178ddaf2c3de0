"""Snapshots and restores (issue 14 §1): consistent copies taken while indexing commits."""

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE, build_index, write_jsonl

from search import snapshot as snapshot_module
from search.cli import main
from search.engine import SearchEngine, SearchRequest, SearchResult
from search.readers import open_searcher
from search.snapshot import SnapshotError, restore_snapshot, take_snapshot
from search.store import LOCK_FILE, create_or_open

QUERIES = ("الاقتصاد", "كرة القدم", "النفط", "الانتخابات", "لبنان OR سوريا", "الرئيس الأمريكي")
BATCH = 100  # --commit-every of the indexing run the snapshots race with
COPIES = 3  # snapshots checked during that run


def answers(engine: SearchEngine) -> dict[str, object]:
    """Ids and scores of the first 20 hits, and totals, for each query; the facet counts."""
    found: dict[str, object] = {"documents": engine.doc_count()}
    for query in QUERIES:
        result = search_in_time(engine, SearchRequest(q=query, per_page=20))
        found[query] = (result.total, [(hit.id, hit.score) for hit in result.hits])
    newest = search_in_time(engine, SearchRequest(q="", sort="newest", per_page=20))
    found["newest"] = [hit.id for hit in newest.hits]
    found["facets"] = {
        name: [(v.value, v.count) for v in c.values] for name, c in newest.facets.items()
    }
    return found


def search_in_time(engine: SearchEngine, request: SearchRequest) -> SearchResult:
    """The search's full answer: on a busy machine the first search of a generation (its term
    lists read cold) may use up the time limit and say so; the next one has them in memory."""
    for _ in range(5):
        result = engine.search(request)
        if not any(notice.code == "search_timeout" for notice in result.notices):
            return result
    raise AssertionError(f"{request.q!r} timed out five times in a row")


def fahras(*args: object) -> list[str]:
    return [sys.executable, "-m", "search.cli", *map(str, args)]


def test_snapshots_taken_while_batches_commit_answer_as_the_generation_they_copied(
    tmp_path: Path, ant_slice: Path
) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    copied: dict[int, Path] = {}
    names = (tmp_path / f"snap{n}" for n in itertools.count())
    with subprocess.Popen(
        fahras("index", ant_slice, "--index", index_dir, "--commit-every", BATCH),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as indexer:
        try:
            while indexer.poll() is None and len(copied) < COPIES:
                pinned = SearchEngine(index_dir, reopen="never")  # the generation to copy
                try:
                    generation = pinned.generation()
                    info = take_snapshot(index_dir, next(names))  # while the indexer commits
                    if info.generation != generation:
                        continue  # a commit came first: try again
                    expected = answers(pinned)  # files of its generation may be gone by now
                finally:
                    pinned.close()
                copy = SearchEngine(info.path)
                try:
                    assert copy.generation() == info.generation
                    assert answers(copy) == expected
                finally:
                    copy.close()
                copied[info.generation] = info.path
        except BaseException:
            indexer.kill()
            raise
        assert indexer.wait(timeout=300) == 0
    final = SearchEngine(index_dir)
    try:
        last_generation, documents = final.generation(), final.doc_count()
    finally:
        final.close()
    taken_during_the_run = [g for g in copied if g < last_generation]
    assert len(taken_during_the_run) == COPIES, (copied, last_generation)
    assert documents > 1000
    assert not (copied[max(copied)] / LOCK_FILE).exists()


def test_an_engine_keeps_answering_after_a_commit_deleted_its_files(
    tmp_path: Path, ant_index: Path
) -> None:
    """Whoosh opens stored fields and lengths on first use: the engine holds them at once."""
    index_dir = take_snapshot(ant_index, tmp_path / "ix").path
    before = take_snapshot(index_dir, tmp_path / "before")
    pinned = SearchEngine(index_dir, reopen="never")
    try:
        pinned.generation()  # opened, nothing searched yet
        build_index([SAMPLE], index_dir, rebuild=True)  # every file of that generation deleted
        assert not (index_dir / f"_MAIN_{before.generation}.toc").exists()
        reference = SearchEngine(before.path)
        try:
            assert answers(pinned) == answers(reference)
        finally:
            reference.close()
    finally:
        pinned.close()


def test_a_commit_during_the_copy_makes_it_start_again_on_the_new_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "x1", "title": "خبر", "body": "نص"}])
    transfer = snapshot_module._transfer
    calls = []

    def commit_first(*args: object, **kwargs: object) -> int:
        if not calls:  # every segment of the generation being copied is replaced and deleted
            build_index([other], index_dir, rebuild=True)
        calls.append(args)
        return transfer(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot_module, "_transfer", commit_first)
    info = take_snapshot(index_dir, tmp_path / "snap")
    assert len(calls) == 2
    assert info.documents == 1
    engine = SearchEngine(info.path)
    try:
        assert [hit.id for hit in engine.search(SearchRequest(q="خبر")).hits] == ["x1"]
    finally:
        engine.close()


def test_a_snapshot_is_hard_linked_on_one_file_system_or_copied(
    sample_index: Path, tmp_path: Path
) -> None:
    linked = take_snapshot(sample_index, tmp_path / "linked")
    copied = take_snapshot(sample_index, tmp_path / "copied", link=False)
    assert linked.linked == linked.files and linked.copied == 0
    assert copied.linked == 0 and copied.copied == copied.files
    segment = next(linked.path.glob("MAIN_*.trm"))
    assert segment.stat().st_ino == (sample_index / segment.name).stat().st_ino
    assert segment.stat().st_ino != (copied.path / segment.name).stat().st_ino
    assert {p.name for p in linked.path.iterdir()} == {p.name for p in copied.path.iterdir()}
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no partial copy left
    meta = json.loads((linked.path / "fahras.json").read_text("utf-8"))
    assert meta["snapshot"]["generation"] == linked.generation


def test_restore_into_a_served_index_switches_it_and_keeps_its_own_files(
    tmp_path: Path, ant_index: Path
) -> None:
    served = tmp_path / "served"
    build_index([SAMPLE], served)
    sample_segments = segment_ids(served)
    (served / "querylog.sqlite3").write_bytes(b"this server's own log")
    first = take_snapshot(ant_index, tmp_path / "first")
    engine = SearchEngine(served)
    try:
        before = engine.generation()
        assert engine.doc_count() == 60
        info = restore_snapshot(first.path, served)
        assert info.generation > before
        reference = SearchEngine(first.path)
        try:
            assert answers(engine) == answers(reference)
        finally:
            reference.close()
    finally:
        engine.close()
    assert (served / "querylog.sqlite3").read_bytes() == b"this server's own log"
    assert [p.name for p in served.glob("_MAIN_*.toc")] == [f"_MAIN_{info.generation}.toc"]
    assert segment_ids(served) == segment_ids(first.path)  # the sample's files are gone
    assert not segment_ids(served) & sample_segments


def segment_ids(index_dir: Path) -> set[str]:
    return {p.name.split(".")[0] for p in index_dir.glob("MAIN_*.*")}


def test_restore_into_a_new_folder_keeps_the_snapshot_generation(
    tmp_path: Path, sample_index: Path
) -> None:
    snap = take_snapshot(sample_index, tmp_path / "snap")
    info = restore_snapshot(snap.path, tmp_path / "new")
    assert (info.generation, info.documents) == (snap.generation, 60)


def test_bad_destinations_are_refused_with_one_line(
    tmp_path: Path, sample_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(SnapshotError, match="already exists"):
        take_snapshot(sample_index, tmp_path / "taken")
    stuff = tmp_path / "stuff"
    stuff.mkdir()
    (stuff / "notes.txt").write_text("mine")
    with pytest.raises(SnapshotError, match="holds files but no Fahras index"):
        restore_snapshot(sample_index, stuff)
    assert [p.name for p in stuff.iterdir()] == ["notes.txt"]

    assert main(["snapshot", str(tmp_path / "taken"), "--index", str(sample_index)]) == 1
    assert main(["restore", str(tmp_path / "nothing"), "--index", str(tmp_path / "ix")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == f"fahras: error: {tmp_path / 'taken'} already exists: a snapshot goes into a new folder"
    )
    assert err[1].startswith(f"fahras: error: no index in {tmp_path / 'nothing'}")
    assert not (tmp_path / "ix").exists()


def test_cli_snapshot_and_restore(
    tmp_path: Path, sample_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "snap"
    assert main(["snapshot", str(snap), "--index", str(sample_index)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"snapshot of {sample_index}: generation ") and "60 documents" in out
    assert main(["restore", str(snap), "--index", str(tmp_path / "ix"), "--json", "--copy"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 60 and report["linked"] == 0
    assert report["copied"] == report["files"]
    assert os.path.samefile(report["path"], tmp_path / "ix")


def test_a_pinned_engine_keeps_its_generation_and_a_waiting_one_follows_commits(
    tmp_path: Path,
) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    pinned = SearchEngine(index_dir, reopen="never")
    following = SearchEngine(index_dir)
    try:
        first = (pinned.generation(), pinned.doc_count())
        assert following.generation() == first[0]
        other = write_jsonl(tmp_path / "more.jsonl", [{"id": "x1", "title": "خبر", "body": "نص"}])
        build_index([other], index_dir)
        assert (pinned.generation(), pinned.doc_count()) == first
        assert pinned.search(SearchRequest(q="خبر", per_page=100)).total < 60
        assert (following.generation(), following.doc_count()) == (first[0] + 1, 61)
    finally:
        pinned.close()
        following.close()


def test_a_snapshot_on_another_file_system_is_copied(tmp_path: Path, sample_index: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); hard links and --copy are tested")
    try:
        info = take_snapshot(sample_index, disk / "snap")
        assert (info.linked, info.copied, info.documents) == (0, info.files, 60)
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_an_index_without_documents_opens_and_snapshots(tmp_path: Path) -> None:
    index = create_or_open(tmp_path / "ix", rebuild=False)  # no segment, no generation
    searcher = open_searcher(index)
    assert searcher.doc_count() == 0
    searcher.close()
    info = take_snapshot(tmp_path / "ix", tmp_path / "snap")
    assert (info.documents, info.files) == (0, 1)
