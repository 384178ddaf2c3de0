"""index_sources: incremental runs, pruning, bad records, the writer lock and crash safety."""

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SAMPLE, Records, build_index, write_jsonl
from whoosh import fields

from search import store
from search.analysis import ANALYSIS_VERSION
from search.engine import SearchEngine, SearchRequest
from search.errors import IndexLockedError, IndexMissingError
from search.fields import BUILTIN, FieldRegistry
from search.indexer import index_sources
from search.problem_log import EXAMPLES_PER_REASON
from search.schema import build_schema
from search.store import open_index, write_meta, writer_lock


def records(count: int, word: str = "خبر") -> Records:
    return [
        {"id": f"r{i}", "title": f"{word} رقم {i}", "body": f"نص {word} {i}", "category": "عام"}
        for i in range(count)
    ]


def stored(index_dir: Path) -> dict[str, dict[str, object]]:
    """id -> stored fields of every live document."""
    with open_index(index_dir).searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def generation(index_dir: Path) -> int:
    return open_index(index_dir).latest_generation()


def test_first_run_adds_every_record(tmp_path: Path) -> None:
    report = build_index([SAMPLE], tmp_path / "ix")
    assert (report.added, report.updated, report.unchanged, report.deleted) == (60, 0, 0, 0)
    assert report.documents == 60 and len(report.skipped) == 0 and not report.interrupted
    sample_ids = {json.loads(line)["id"] for line in SAMPLE.read_text("utf-8").splitlines()}
    assert set(stored(tmp_path / "ix")) == sample_ids


def test_rerun_on_unchanged_input_changes_nothing(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    before = generation(index_dir), stored(index_dir)
    report = build_index([SAMPLE], index_dir)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 60)
    assert report.changed == 0 and report.documents == 60
    assert (generation(index_dir), stored(index_dir)) == before  # not even an empty commit


def test_changed_record_is_updated_and_new_one_added(tmp_path: Path) -> None:
    items = records(5)
    source = write_jsonl(tmp_path / "news.jsonl", items)
    build_index([source], tmp_path / "ix")
    items[2]["body"] = "نص جديد تماما"
    items.append({"id": "new", "title": "وافد", "body": "نص"})
    write_jsonl(source, items)
    report = build_index([source], tmp_path / "ix")
    assert (report.added, report.updated, report.unchanged, report.deleted) == (1, 1, 4, 0)
    docs = stored(tmp_path / "ix")
    assert len(docs) == 6 and docs["r2"]["body"] == "نص جديد تماما"


def test_prune_removes_records_gone_from_the_source(tmp_path: Path) -> None:
    items = records(5)
    source = write_jsonl(tmp_path / "news.jsonl", items)
    build_index([source], tmp_path / "ix")
    write_jsonl(source, items[:1] + items[2:])  # r1 removed

    kept = build_index([source], tmp_path / "ix")
    assert kept.deleted == 0 and "r1" in stored(tmp_path / "ix")  # no prune: nothing removed

    pruned = build_index([source], tmp_path / "ix", prune=True)
    assert (pruned.deleted, pruned.unchanged, pruned.documents) == (1, 4, 4)
    assert set(stored(tmp_path / "ix")) == {"r0", "r2", "r3", "r4"}


def test_hash_and_origin_are_read_from_columns_and_not_indexed_as_terms(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir, procs=2)
    with open_index(index_dir).reader() as reader:
        assert not [*reader.lexicon("content_hash"), *reader.lexicon("origin")]
    report = build_index([SAMPLE], index_dir)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 60)


def test_an_index_with_hash_and_origin_terms_still_updates_and_prunes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def schema_before(registry: FieldRegistry = BUILTIN) -> fields.Schema:
        schema = build_schema(registry)
        for name in ("content_hash", "origin"):
            schema.remove(name)
            schema.add(name, fields.ID(stored=True, sortable=True))
        return schema

    index_dir, items = tmp_path / "ix", records(5)
    source = write_jsonl(tmp_path / "news.jsonl", items)
    monkeypatch.setattr(store, "build_schema", schema_before)
    build_index([source], index_dir)
    monkeypatch.undo()
    with open_index(index_dir).reader() as reader:
        assert len(list(reader.lexicon("content_hash"))) == 5  # indexed the way it was
    items[2]["body"] = "نص جديد تماما"
    write_jsonl(source, items[:4])
    report = build_index([source], index_dir, prune=True)
    assert (report.added, report.updated, report.unchanged, report.deleted) == (0, 1, 3, 1)
    assert set(stored(index_dir)) == {"r0", "r1", "r2", "r3"}


def test_prune_leaves_documents_of_other_sources_alone(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", records(3))
    second = write_jsonl(tmp_path / "b.jsonl", [{"id": "b1", "title": "ب", "body": "نص"}])
    build_index([first, second], tmp_path / "ix")
    write_jsonl(first, records(2))
    report = build_index([first], tmp_path / "ix", prune=True)
    assert report.deleted == 1
    assert set(stored(tmp_path / "ix")) == {"r0", "r1", "b1"}


def test_prune_on_a_folder_removes_documents_of_a_deleted_file(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_jsonl(folder / "a.jsonl", records(2))
    write_jsonl(folder / "b.jsonl", [{"id": "b1", "title": "ب", "body": "نص"}])
    build_index([folder], tmp_path / "ix")
    (folder / "b.jsonl").unlink()
    report = build_index([folder], tmp_path / "ix", prune=True)
    assert report.deleted == 1
    assert set(stored(tmp_path / "ix")) == {"r0", "r1"}


def test_rebuild_starts_afresh(tmp_path: Path) -> None:
    build_index([SAMPLE], tmp_path / "ix")
    source = write_jsonl(tmp_path / "news.jsonl", records(3))
    report = build_index([source], tmp_path / "ix", rebuild=True)
    assert report.added == 3 and report.documents == 3
    assert set(stored(tmp_path / "ix")) == {"r0", "r1", "r2"}


def test_bad_records_are_reported_with_file_and_line_and_the_rest_indexed(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps({"id": "a", "title": "أول", "body": "نص"}, ensure_ascii=False),
        '{"id": "b", "title": "مكسور',  # 2: invalid JSON
        json.dumps({"id": "c", "title": "", "body": "  "}),  # 3: no text
        json.dumps({"id": "d", "title": "تاريخ", "body": "نص", "date": "يوم ما"}),  # 4: bad date
        json.dumps({"id": "a", "title": "مكرر", "body": "نص"}, ensure_ascii=False),  # 5: dup
        "[1, 2]",  # 6: not an object
        json.dumps({"id": "e", "title": "أخير", "body": "نص", "date": "2019-03-01"}),
    ]
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[str] = []
    report = index_sources([source], tmp_path / "ix", on_problem=problems.append)

    skipped = report.skipped.examples
    assert [s.split(": ", 1)[0] for s in skipped] == [f"{source}:{n}" for n in (2, 3, 5, 6)]
    assert "invalid JSON" in skipped[0]
    assert "no text" in skipped[1]
    assert "duplicate id 'a'" in skipped[2] and f"{source}:1" in skipped[2]
    assert report.warnings.examples == [
        f"{source}:4: unrecognised date 'يوم ما'; indexed without a date"
    ]
    assert sorted(problems) == sorted(skipped + report.warnings.examples)
    assert (report.added, report.documents) == (3, 3)

    docs = stored(tmp_path / "ix")
    assert set(docs) == {"a", "d", "e"}
    assert docs["a"]["title"] == "أول"  # the first of two duplicates wins
    assert "date" not in docs["d"] and docs["e"]["date"].year == 2019


def test_many_bad_records_keep_a_bounded_report_and_a_short_stderr(tmp_path: Path) -> None:
    """300,000 `{}` lines (issue 16 §5): counted, the first 20 listed, one summary line."""
    bad = 300_000
    good = json.dumps({"id": "ok", "title": "خبر", "body": "نص"}, ensure_ascii=False)
    source = tmp_path / "bad.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as out:
        out.write(good + "\n" + "{}\n" * bad + "not json\n" * 30)
    run = subprocess.run(
        [sys.executable, "-m", "search.cli", "index", source, "--index", tmp_path / "ix"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stderr.splitlines()
    no_text = [
        line
        for line in lines
        if line.endswith(": no text: both title and body are empty or missing")
    ]
    invalid = [line for line in lines if ": invalid JSON" in line]
    assert no_text[0].startswith(f"{source}:2: ") and len(no_text) == EXAMPLES_PER_REASON
    assert len(invalid) == EXAMPLES_PER_REASON
    assert f"... and {bad - EXAMPLES_PER_REASON:,} more skipped (no text) not listed" in run.stderr
    assert (
        f"... and {30 - EXAMPLES_PER_REASON:,} more skipped (invalid JSON) not listed" in run.stderr
    )
    # Everything else on stderr is progress (a line every few seconds when the run is slow).
    listed = [line for line in lines if line.startswith(f"{source}:") or line.startswith("...")]
    assert len(listed) == 2 * EXAMPLES_PER_REASON + 2
    assert all(line in listed or "records" in line for line in lines), lines
    assert f"skipped {bad + 30:,}" in run.stdout

    report = index_sources([source], tmp_path / "again")
    assert len(report.skipped) == bad + 30
    assert report.skipped.counts == {"no text": bad, "invalid JSON": 30}
    assert len(report.skipped.examples) == 2 * EXAMPLES_PER_REASON


def test_a_second_indexer_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    with writer_lock(index_dir), pytest.raises(IndexLockedError) as refused:
        build_index([SAMPLE], index_dir, wait=0.3)
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message and "another indexer" in message
    assert "--wait" in message
    assert "committed are kept" in message and "discarded" not in message
    assert build_index([SAMPLE], index_dir).unchanged == 60  # released: runs again


def test_version_mismatch_asks_for_a_rebuild(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    write_meta(index_dir, analysis_version=ANALYSIS_VERSION + 1)
    for attempt in (open_index, SearchEngine, lambda d: build_index([SAMPLE], d)):
        with pytest.raises(IndexMissingError, match="--rebuild"):
            attempt(index_dir)
    assert build_index([SAMPLE], index_dir, rebuild=True).added == 60
    assert open_index(index_dir).doc_count() == 60


def test_missing_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="fahras index"):
        open_index(tmp_path / "nothing")


def test_two_processes_index_the_same_documents_as_one(tmp_path: Path) -> None:
    items = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()]
    source = write_jsonl(tmp_path / "news.jsonl", items)
    build_index([source], tmp_path / "one", procs=1)
    build_index([source], tmp_path / "two", procs=2)
    for item in items[:10]:
        item["body"] += " تحديث"
    write_jsonl(source, items[5:])
    for name in ("one", "two"):
        report = build_index([source], tmp_path / name, procs=int(name == "two") + 1, prune=True)
        assert (report.updated, report.deleted, report.unchanged) == (5, 5, 50)
    one, two = stored(tmp_path / "one"), stored(tmp_path / "two")
    assert len(two) == 55 and one == two


def test_txt_folder_named_by_another_path_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("عنوان أول\nنص أول\n", encoding="utf-8")
    (folder / "b.txt").write_text("عنوان ثان\nنص ثان\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert build_index([Path("docs")], tmp_path / "ix").added == 2
    report = build_index([folder], tmp_path / "ix")
    assert (report.added, report.unchanged, report.documents) == (0, 2, 2)


INDEXER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from search.indexer import IndexOptions, index_sources

    def progress(seen, total):
        print(seen, flush=True)

    options = IndexOptions(commit_every=int(sys.argv[3]))
    report = index_sources([Path(sys.argv[1])], Path(sys.argv[2]), options=options,
                           on_progress=progress)
    print("interrupted" if report.interrupted else "done", flush=True)
    """
)


def run_until(source: Path, index_dir: Path, commit_every: int, stop_at: int, sig: int) -> str:
    """Run the indexer in a subprocess, send `sig` once it has read `stop_at` records."""
    with subprocess.Popen(
        [sys.executable, "-c", INDEXER, str(source), str(index_dir), str(commit_every)],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip().isdigit() and int(line) >= stop_at:
                child.send_signal(sig)
                break
        rest = child.stdout.read()
        child.wait(timeout=60)
    return rest


def test_sigkill_mid_run_leaves_a_committed_index_and_the_next_run_completes(
    tmp_path: Path, ant_slice: Path
) -> None:
    index_dir = tmp_path / "ix"
    build_index([SAMPLE], index_dir)
    before = stored(index_dir)
    ant_ids = [json.loads(line)["id"] for line in ant_slice.read_text("utf-8").splitlines()]

    run_until(ant_slice, index_dir, commit_every=100, stop_at=250, sig=signal.SIGKILL)

    after = stored(index_dir)  # opens: the old or a later committed state, never broken
    assert after.items() >= before.items()
    added = [doc_id for doc_id in after if doc_id not in before]
    assert len(added) % 100 == 0 and len(added) >= 200  # whole batches only
    assert set(added) == set(ant_ids[: len(added)])
    engine = SearchEngine(index_dir)
    try:
        assert engine.doc_count() == len(after)
    finally:
        engine.close()

    report = build_index([ant_slice], index_dir)  # the stale lock does not block
    assert (report.unchanged, report.added) == (len(added), len(ant_ids) - len(added))
    assert report.documents == len(before) + len(ant_ids)


def test_sigterm_mid_run_cancels_the_batch_cleanly(tmp_path: Path, ant_slice: Path) -> None:
    index_dir = tmp_path / "ix"
    rest = run_until(ant_slice, index_dir, commit_every=100, stop_at=150, sig=signal.SIGTERM)
    assert rest.split()[-1] == "interrupted"
    count = open_index(index_dir).doc_count()
    assert count % 100 == 0 and count >= 100


def test_dates_are_columns_not_terms_and_date_ranges_still_answer(sample_index: Path) -> None:
    with open_index(sample_index).searcher() as searcher:
        reader = searcher.reader()
        dated = {f["id"]: f["date"] for f in reader.all_stored_fields() if f.get("date")}
        assert dated and not list(reader.lexicon("date"))  # searches read the date column
    year = min(dated.values()).year
    in_range = {doc_id for doc_id, date in dated.items() if date.year == year}
    engine = SearchEngine(sample_index)
    try:
        request = SearchRequest(q="", date_from=str(year), date_to=str(year), per_page=100)
        result = engine.search(request)
        assert {hit.id for hit in result.hits} == in_range and result.total == len(in_range)
    finally:
        engine.close()
