"""Whoosh's multi-process writer, made to fail loudly when one of its processes fails.

Whoosh's MpWriter waits for its sub-writers and then takes whatever results are there: a
sub-writer killed by a signal (or the OOM killer) simply has none, and its documents vanish
from a commit that succeeds (issue 16 §1); a sub-writer that hits an error (a full disk)
prints a traceback of its own. Here a sub-writer sends its error back to the parent instead,
and the parent checks its processes whenever it hands out work or waits for results: a lost
process fails the commit, so a batch is never committed without all of its documents.
"""

import contextlib
import pickle
import queue
import signal
import sys

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

POLL_SECONDS = 0.2
RESULT_GRACE_SECONDS = 5.0  # a process that exited cleanly has sent its result by then
_FAILED = "fahras-subwriter-failed"
_REPORTED = 3  # exit status of a sub-writer that sent its error to the parent


class SubWriterLostError(Exception):
    """A writer process died or ended without its documents: the batch cannot be committed."""


class _ReportingSubWriter(SubWriterTask):
    """A sub-writer that sends its error to the parent rather than printing a traceback."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # every failure must reach the parent
            code = exc.errno if isinstance(exc, OSError) else None
            text = (exc.strerror if isinstance(exc, OSError) else None) or repr(exc)
            self.resultqueue.put((_FAILED, code, text))
            self.resultqueue.close()
            self.resultqueue.join_thread()  # sent before we exit
            sys.exit(_REPORTED)


class CheckedMpWriter(MpWriter):
    """MpWriter whose commit fails when a sub-writer process fails or is lost."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._received: list[tuple[object, object, object]] = []

    def _new_task(self) -> SubWriterTask:
        args = (self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs)
        task = _ReportingSubWriter(*args, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self) -> None:
        """Hand the buffered documents to the sub-writers as a job file (as MpWriter does)."""
        self._check_tasks()
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as out:
            for item in self.docbuffer:
                pickle.dump(item, out, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put_job((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put_job(self, job: object) -> None:
        """Never block forever on a queue that a lost process no longer reads."""
        while True:
            try:
                self.jobqueue.put(job, timeout=POLL_SECONDS)
                return
            except queue.Full:
                self._check_tasks()

    def _commit(self, mergetype: object, optimize: object, merge: object) -> None:
        try:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self._put_job(None)
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            results = self._results()
            for task in self.tasks:
                task.join()
        except BaseException:
            self._abort()
            raise
        if self.multisegment:
            finalsegments += [segment for _, _, segment in results]
            if self._added:
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
        else:
            self._merge_subsegments(results, mergetype)
            self._close_segment()
            self._assemble_segment()
            finalsegments.append(self.get_segment())
        self._commit_toc(finalsegments)
        self._finish()

    def _results(self) -> list[tuple[object, object, object]]:
        """One result per sub-writer, or an error saying which one failed and how."""
        grace = RESULT_GRACE_SECONDS
        while len(self._received) < len(self.tasks):
            if self._receive(POLL_SECONDS):
                continue
            self._check_tasks()
            if all(task.exitcode == 0 for task in self.tasks):
                grace -= POLL_SECONDS
                if grace <= 0:
                    missing = len(self.tasks) - len(self._received)
                    raise SubWriterLostError(
                        f"{missing} writer process(es) ended without handing back their documents"
                    )
        return self._received

    def _receive(self, timeout: float) -> bool:
        """Take one result if one comes within `timeout`; a sub-writer's error is raised."""
        try:
            result = self.resultqueue.get(timeout=timeout)
        except queue.Empty:
            return False
        if result[0] == _FAILED:
            _, code, message = result
            if code is not None:
                raise OSError(code, message)
            raise SubWriterLostError(f"a writer process failed: {message}")
        self._received.append(result)
        return True

    def _check_tasks(self) -> None:
        for task in self.tasks:
            code = task.exitcode
            if code == _REPORTED:
                while self._receive(RESULT_GRACE_SECONDS):  # raises the error it sent
                    pass
            if code is not None and code != 0:
                raise SubWriterLostError(f"writer process {task.pid} {_how_it_ended(code)}")

    def cancel(self) -> None:
        self._abort()

    def _abort(self) -> None:
        """Stop every sub-writer and release the index; the last commit stays as it was."""
        for task in self.tasks:
            if task.exitcode is None:
                task.kill()  # SIGTERM would be a KeyboardInterrupt (and a traceback) in it
        for task in self.tasks:
            task.join(timeout=10)
        for channel in (self.jobqueue, self.resultqueue):
            channel.cancel_join_thread()  # jobs nobody will read must not hold up our exit
            channel.close()
        if not self.is_closed:
            with contextlib.suppress(Exception):  # a full disk may fail this too
                self._close_segment()
            self._cleanup_on_error()
            self.is_closed = True


def _how_it_ended(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with status {code}"
