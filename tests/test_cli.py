"""The `fahras` command as a new user meets it (issue 9 §4): ids, plain JSON with spans, clear
errors for bad options and bad --field maps, nothing created from a folder of nothing, help for
every option, a progress line that names its phase and guesses no ETA."""

import argparse
import io
import json
import re
from pathlib import Path

import pytest
from conftest import write_jsonl

from search import cli
from search.analysis import terms_of
from search.commands import _terminal
from search.highlight import Marked
from search.indexer import COMMITTING, index_sources
from search.progress import RATE_SECONDS, Progress, describe, format_seconds

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def all_actions() -> list[tuple[str, argparse.Action]]:
    """(command, action) for every argument of `fahras` and of each subcommand."""
    parser = cli.build_parser()
    found = [("fahras", action) for action in parser._actions]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += [(name, sub_action) for sub_action in sub._actions]
    return found


def test_every_option_of_every_command_has_a_help_line() -> None:
    missing = [
        f"{command} {action.option_strings or action.dest}"
        for command, action in all_actions()
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == []


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert re.fullmatch(r"fahras \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


@pytest.fixture
def txt_index(tmp_path: Path) -> Path:
    """Plain-text files only: no date, no source, nothing but the id to tell them apart."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("مذكرة عن الكتاب\n\nنص قصير عن الكتاب والقراءة.\n", "utf-8")
    (folder / "b.txt").write_text("رسالة أخرى\n\nلا شيء هنا عن المكتبة.\n", "utf-8")
    index_dir = tmp_path / "index"
    assert cli.main(["index", str(folder), "--index", str(index_dir)]) == 0
    return index_dir


def test_text_output_always_shows_the_document_id(
    txt_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    status, out, _ = run(capsys, "search", "الكتاب", "--index", str(txt_index))
    assert status == 0
    ids = re.findall(r"^   \[(\S+)\]$", out, re.MULTILINE)
    assert len(ids) == 1, out
    shown = run(capsys, "delete", ids[0], "--index", str(txt_index))[1]
    assert shown.startswith("deleted 1 of 1")  # the id shown is the one delete takes


def test_one_result_is_singular(txt_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    out = run(capsys, "search", "الكتاب", "--index", str(txt_index))[1]
    assert re.search(r"^1 result · page 1/1", out, re.MULTILINE), out


def test_json_is_plain_text_with_spans(
    sample_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "search", "الكتاب", "--index", str(sample_index), "--json")
    assert status == 0
    result = json.loads(out)
    assert result["results"]
    for hit in result["results"]:
        assert "<" not in hit["title"] + hit["snippet"] and "&" not in hit["snippet"]
        assert "title_text" not in hit and "snippet_text" not in hit
        marked = [hit["snippet"][s:e] for s, e in hit["snippet_spans"]]
        marked += [hit["title"][s:e] for s, e in hit["title_spans"]]
        stems = {terms_of(word)[1] for word in marked}
        assert stems == {terms_of("كتاب")[1]}, marked


def test_terminal_output_marks_matches_from_spans(
    sample_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(capsys, "search", "الكتاب", "--index", str(sample_index))[1]
    assert "<mark>" not in out and "[الكتاب]" in out  # piped: brackets, no markup
    text = Marked("قال إن الكتاب مهم", ((7, 13),))
    coloured = _terminal(text, colour=True)
    assert "\x1b[1;33mالكتاب" in coloured and ANSI.sub("", coloured) == text.text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "كتاب", "--limit", "1000"], "--limit must be between 1 and 100"),
        (["search", "كتاب", "--limit", "0"], "--limit must be between 1 and 100"),
        (["search", "كتاب", "--page", "0"], "--page must be 1 or more"),
        (["suggest", "كت", "--limit", "1000"], "--limit must be between 1 and 100"),
        (["search", "كتاب", "--page", "99"], "--page 99 is past the last page (1)"),
    ],
)
def test_out_of_range_options_are_named(
    sample_index: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv, "--index", str(sample_index))
    assert status == 1 and out == ""
    assert err.startswith(f"fahras: error: {message}") and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("headline=title", "'headline' is not a field"),  # reversed
        ("titel=headline", "'titel' is not a field"),  # misspelt
        ("title=heading", "no record of the input has 'heading'"),  # a column it never has
    ],
)
def test_bad_field_maps_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, named: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"headline": "عنوان", "text": "نص المقال"}] * 2)
    index_dir = tmp_path / "index"
    status, _, err = run(capsys, "index", str(source), "--index", str(index_dir), "--field", field)
    assert status == 1 and named in err and f"--field {field}" in err, err
    assert not index_dir.exists()


def test_reversed_field_map_suggests_the_right_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"headline": "عنوان", "text": "نص"}])
    argv = ["index", str(source), "--index", str(tmp_path / "ix"), "--field", "headline=title"]
    assert "did you mean --field title=headline?" in run(capsys, *argv)[2]


def test_a_good_field_map_still_indexes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [{"headline": "عنوان أول", "text": "نص المقال الأول"}, {"text": "نص بلا عنوان"}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    index_dir = tmp_path / "index"
    argv = ["index", str(source), "--index", str(index_dir)]
    assert run(capsys, *argv, "--field", "title=headline", "--field", "body=text")[0] == 0
    out = run(capsys, "search", "أول", "--index", str(index_dir), "--json")[1]
    assert json.loads(out)["results"][0]["title"] == "عنوان أول"


@pytest.mark.parametrize("contents", [[], ["notes.pdf", "picture.png"]])
def test_a_folder_without_supported_files_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], contents: list[str]
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in contents:
        (folder / name).write_bytes(b"%PDF")
    index_dir = tmp_path / "index"
    status, out, err = run(capsys, "index", str(folder), "--index", str(index_dir))
    assert status == 1 and "Nothing changed" not in out
    assert "no supported files found" in err and ".jsonl" in err and ".txt" in err
    assert not index_dir.exists()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_time_left_is_guessed_before_the_rate_is_measured() -> None:
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(stream, interval=1.0, clock=clock)
    clock.now += 30  # opening the index and counting the input: not indexing speed
    progress.update(1, 31_525)
    clock.now += 1.5
    progress.update(20, 31_525)
    early = stream.getvalue().splitlines()
    assert early and "ETA …" in early[-1] and "measuring" in early[-1]
    clock.now += RATE_SECONDS
    progress.update(1_000, 31_525)
    line = stream.getvalue().splitlines()[-1]
    rate = (1_000 - 1) / (RATE_SECONDS + 1.5)  # from the first record on
    left = format_seconds((31_525 - 1_000) / rate)
    assert f"{rate:,.0f}/s  ETA {left}" in line and left.startswith("3:")


def test_the_final_commit_is_named_not_frozen() -> None:
    clock, stream = FakeClock(), io.StringIO()
    progress = Progress(stream, interval=1.0, clock=clock)
    progress.update(10, 10)
    progress.phase(COMMITTING)
    assert stream.getvalue() == ""  # a run too short to show progress shows no phase either
    clock.now += 2
    progress.update(29_200, 31_525)
    progress.phase(COMMITTING)  # shown at once, whatever the interval
    assert stream.getvalue().splitlines()[-1] == f"29,200/31,525 records  {COMMITTING}"


def test_indexing_announces_its_commit(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"title": "عنوان", "body": "نص المقال"}])
    phases: list[str] = []
    index_sources([source], tmp_path / "index", on_phase=phases.append)
    assert phases == [COMMITTING]


def test_describe_without_a_rate() -> None:
    assert "ETA" not in describe(10, 0, 3.0) and "measuring" in describe(10, 0, 3.0)
