"""The single writer: applies queued HTTP writes (search/tasks.py) to the index, in batches.

Exactly one writer runs at a time, whatever runs it: a web worker's background thread (the
default, FAHRAS_PUBLISH_WRITER=thread) or `fahras worker`. Each candidate waits for a `flock`
on DIR/fahras-publisher.lock; the kernel releases it when its holder dies, however it dies, so
another candidate (the next web worker, a restarted `fahras worker`) takes over within a poll.

Each batch is applied under the index's writer lock (search/store.py), the same one
`fahras index` holds, so the two never write at once: while an indexing run goes on, tasks
wait in the queue. A batch is one Whoosh commit; only after it are its tasks marked applied, with
the new generation. A writer killed before that leaves them queued and the next one applies
them again, which changes nothing that was already done (see search/tasks.py).
"""

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.writing import IndexWriter

from search.derived import write_derived
from search.documents import RecordError, build_document
from search.errors import IndexLockedError
from search.fields import FieldRegistry
from search.intake import ORIGIN, problem
from search.loaders import RawRecord
from search.settings import installed
from search.store import create_or_open, write_meta, writer_lock
from search.tasks import Action, Task, TaskQueue

log = logging.getLogger(__name__)

ELECTION_FILE = "fahras-publisher.lock"
BATCH_TASKS = 500  # one commit for up to this many writes: a CMS burst costs few generations
POLL_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 60.0  # between attempts while the index cannot be written


class Publisher:
    """Applies the queue of one index; `run` until stopped, or `apply_batch` once."""

    def __init__(
        self, index_dir: Path, batch: int = BATCH_TASKS, poll: float = POLL_SECONDS
    ) -> None:
        self.index_dir = Path(index_dir)
        self.queue = TaskQueue(self.index_dir)
        self.batch = batch
        self.poll = poll

    def run(self, stop: threading.Event) -> None:
        """Wait to be the writer, then apply batches until `stop` is set."""
        with elected(self.index_dir, stop) as chosen:
            if not chosen:
                return
            log.info("writer %d applies the queue of %s", os.getpid(), self.index_dir)
            failures = 0
            while not stop.is_set():
                try:
                    if self.apply_batch():
                        failures = 0
                        continue
                except Exception:  # a full disk, say: the tasks stay queued; try again later
                    log.exception("applying queued writes to %s failed", self.index_dir)
                    failures += 1
                stop.wait(min(MAX_BACKOFF_SECONDS, self.poll * 2**failures))

    def apply_batch(self) -> int:
        """Apply the oldest queued tasks in one commit; the number of tasks finished."""
        tasks = self.queue.queued(self.batch)
        if not tasks:
            return 0
        try:
            with writer_lock(self.index_dir):
                first, last = tasks[0].task_id, tasks[-1].task_id
                log.info("applying %d task(s), %d to %d", len(tasks), first, last)
                return self._apply(tasks)
        except IndexLockedError:  # `fahras index` is running: its turn first
            return 0

    def _apply(self, tasks: list[Task]) -> int:
        registry = installed(self.index_dir).registry()  # the index's own fields (settings)
        index = create_or_open(self.index_dir, rebuild=False, registry=registry)
        by_id: dict[str, list[Task]] = {}
        for task in tasks:
            by_id.setdefault(task.doc_id, []).append(task)
        failed: list[tuple[int, str]] = []
        writer = index.writer(compound=False)
        try:
            for writes in by_id.values():  # an id's latest write that can be made wins
                for task in reversed(writes):
                    refusal = _write(writer, task, registry)
                    if refusal is None:
                        break
                    failed.append((task.task_id, refusal))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        write_derived(self.index_dir, index)  # readers open the new generation at once
        generation = index.latest_generation()
        write_meta(self.index_dir, last_update=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        refused = {task_id for task_id, _ in failed}
        applied = [task.task_id for task in tasks if task.task_id not in refused]
        self.queue.finish(applied, generation, failed)
        return len(tasks)


def _write(writer: IndexWriter, task: Task, registry: FieldRegistry) -> str | None:
    """Stage one task in `writer`; its problem if the record cannot be indexed."""
    if task.action is Action.DELETE:
        writer.delete_by_term("id", task.doc_id)
        return None
    record = RawRecord(task.record or {}, ORIGIN, task.line)
    try:
        document = build_document(record, registry)
        writer.update_document(**document.index_fields())
    except RecordError as exc:
        return problem(record, exc)
    except (ValueError, TypeError) as exc:  # a value Whoosh cannot store
        return problem(record, f"cannot be indexed: {exc}")
    return None


@contextmanager
def elected(index_dir: Path, stop: threading.Event) -> Iterator[bool]:
    """Hold the writer election lock while inside; False if `stop` came first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ELECTION_FILE, "a+", encoding="utf-8") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if stop.wait(POLL_SECONDS):
                    yield False
                    return
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
