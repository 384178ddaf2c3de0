"""Derived search data (search/derived.py): written at commit, mapped by readers, never stale."""

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import build_index, write_jsonl

import search.budget
import search.engine
import search.scorer
from search import derived, stemmer
from search.commands import delete
from search.derived import DERIVED_DIR, SegmentData, open_generation, write_derived
from search.engine import SearchEngine, SearchRequest
from search.store import open_index
from search.strtable import StringTable

QUERIES = ["الحكومة", "كرة القدم", "الانتخابات", "السعودية OR مصر", '"وزير الخارجية"', ""]


def segment_ids(index_dir: Path) -> set[str]:
    with open_index(index_dir).reader() as reader:
        return {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}


def answers(engine: SearchEngine) -> list[object]:
    """What the engine says to a few searches and completions (everything derived is used)."""
    found: list[object] = []
    for q in QUERIES:
        result = engine.search(SearchRequest(q=q, per_page=20, facet_limit=50)).as_dict()
        del result["took_ms"]
        found.append(result)
    found += [engine.suggest(p, 20) for p in ("ال", "الانتخ", "كرة ال", "وزير")]
    found.append(engine.search(SearchRequest(q="الانتخابت", typos=False)).suggestion)
    return found


def test_derived_data_is_mapped_back_as_it_was_saved(tmp_path: Path) -> None:
    words = sorted(["مدرسة", "مدرس", "مدارس", "كتاب", "a", ""])
    saved = SegmentData(3, {"dates": np.array([5, 6, 7]), "none": np.zeros(0, np.int32)})
    saved.tables = {"words": StringTable.of(words), "empty": StringTable.of([])}
    derived.save(saved, tmp_path / "segment")
    assert derived.load(tmp_path / "segment", doc_count=4) is None  # not this segment
    loaded = derived.load(tmp_path / "segment", doc_count=3)
    assert loaded is not None and loaded.arrays["dates"].tolist() == [5, 6, 7]
    assert loaded.arrays["none"].size == 0 and not loaded.arrays["dates"].flags.writeable
    table = loaded.tables["words"]
    assert list(table) == table.all() == words and table[-1] == words[-1]
    start, end = table.prefix_range("مدر")
    assert table.all()[start:end] == ["مدرس", "مدرسة"]
    assert loaded.tables["empty"].all() == [] and loaded.tables["empty"].prefix_range("x") == (0, 0)


def test_damaged_derived_data_is_derived_again(tmp_path: Path) -> None:
    derived.save(SegmentData(3, {"dates": np.array([5, 6, 7])}), tmp_path / "segment")
    (tmp_path / "segment" / "data.bin").write_bytes(b"cut")
    assert derived.load(tmp_path / "segment", doc_count=3) is None


def test_an_index_run_writes_derived_data_for_every_segment(ant_index: Path) -> None:
    written = {p.name for p in (ant_index / DERIVED_DIR).iterdir()}
    assert written == segment_ids(ant_index)


def test_a_fresh_process_maps_the_derived_files_and_derives_nothing(ant_index: Path) -> None:
    script = (
        "import sys, mmap\n"
        "from search import derived\n"
        "from search.engine import SearchEngine, SearchRequest\n"
        "calls = []\n"
        "original = derived.derive\n"
        "derived.derive = lambda *a, **k: calls.append(1) or original(*a, **k)\n"
        "engine = SearchEngine(sys.argv[1])\n"
        "assert engine.search(SearchRequest(q='الحكومة')).total > 0\n"
        "assert engine.suggest('الحك')\n"
        "with engine._reading() as (generation, _):\n"
        "    arrays = [a for d, _, _ in generation.data.parts for a in d.arrays.values()]\n"
        "    print(len(calls), generation.derived_here, all(isinstance(a.base.obj, mmap.mmap) "
        "for a in arrays if a.size))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ant_index)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "[]", "True"], (done.stdout, done.stderr)


def test_an_index_without_derived_files_answers_the_same_and_the_next_run_writes_them(
    ant_slice: Path, ant_index: Path, tmp_path: Path
) -> None:
    mapped = SearchEngine(ant_index)
    old = tmp_path / "old"
    shutil.copytree(ant_index, old)
    shutil.rmtree(old / DERIVED_DIR)  # as an index written before derived data
    computed = SearchEngine(old)
    try:
        assert answers(computed) == answers(mapped)
        assert computed._generation.derived_here  # derived in memory, not read
    finally:
        mapped.close()
        computed.close()
    report = build_index([ant_slice], old)
    assert report.changed == 0
    assert {p.name for p in (old / DERIVED_DIR).iterdir()} == segment_ids(old)


@pytest.mark.parametrize("version", ["ANALYSIS_VERSION", "STEMMING_VERSION"])
def test_derived_files_of_another_analysis_version_are_never_used(
    sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    """A new stemmer (STEMMING_VERSION) derives the stem tables again on the same index."""
    index_dir = tmp_path / "ix"
    shutil.copytree(sample_index, index_dir)
    monkeypatch.setattr(derived, version, "another")
    with open_index(index_dir).reader() as reader:
        _, derived_here = open_generation(index_dir, reader)
    assert set(derived_here) == segment_ids(index_dir)
    assert write_derived(index_dir, open_index(index_dir))  # rewritten for this version
    meta = json.loads(next((index_dir / DERIVED_DIR).glob("*/meta.json")).read_text())
    assert "another" in meta["fingerprint"]


def news(ids: range, word: str) -> list[dict[str, object]]:
    return [
        {"id": f"n{i}", "title": f"{word} مدرسة القرية {i}", "body": f"{word} خبر {i}"} for i in ids
    ]


def test_segments_combine_and_dropped_segments_lose_their_data(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", news(range(0, 6), "ملعب"))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    (first,) = segment_ids(index_dir)
    written = (index_dir / DERIVED_DIR / first / "data.bin").stat().st_mtime_ns
    write_jsonl(source, news(range(0, 6), "ملعب") + news(range(6, 12), "الملعب"))
    build_index([source], index_dir)  # a second segment; the first one's data is kept
    assert (index_dir / DERIVED_DIR / first / "data.bin").stat().st_mtime_ns == written
    engine = SearchEngine(index_dir)
    try:
        with engine._reading() as (generation, _):
            assert len(generation.data.parts) == 2 and not generation.derived_here
        assert engine.search(SearchRequest(q="ملعب")).total == 12  # stem forms of both
        assert engine.suggest("مدرسة ال") == ["مدرسة القرية"]
        assert engine.stats()["documents"] == 12
    finally:
        engine.close()
    writer = open_index(index_dir).writer()
    writer.commit(optimize=True)  # one segment replaces both
    assert write_derived(index_dir, open_index(index_dir))
    assert {p.name for p in (index_dir / DERIVED_DIR).iterdir()} == segment_ids(index_dir)


def words(completions: list[str]) -> list[str]:
    return [c for c in completions if " " not in c]


def test_completions_count_titles_across_segments_without_deleted_ones(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", news(range(0, 3), "ملعب"))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    write_jsonl(source, news(range(0, 3), "ملعب") + news(range(3, 7), "ملاعب"))
    build_index([source], index_dir)
    engine = SearchEngine(index_dir)
    try:
        assert words(engine.suggest("مل")) == ["ملاعب", "ملعب"]  # 4 titles against 3
        write_jsonl(source, news(range(0, 3), "ملعب") + news(range(3, 4), "ملاعب"))
        assert build_index([source], index_dir, prune=True).deleted == 3
        assert words(engine.suggest("مل")) == ["ملعب", "ملاعب"]  # 3 against 1 live
    finally:
        engine.close()


def test_fahras_delete_keeps_derived_data_current(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", news(range(0, 4), "ملعب"))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    args = type("Args", (), {"index": index_dir, "ids": ["n1"]})()
    assert delete(args) == 0  # type: ignore[arg-type]
    engine = SearchEngine(index_dir)
    try:
        assert engine.search(SearchRequest(q="ملعب")).total == 3
        with engine._reading() as (generation, _):
            assert not generation.derived_here
    finally:
        engine.close()


# --- generations: prompt, monotonic, no lock around a search ---------------------------------


def test_a_commit_shows_in_the_next_search_of_a_background_engine(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", news(range(0, 3), "ملعب"))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    engine = SearchEngine(index_dir, reopen="background")
    try:
        assert engine.search(SearchRequest(q="ملعب")).total == 3
        write_jsonl(source, news(range(0, 5), "ملعب"))
        build_index([source], index_dir)
        assert engine.search(SearchRequest(q="ملعب")).total == 5  # not the old generation
    finally:
        engine.close()


def test_the_folder_is_listed_only_when_it_changed_or_a_second_passed(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(search.engine, "clock", lambda: now[0])
    engine = SearchEngine(sample_index)
    engine.search(SearchRequest(q="مدرسة"))  # opening a generation lists it once (readers.py)
    listings = []
    original = engine.index.latest_generation
    monkeypatch.setattr(engine.index, "latest_generation", lambda: listings.append(1) or original())
    try:
        for _ in range(20):
            engine.search(SearchRequest(q="مدرسة"))
        assert len(listings) == 1
        now[0] += search.engine.CHECK_EVERY + 0.1
        engine.search(SearchRequest(q="مدرسة"))
        assert len(listings) == 2
    finally:
        engine.close()


def test_an_engine_never_goes_back_to_an_older_generation(sample_index: Path) -> None:
    engine = SearchEngine(sample_index)
    try:
        live = engine.generation()
        older = search.engine._Generation(engine.index, sample_index)
        older.number = live - 1
        with engine._lock:
            engine._switch(older)
        assert engine.generation() == live
    finally:
        engine.close()


def test_a_slow_search_does_not_hold_up_the_others(
    sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release = threading.Event(), threading.Event()

    class Stalling(search.engine.QueryScorer):
        def evaluate(self, parsed, deadline=None):  # type: ignore[no-untyped-def]
            if parsed.understood() == "بطيء":
                inside.set()
                release.wait(30)
            return super().evaluate(parsed, deadline)

    monkeypatch.setattr(search.engine, "QueryScorer", Stalling)
    engine = SearchEngine(sample_index)
    slow = threading.Thread(target=engine.search, args=(SearchRequest(q="بطيء"),))
    slow.start()
    try:
        assert inside.wait(30)
        answered = []
        other = threading.Thread(
            target=lambda: answered.append(engine.search(SearchRequest(q="مدرسة")).total)
        )
        other.start()
        other.join(30)
        assert answered and answered[0] > 0  # while the slow one still runs
    finally:
        release.set()
        slow.join(30)
        engine.close()


def test_concurrent_searches_give_the_answers_of_sequential_ones(ant_engine: SearchEngine) -> None:
    expected = {q: ant_engine.search(SearchRequest(q=q)).as_dict() for q in QUERIES}
    for result in expected.values():
        del result["took_ms"]
    wrong: list[str] = []

    def run(q: str) -> None:
        for _ in range(5):
            result = ant_engine.search(SearchRequest(q=q)).as_dict()
            del result["took_ms"]
            if result != expected[q]:
                wrong.append(q)

    threads = [threading.Thread(target=run, args=(q,)) for q in QUERIES * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not wrong


def test_readiness_says_when_a_generation_is_open(sample_index: Path) -> None:
    engine = SearchEngine(sample_index, reopen="background")
    try:
        assert engine.readiness() is None  # nothing opened yet: opening starts
        for _ in range(300):
            if engine.readiness() is not None:
                break
            threading.Event().wait(0.1)
        assert engine.readiness() == engine.generation()
    finally:
        engine.close()


def test_readyz_answers_once_the_worker_is_warm(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/readyz")
    assert first.status_code in (200, 503) and first.headers["Cache-Control"] == "no-store"
    for _ in range(300):
        answer = client.get("/readyz")
        if answer.status_code == 200:
            break
        threading.Event().wait(0.1)
    assert answer.get_json()["ready"] is True and answer.get_json()["generation"] >= 1


def test_readyz_says_why_without_an_index(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answer = make_app(FAHRAS_INDEX=str(tmp_path / "none")).test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["ready"] is False
    assert answer.get_json()["reason"].startswith("no index")


def test_loading_the_stemmer_counts_is_not_part_of_the_first_search_time(
    sample_engine: SearchEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr(search.budget, "clock", lambda: now[0])
    original = stemmer.read_data

    def slow_read(name: str) -> bytes:  # as on a busy machine: longer than a search may take
        now[0] += search.budget.REQUEST_BUDGET * 2
        return original(name)

    monkeypatch.setattr(stemmer, "read_data", slow_read)
    stemmer.lexicon.cache_clear()
    stemmer.stem.cache_clear()
    try:
        result = sample_engine.search(SearchRequest(q="مدرستهماتك"))  # never stemmed before
        assert result.notices == []
    finally:
        stemmer.lexicon.cache_clear()


def two_segment_index(tmp_path: Path) -> Path:
    source = write_jsonl(tmp_path / "a.jsonl", news(range(0, 6), "ملعب"))
    index_dir = tmp_path / "ix"
    build_index([source], index_dir)
    write_jsonl(source, news(range(0, 6), "ملعب") + news(range(6, 12), "الملعب"))
    build_index([source], index_dir)
    assert len(segment_ids(index_dir)) == 2
    return index_dir


def saved_bytes(index_dir: Path) -> dict[str, bytes]:
    return {p.name: (p / "data.bin").read_bytes() for p in (index_dir / DERIVED_DIR).iterdir()}


def test_segments_derived_in_several_processes_are_those_one_process_derives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = two_segment_index(tmp_path)
    expected = saved_bytes(index_dir)  # derived one after the other, in this process
    shutil.rmtree(index_dir / DERIVED_DIR)
    pids = tmp_path / "pids"
    original = derived.derive
    # both segments must be in the works at once: one process deriving both would wait forever
    together = multiprocessing.get_context("fork").Barrier(2, timeout=60)

    def noting_pid(*args: object, **kwargs: object) -> SegmentData:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        together.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(derived, "derive", noting_pid)
    assert sorted(write_derived(index_dir, open_index(index_dir), procs=2)) == sorted(expected)
    assert saved_bytes(index_dir) == expected
    derived_by = pids.read_text().split()
    assert len(set(derived_by)) == 2 and str(os.getpid()) not in derived_by


def test_a_deriving_process_that_dies_leaves_its_segment_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = two_segment_index(tmp_path)
    expected = saved_bytes(index_dir)
    shutil.rmtree(index_dir / DERIVED_DIR)
    parent, original = os.getpid(), derived.derive

    def dying_in_a_child(*args: object, **kwargs: object) -> SegmentData:
        if os.getpid() != parent:
            os._exit(9)  # as the OOM killer would end it
        return original(*args, **kwargs)

    monkeypatch.setattr(derived, "derive", dying_in_a_child)
    assert sorted(write_derived(index_dir, open_index(index_dir), procs=2)) == sorted(expected)
    assert saved_bytes(index_dir) == expected


def test_common_terms_are_decoded_at_commit_as_whoosh_holds_them(ant_index: Path) -> None:
    """A term in DECODED_FROM documents or more is read from the derived arrays, with the same
    docnums and frequencies as Whoosh's own postings; the others are left to Whoosh."""
    decoded = 0
    with open_index(ant_index).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            target = derived.segment_dir(ant_index, leaf.segment().segment_id())
            data = derived.load(target, leaf.doc_count_all())
            assert data is not None
            for name in ("title", "body"):
                for term, info in leaf.iter_field(name):
                    found = data.decoded(name, term.decode("utf-8"))
                    if info.doc_frequency() < derived.DECODED_FROM:
                        assert found is None
                        continue
                    matcher = leaf.postings(name, term)
                    postings = []
                    while matcher.is_active():
                        postings.append((matcher.id(), matcher.weight()))
                        matcher.next()
                    assert found is not None and list(zip(*found, strict=True)) == postings
                    decoded += 1
    assert decoded > 20  # the common words of news: في، من، الى…


def test_the_spellers_vocabulary_holds_the_index_terms_and_no_others(ant_index: Path) -> None:
    """Kept as sorted hashes per segment, mapped: every indexed term is found, strings that are
    no term are not (a shared hash is one in four billion)."""
    with open_index(ant_index).reader() as reader:
        generation, _ = open_generation(ant_index, reader)
        terms = [t.decode("utf-8") for t in reader.lexicon("body")]
    sample = terms[:: max(1, len(terms) // 2000)]
    made_up = [term + "ظظظ" for term in sample]
    words = generation.words(("body", "title"))
    assert words.having(sample) == sample
    assert words.having(made_up + sample[:3]) == sample[:3]
