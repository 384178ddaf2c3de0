"""build_document: ids, dates, facet values, extra metadata and content hashes."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from search.documents import MAX_ID_LENGTH, RecordError, build_document
from search.loaders import RawRecord
from search.schema import FACET_SEPARATOR


def record(origin: str = "news.jsonl", line: int = 1, **fields: object) -> RawRecord:
    return RawRecord(dict(fields), origin, line)


def test_given_id_is_kept() -> None:
    document = build_document(record(id="AL-1", title="عنوان", body="نص"))
    assert document.doc_id == "AL-1"
    assert document.index_fields()["id"] == "AL-1"


def test_numeric_id_becomes_text() -> None:
    assert build_document(record(id=42, title="عنوان")).doc_id == "42"


def test_id_too_long_is_refused() -> None:
    with pytest.raises(RecordError, match="id longer"):
        build_document(record(id="x" * (MAX_ID_LENGTH + 1), title="عنوان"))


def test_derived_id_is_stable_and_follows_the_content() -> None:
    first = build_document(record(title="عنوان", body="نص"))
    again = build_document(record(title="عنوان", body="نص", line=7))
    other_text = build_document(record(title="عنوان", body="نص آخر"))
    other_file = build_document(record(origin="other.jsonl", title="عنوان", body="نص"))
    assert first.doc_id == again.doc_id
    assert first.doc_id.startswith("doc-")
    assert len({first.doc_id, other_text.doc_id, other_file.doc_id}) == 3


def test_text_file_id_is_its_path_so_an_edited_file_is_updated() -> None:
    before = build_document(record(origin="docs/a.txt", title="عنوان", body="نص"))
    edited = build_document(record(origin="docs/a.txt", title="عنوان جديد", body="نص"))
    assert before.doc_id == edited.doc_id
    assert before.content_hash != edited.content_hash


@pytest.mark.parametrize(
    "title, body",
    [(None, None), ("", ""), ("   ", "\n\t"), ([], None), (None, [None])],
)
def test_record_without_text_is_refused(title: object, body: object) -> None:
    with pytest.raises(RecordError, match="no text"):
        build_document(record(id="x", title=title, body=body))


@pytest.mark.parametrize("fields", [{"title": "عنوان فقط"}, {"body": "نص فقط"}])
def test_title_or_body_alone_is_enough(fields: dict[str, str]) -> None:
    document = build_document(record(id="x", **fields))
    assert document.fields["title"] == fields.get("title", "")
    assert document.fields["body"] == fields.get("body", "")


def test_text_is_stripped_and_lists_joined() -> None:
    document = build_document(record(id="x", title="  عنوان \n", body=["فقرة أولى", "فقرة ثانية"]))
    assert document.fields["title"] == "عنوان"
    assert document.fields["body"] == "فقرة أولى\nفقرة ثانية"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2018-02-18T21:35:43+04:00", datetime(2018, 2, 18, 17, 35, 43)),  # to naive UTC
        ("2018-02-18", datetime(2018, 2, 18)),
        ("١٦ نيسان ٢٠٢٠", datetime(2020, 4, 16)),
        ("الخميس 16 من نيسان 2020", datetime(2020, 4, 16)),
        ("16 أفريل 2020", datetime(2020, 4, 16)),
    ],
)
def test_dates_are_parsed(raw: str, expected: datetime) -> None:
    document = build_document(record(id="x", title="عنوان", date=raw))
    assert document.fields["date"] == expected
    assert document.warnings == []


@pytest.mark.parametrize("raw", ["يوم ما", "2019-02-30", "99/99/9999"])
def test_bad_date_is_left_out_with_a_warning(raw: str) -> None:
    document = build_document(record(id="x", title="عنوان", date=raw))
    assert "date" not in document.fields
    assert len(document.warnings) == 1
    assert raw in document.warnings[0] and "without a date" in document.warnings[0]


@pytest.mark.parametrize("raw", [None, ""])
def test_missing_date_is_not_a_warning(raw: object) -> None:
    document = build_document(record(id="x", title="عنوان", date=raw))
    assert "date" not in document.fields and document.warnings == []


def test_facet_lists_and_aliases_are_merged_without_duplicates() -> None:
    document = build_document(
        record(
            id="x",
            title="عنوان",
            category="sport",
            categories=["sport", "economy", "", None],
            author=["أ", "ب"],
            authors="ج",
            tags=["بيروت", "بيروت"],
        )
    )
    assert document.fields["category"] == ["sport", "economy"]
    assert document.fields["author"] == ["أ", "ب", "ج"]
    assert document.fields["tags"] == ["بيروت"]
    assert "source" not in document.fields


def test_facet_values_cannot_smuggle_the_separator() -> None:
    document = build_document(record(id="x", title="t", category=f"a{FACET_SEPARATOR}b  c"))
    assert document.fields["category"] == ["a b c"]


def test_unknown_keys_are_kept_as_extra_metadata() -> None:
    document = build_document(
        record(id="x", title="t", docno="D-1", abstract="ملخص", empty="", nothing=None, no=[])
    )
    assert document.fields["extra"] == {"docno": "D-1", "abstract": "ملخص"}


def test_content_hash_follows_content_not_position() -> None:
    base = {"id": "x", "title": "عنوان", "body": "نص", "category": "sport"}
    first = build_document(record(**base))
    moved = build_document(record(origin="news.jsonl", line=99, **base))
    changed = [
        build_document(record(**(base | {key: value})))
        for key, value in [("body", "نص آخر"), ("title", "عنوان آخر"), ("category", "economy")]
    ]
    assert first.content_hash == moved.content_hash
    assert len({first.content_hash, *(d.content_hash for d in changed)}) == 4


def test_index_fields_join_facet_values_and_carry_id_and_hash() -> None:
    document = build_document(
        record(id="x", title="عنوان", body="نص", category=["a", "b"], url="https://e.org/1")
    )
    fields = document.index_fields()
    assert fields["category"] == f"a{FACET_SEPARATOR}b"
    assert (fields["id"], fields["content_hash"]) == ("x", document.content_hash)
    assert (fields["title"], fields["body"], fields["url"]) == ("عنوان", "نص", "https://e.org/1")
    assert "source" not in fields  # no empty facet values


def test_every_ant_category_is_kept(ant_slice: Path) -> None:
    """Real data: `category` plus every section of `categories`, in order, once each."""
    lines = ant_slice.read_text(encoding="utf-8").splitlines()
    multi = 0
    for number, line in enumerate(lines, 1):
        raw = json.loads(line)
        document = build_document(RawRecord(raw, str(ant_slice), number))
        expected = list(dict.fromkeys([raw["category"], *raw["categories"]]))
        assert document.fields["category"] == expected, raw["id"]
        assert document.doc_id == raw["id"]
        multi += len(expected) > 1
    assert multi > 0  # the slice does exercise multi-valued categories
