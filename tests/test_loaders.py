"""Loaders: every broken input becomes a LoadProblem while the good records around it survive."""

import gzip
import itertools
import os
import tracemalloc
from pathlib import Path

import pytest

from search.errors import SourceError
from search.loaders import (
    LoadOptions,
    LoadProblem,
    RawRecord,
    discover,
    iter_records,
    read_file,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
ANT = SHARED / "corpus" / "ant_multisource.jsonl.gz"
MB = 2**20


def load(path: Path, **options: object) -> tuple[list[RawRecord], list[LoadProblem]]:
    items = list(read_file(path, LoadOptions(**options)))  # type: ignore[arg-type]
    return split(items)


def split(items: list[RawRecord | LoadProblem]) -> tuple[list[RawRecord], list[LoadProblem]]:
    records = [item for item in items if isinstance(item, RawRecord)]
    problems = [item for item in items if isinstance(item, LoadProblem)]
    return records, problems


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# --- JSON Lines and JSON ---------------------------------------------------------------------


def test_bad_json_line_between_good_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"id": 1}\n{"id": 2,, }\n{"id": 3}\n')
    records, problems = load(path)
    assert [(r.fields["id"], r.line) for r in records] == [(1, 1), (3, 3)]
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [(2, "invalid JSON")]
    assert "column" in problems[0].reason
    assert str(problems[0]).startswith(f"{path}:2: invalid JSON")


@pytest.mark.parametrize(
    ("line", "kind"), [("[1, 2]", "an array"), ('"x"', "a string"), ("null", "null")]
)
def test_non_object_json_value(tmp_path: Path, line: str, kind: str) -> None:
    records, problems = load(write(tmp_path / "a.ndjson", f'{line}\n{{"id": 2}}\n'))
    assert [r.line for r in records] == [2]
    assert [(p.line, p.reason) for p in problems] == [(1, f"expected a JSON object, got {kind}")]


def test_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.jsonl", "[" * 100_000 + "\n{}\n"))
    assert [r.line for r in records] == [2]
    assert problems[0].line == 1


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.jsonl", '\n  \n{"id": 1}\r\n\n{"id": 2}\n\n'))
    assert [r.line for r in records] == [3, 5]
    assert problems == []


@pytest.mark.parametrize("name", ["a.jsonl", "a.json", "a.csv", "a.txt"])
@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_empty_file(tmp_path: Path, name: str, content: str) -> None:
    records, problems = load(write(tmp_path / name, content))
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(None, "empty file")]


def test_missing_fields_stay_missing(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl", '{"id": 1, "title": "t", "tags": ["x"], "n": null}\n{"id": 2}\n'
    )
    records, _ = load(path)
    assert records[0].fields == {"id": 1, "title": "t", "tags": ["x"], "n": None}
    assert records[1].fields == {"id": 2}


def test_json_array_gives_element_lines_and_keeps_records_before_an_error(tmp_path: Path) -> None:
    text = '[\n  {"id": 1},\n  7,\n  {"id": 3,\n   "t": "x"},\n  {"id": 4} {"id": 5}\n]\n'
    records, problems = load(write(tmp_path / "a.json", text))
    assert [(r.fields["id"], r.line) for r in records] == [(1, 2), (3, 4), (4, 6)]
    assert [(p.line, p.reason) for p in problems] == [
        (3, "expected a JSON object, got a number"),
        (6, "invalid JSON: expected ',' or ']'"),
    ]


def test_json_single_object_and_trailing_garbage(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.json", '\n{"id": 1}\n'))
    assert [(r.fields, r.line) for r in records] == [({"id": 1}, 2)]
    assert problems == []
    _, problems = load(write(tmp_path / "b.json", "[]\n]"))
    assert [(p.line, p.reason) for p in problems] == [(2, "invalid JSON: extra data after the end")]


def test_field_map_renames_json_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"headline": "h", "title": "old", "text": "b"}\n')
    records, _ = load(path, field_map={"title": "headline", "body": "text"})
    assert records[0].fields == {"title": "h", "body": "b"}


# --- limits ----------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_huge_line_is_skipped_with_bounded_memory(tmp_path: Path, compress: bool) -> None:
    data = b'{"id": 1}\n{"body": "' + b"x" * (20 * MB) + b'"}\n{"id": 3}\n'
    path = write(tmp_path / "a.jsonl", gzip.compress(data, 1) if compress else data)
    del data
    tracemalloc.start()
    try:
        records, problems = load(path, max_record_bytes=MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.fields["id"] for r in records] == [1, 3]
    assert [(p.line, p.reason) for p in problems] == [(2, "line longer than 1 MB")]
    assert peak < 6 * MB


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl.gz", gzip.compress(b'{"id": 1}\n' * 400_000))
    records, problems = load(path, max_decompressed_bytes=MB)
    assert 0 < len(records) < 400_000
    assert len(problems) == 1
    assert problems[0].reason == "gzip expands beyond 1 MB: possible zip bomb"
    assert problems[0].line == len(records) + 1


def test_whole_file_formats_respect_the_record_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "title\n" + "body line\n" * 200)
    records, problems = load(path, max_record_bytes=1024)
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(None, "file larger than 1 KB")]


def test_txt_with_a_too_long_line_is_refused_whole(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "title\n" + "x" * 5000 + "\nend\n")
    records, problems = load(path, max_record_bytes=1024)
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(None, "file larger than 1 KB")]


def test_options_reject_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="positive"):
        LoadOptions(max_record_bytes=0)


# --- encodings -------------------------------------------------------------------------------

ARABIC = "مرحبا بالعالم العربي"


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.jsonl", f'\ufeff{{"title": "{ARABIC}"}}\n'))
    assert records[0].fields == {"title": ARABIC}
    records, _ = load(write(tmp_path / "a.csv", f"\ufefftitle,body\n{ARABIC},b\n"))
    assert records[0].fields == {"title": ARABIC, "body": "b"}
    assert problems == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    text = f'{{"title": "{ARABIC}"}}\n{{"title": "2"}}\n'
    records, problems = load(
        write(tmp_path / "a.jsonl", "\ufeff".encode(codec) + text.encode(codec))
    )
    assert [(r.fields["title"], r.line) for r in records] == [(ARABIC, 1), ("2", 2)]
    assert problems == []
    txt = write(tmp_path / "a.txt", f"\ufeff{ARABIC}\nنص\n".encode(codec))
    assert load(txt)[0][0].fields == {"title": ARABIC, "body": "نص"}


def test_cp1256_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", f"{ARABIC}\nالنص هنا\n".encode("cp1256"))
    records, problems = load(path)
    assert records[0].fields == {"title": ARABIC, "body": "النص هنا"}
    assert problems == []


def test_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", '{"title": "café"}\n'.encode("latin-1"))
    _, problems = load(path)
    assert [(p.line, p.reason) for p in problems] == [(1, "invalid UTF-8 (byte 15)")]
    records, problems = load(path, encoding="latin-1")
    assert records[0].fields == {"title": "café"}
    assert problems == []
    assert load(path, encoding="no-such-codec")[1][0].reason == "unknown encoding 'no-such-codec'"


def test_invalid_utf8_line_is_skipped(tmp_path: Path) -> None:
    data = f'{{"t": "{ARABIC}"}}\n'.encode() + b'{"t": "\xff\xfe"}\n{"t": "ok"}\n'
    records, problems = load(write(tmp_path / "a.jsonl", data))
    assert [r.line for r in records] == [1, 3]
    assert [(p.line, p.reason.split(" (")[0]) for p in problems] == [(2, "invalid UTF-8")]


def test_binary_file(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.csv", b"PK\x03\x04\x00\x00" + bytes(range(256))))
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(None, "binary file, not text")]


# --- gzip ------------------------------------------------------------------------------------

SAMPLES = {
    "jsonl": '{"title": "a"}\n{"title": "b"}\n',
    "json": '[{"title": "a"}, {"title": "b"}]',
    "csv": "title\na\nb\n",
    "tsv": "title\tx\na\t1\nb\t2\n",
    "txt": "a\n\nbody\n",
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_gzip_of_each_format_reads_like_the_plain_file(tmp_path: Path, kind: str) -> None:
    plain = write(tmp_path / f"a.{kind}", SAMPLES[kind])
    packed = write(tmp_path / f"b.{kind}.gz", gzip.compress(SAMPLES[kind].encode()))
    disguised = write(tmp_path / f"c.{kind}", gzip.compress(SAMPLES[kind].encode()))
    expected, problems = load(plain)
    assert expected and problems == []
    for path in (packed, disguised):
        records, problems = load(path)
        assert [r.fields for r in records] == [r.fields for r in expected]
        assert problems == []


def test_truncated_gzip_keeps_earlier_records(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"id": %d}\n' % n for n in range(50_000)))
    records, problems = load(write(tmp_path / "a.jsonl.gz", data[: len(data) // 2]))
    assert len(records) > 1000
    assert [r.fields["id"] for r in records] == list(range(len(records)))
    assert len(problems) == 1
    assert problems[0].reason.startswith("gzip data truncated or corrupt")
    assert problems[0].line > len(records)


# --- CSV / TSV -------------------------------------------------------------------------------


def test_csv_mapping_multiline_field_and_semicolons(tmp_path: Path) -> None:
    text = (
        "headline;text;tags\n"
        'one;"first line\nsecond; line";a|b،c\n'
        "\n"
        'two;"x";\n'
        "three\n"
        "four;b;t;extra\n"
    )
    path = write(tmp_path / "a.csv", text)
    records, problems = load(path, field_map={"title": "headline", "body": "text"})
    assert [(r.fields, r.line) for r in records] == [
        ({"title": "one", "body": "first line\nsecond; line", "tags": ["a", "b", "c"]}, 2),
        ({"title": "two", "body": "x", "tags": []}, 5),
        ({"title": "three"}, 6),
    ]
    assert [(p.line, p.reason) for p in problems] == [(7, "row has 4 cells but the header has 3")]


def test_tsv(tmp_path: Path) -> None:
    path = write(tmp_path / "a.tsv", "title\tbody\tcategories\nt, 1\tb; c\tx; y\n")
    records, problems = load(path)
    assert records[0].fields == {"title": "t, 1", "body": "b; c", "categories": ["x", "y"]}
    assert problems == []


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("title,,body", "empty column name in header (column 2)"),
        ("title,body,title", "duplicate column name in header: 'title'"),
    ],
)
def test_bad_csv_header_is_a_file_problem(tmp_path: Path, header: str, reason: str) -> None:
    records, problems = load(write(tmp_path / "a.csv", f"{header}\na,b,c\n"))
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(None, reason)]


def test_csv_unclosed_quote_is_bounded(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", 'title\n"open\n' + "more text\n" * 300)
    records, problems = load(path, max_record_bytes=1024)
    assert [(p.line, p.reason) for p in problems] == [(2, "row longer than 1 KB (unclosed quote?)")]
    assert records[0].line > 100  # reading resumes on the line after the bound was hit


# --- text ------------------------------------------------------------------------------------


def test_txt_title_and_body(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.txt", f"\n  {ARABIC}  \r\n\r\nسطر\r\nآخر\n\n"))
    assert [(r.fields, r.line) for r in records] == [({"title": ARABIC, "body": "سطر\nآخر"}, 1)]
    assert problems == []


def test_txt_front_matter(tmp_path: Path) -> None:
    text = "---\nheadline: 'Hello'\ntags: [a, \"b\", ج]\ncategories: x، y\nnot a pair\n---\nBody\n"
    records, problems = load(write(tmp_path / "a.txt", text), field_map={"title": "headline"})
    assert records[0].fields == {
        "title": "Hello",
        "tags": ["a", "b", "ج"],
        "categories": ["x", "y"],
        "body": "Body",
    }
    assert [(p.line, p.reason) for p in problems] == [(5, "front matter line is not 'key: value'")]


def test_txt_unclosed_front_matter(tmp_path: Path) -> None:
    records, problems = load(write(tmp_path / "a.txt", "---\ntitle: x\n\n"))
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [(1, "front matter has no closing '---' line")]


def test_category_from_dir(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "sport" / "a.txt", "Goal\nbody")
    write(corpus / "sport" / "b.txt", "---\ncategory: economy\n---\nDeal\n")
    write(corpus / "top.txt", "Top\n")
    items = list(iter_records([corpus], LoadOptions(category_from_dir=True)))
    assert [r.fields.get("category") for r in split(items)[0]] == ["sport", "economy", None]
    plain, _ = split(list(iter_records([corpus])))
    assert [r.fields.get("category") for r in plain] == [None, "economy", None]


# --- discovery and unreadable files ----------------------------------------------------------


def test_discover_order_and_filters(tmp_path: Path) -> None:
    for name in ["b.jsonl", "a/z.csv", "a/m/x.txt.gz", "a.tsv", ".hidden.jsonl", ".git/c.jsonl"]:
        write(tmp_path / name, "x")
    write(tmp_path / "notes.pdf", "x")
    write(tmp_path / "upper.JSON", "x")
    files, problems = discover([tmp_path, tmp_path / "notes.pdf", tmp_path / "b.jsonl"])
    names = [path.relative_to(tmp_path).as_posix() for path in files]
    assert names == ["a/m/x.txt.gz", "a/z.csv", "a.tsv", "b.jsonl", "upper.JSON"]
    assert [(p.origin, p.reason.split(" (")[0]) for p in problems] == [
        (str(tmp_path / "notes.pdf"), "unsupported file type")
    ]
    assert discover([tmp_path]) == discover([tmp_path])


def test_missing_source_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="nope"):
        discover([tmp_path / "nope"])


def test_symlink_loop_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.jsonl", '{"id": 1}\n')
    (tmp_path / "a" / "back").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    files, problems = discover([tmp_path])
    assert files == [tmp_path / "a" / "x.jsonl"]
    assert [(p.origin, p.reason.split(" (")[0]) for p in problems] == [
        (str(tmp_path / "a" / "back"), "symlink loop")
    ]


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    write(tmp_path / "ok.jsonl", '{"id": 1}\n')
    (tmp_path / "dir.jsonl").mkdir()
    (tmp_path / "gone.jsonl").symlink_to(tmp_path / "missing.jsonl")
    records, problems = split(list(iter_records([tmp_path])))
    assert [r.fields for r in records] == [{"id": 1}]
    assert [(Path(p.origin).name, p.reason) for p in problems] == [
        ("gone.jsonl", "cannot open: No such file or directory")
    ]
    _, problems = load(tmp_path / "dir.jsonl")
    assert [(p.line, p.reason) for p in problems] == [(None, "cannot open: Is a directory")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files with mode 000")
def test_permission_denied_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "{}\n")
    path.chmod(0)
    try:
        assert load(path)[1][0].reason == "cannot open: Permission denied"
    finally:
        path.chmod(0o600)


# --- real data -------------------------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "samples").is_dir(), reason="shared samples absent")
def test_real_text_samples() -> None:
    records, problems = split(list(iter_records([SHARED / "samples"])))
    assert records and problems == []
    for record in records:
        assert record.line == 1 and record.origin.endswith(".txt")
        assert record.fields["title"] and record.fields["body"]
        assert "\n" not in str(record.fields["title"])


@pytest.mark.skipif(not ANT.is_file(), reason="ANT corpus absent")
def test_ant_corpus_first_records() -> None:
    items = iter_records([ANT])
    first = list(itertools.islice(items, 500))
    items.close()
    records, problems = split(first)
    assert problems == [] and len(records) == 500
    assert [r.line for r in records] == list(range(1, 501))
    assert all(r.fields["id"] and isinstance(r.fields["title"], str) for r in records)
    assert len({r.fields["id"] for r in records}) == 500


def test_csv_header_of_30000_columns_is_read_and_checked(tmp_path: Path) -> None:
    """The header check is linear (it was quadratic: 30,000 columns took 52 s, issue 16 §7)."""
    names = ["title", "body", *(f"c{n}" for n in range(29_998))]
    row = ["عنوان", "نص", *(str(n) for n in range(29_998))]
    records, problems = load(write(tmp_path / "wide.csv", f"{','.join(names)}\n{','.join(row)}\n"))
    assert problems == [] and len(records) == 1
    assert records[0].fields["title"] == "عنوان" and records[0].fields["c29997"] == "29997"

    repeated = [*names[:-1], "c15000"]
    records, problems = load(write(tmp_path / "dup.csv", ",".join(repeated) + "\na\n"))
    assert records == []
    assert [p.reason for p in problems] == ["duplicate column name in header: 'c15000'"]
