"""CheckedMpWriter: a writer process's error reaches the parent as one error, not a traceback.

The failure is injected into the forked writer processes by patching Whoosh's SegmentWriter in
this process before they fork (issue 16 §1, §3); killing one is tested in test_faults.py.
"""

import errno
import re
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from search.parallel_writer import CheckedMpWriter, SubWriterLostError
from search.store import create_or_open, remove_leftovers

DOCUMENTS = [{"id": f"d{n}", "title": "خبر", "body": f"نص رقم {n}"} for n in range(60)]


def fail_on(body: str, error: Exception) -> object:
    original = SegmentWriter.add_document

    def add_document(self: SegmentWriter, **fields: object) -> None:
        if fields.get("body") == body:
            raise error
        original(self, **fields)

    return add_document


@pytest.mark.parametrize(
    ("error", "expected", "message"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), OSError, "No space left on device"),
        (ValueError("a bad value"), SubWriterLostError, "ValueError('a bad value')"),
    ],
)
def test_a_writer_process_error_fails_the_commit_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    error: Exception,
    expected: type[Exception],
    message: str,
) -> None:
    index = create_or_open(tmp_path, rebuild=False)
    monkeypatch.setattr(SegmentWriter, "add_document", fail_on("نص رقم 33", error))
    writer = CheckedMpWriter(index, procs=2, multisegment=True, batchsize=10, compound=False)
    with pytest.raises(expected, match=re.escape(message)) as raised:
        for document in DOCUMENTS:
            writer.add_document(**document)
        writer.commit()
    if expected is OSError:
        assert raised.value.errno == errno.ENOSPC
    assert "Traceback" not in capfd.readouterr().err
    assert all(task.exitcode is not None for task in writer.tasks)  # none left running
    assert index.doc_count() == 0  # nothing committed

    monkeypatch.undo()
    remove_leftovers(tmp_path)
    writer = CheckedMpWriter(index, procs=2, multisegment=True, batchsize=10, compound=False)
    for document in DOCUMENTS:
        writer.add_document(**document)
    writer.commit()
    assert index.doc_count() == len(DOCUMENTS)
