"""The durable queue of writes that came over HTTP: each record or deletion is one task.

An accepted write is committed to this SQLite database (DIR/fahras-tasks.sqlite3, WAL mode,
`synchronous=FULL`) before the client hears 202, so a process killed at any moment after that
answer loses nothing: the task is still `queued`, and the single writer (search/publisher.py)
applies it when it runs again. A task becomes `applied` (with the index generation that holds
it) only after the index commit, so a writer killed between the two re-applies it, which is
harmless: a record is stored under its id (an update replaces it) and a deletion of a deleted
document deletes nothing. A record the writer cannot index is `failed`, with its problem worded
as `fahras index` words it (`line N: reason`); no other task is affected.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

TASKS_FILE = "fahras-tasks.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    record TEXT,
    line INTEGER NOT NULL,
    key_id TEXT,
    status TEXT NOT NULL,
    problem TEXT,
    generation INTEGER,
    enqueued TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX IF NOT EXISTS queued_tasks ON tasks (id) WHERE status = 'queued';
"""


class Action(StrEnum):
    UPSERT = "upsert"  # add the record, or replace the document with its id
    DELETE = "delete"


class Status(StrEnum):
    QUEUED = "queued"
    APPLIED = "applied"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Write:
    """A write to record: `record` (the raw fields) for an upsert; `problem` if refused already."""

    action: Action
    doc_id: str
    line: int
    record: dict[str, object] | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Task:
    task_id: int
    action: Action
    doc_id: str
    line: int
    status: Status
    record: dict[str, object] | None
    problem: str | None
    generation: int | None
    key_id: str | None
    enqueued: str
    finished: str | None

    def as_dict(self) -> dict[str, object]:
        """The task as GET /api/tasks/<id> shows it (the record's text is not repeated)."""
        return {
            "task": self.task_id,
            "status": str(self.status),
            "action": str(self.action),
            "id": self.doc_id,
            "line": self.line,
            "generation": self.generation,
            "problem": self.problem,
            "enqueued": self.enqueued,
            "finished": self.finished,
        }


_COLUMNS = (
    "id, action, doc_id, line, status, record, problem, generation, key_id, enqueued, finished"
)


class TaskQueue:
    """The index's task table (see the module docstring); safe across threads and processes."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / TASKS_FILE

    def enqueue(self, writes: Iterable[Write], key_id: str | None = None) -> list[Task]:
        """Record `writes` in one durable transaction: queued, or failed with their problem."""
        now = _now()
        rows = [
            (
                str(w.action),
                w.doc_id,
                None if w.record is None or w.problem else json.dumps(w.record, ensure_ascii=False),
                w.line,
                key_id,
                str(Status.FAILED if w.problem else Status.QUEUED),
                w.problem,
                now,
                now if w.problem else None,
            )
            for w in writes
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            ids = [
                db.execute(
                    "INSERT INTO tasks (action, doc_id, record, line, key_id, status, problem,"
                    " enqueued, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    row,
                ).fetchone()[0]
                for row in rows
            ]
        return [self.get(task_id) for task_id in ids]  # type: ignore[misc]

    def get(self, task_id: int) -> Task | None:
        if not self.path.exists():
            return None
        with self._connection() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return None if row is None else _task(row)

    def queued(self, limit: int) -> list[Task]:
        """The oldest `limit` queued tasks, in the order they were accepted."""
        if not self.path.exists():
            return []
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM tasks WHERE status = 'queued' ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [_task(row) for row in rows]

    def finish(
        self, applied: Iterable[int], generation: int, failed: Iterable[tuple[int, str]] = ()
    ) -> None:
        """Mark tasks applied (in `generation`) or failed (with a problem), in one transaction.

        The record's text is dropped then: the index holds it, and the table need not grow with
        every article ever published.
        """
        now = _now()
        with self._connection() as db:
            db.executemany(
                "UPDATE tasks SET status = 'applied', generation = ?, finished = ?, record = NULL"
                " WHERE id = ?",
                [(generation, now, task_id) for task_id in applied],
            )
            db.executemany(
                "UPDATE tasks SET status = 'failed', problem = ?, finished = ?, record = NULL"
                " WHERE id = ?",
                [(problem, now, task_id) for task_id, problem in failed],
            )

    def counts(self) -> dict[str, int]:
        """How many tasks are in each status (for `fahras worker` and operators' pages)."""
        counts = dict.fromkeys(map(str, Status), 0)
        if self.path.exists():
            with self._connection() as db:
                counts |= dict(db.execute("SELECT status, count(*) FROM tasks GROUP BY status"))
        return counts

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # durable at the 202, even on power loss
            db.executescript(_SCHEMA)
            with db:
                yield db


def _task(row: tuple) -> Task:
    record = json.loads(row[5]) if row[5] is not None else None
    return Task(
        task_id=row[0],
        action=Action(row[1]),
        doc_id=row[2],
        line=row[3],
        status=Status(row[4]),
        record=record,
        problem=row[6],
        generation=row[7],
        key_id=row[8],
        enqueued=row[9],
        finished=row[10],
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
