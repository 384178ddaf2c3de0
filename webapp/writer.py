"""The single writer's thread in the web app (FAHRAS_PUBLISH_WRITER=thread, the default).

Every gunicorn worker starts one after its fork (webapp/gunicorn_conf.py), and a dev or test
server on its first accepted write; all of them wait for the election lock of
search/publisher.py, so exactly one applies the queue and another takes over within a second
if its process dies. With FAHRAS_PUBLISH_WRITER=off (a read replica, or a writer run apart with
`fahras worker`) no thread is started and accepted writes wait for that worker.
"""

import os
import threading
from pathlib import Path

from flask import Flask

from search.publisher import Publisher

JOIN_SECONDS = 10.0


class WriterThread:
    """This process's candidate writer, started at most once per process."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            if running and self._pid == os.getpid():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=Publisher(self.index_dir).run,
                args=(self._stop,),
                name="fahras-writer",
                daemon=True,  # the queue is durable: stopping mid-batch loses nothing
            )
            self._pid = os.getpid()
            self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._stop.set()
            if self._thread is not None and self._pid == os.getpid():
                self._thread.join(JOIN_SECONDS)
            self._thread = None


def init_app(app: Flask) -> None:
    if app.config["FAHRAS_PUBLISH_WRITER"] == "thread":
        app.extensions["fahras_writer"] = WriterThread(Path(str(app.config["FAHRAS_INDEX"])))


def start_writer(app: Flask) -> None:
    """Start this process's candidate writer, if the app runs one."""
    writer = app.extensions.get("fahras_writer")
    if writer is not None:
        writer.start()
