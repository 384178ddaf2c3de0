"""Progress display for long runs: a live bar on a terminal, a line every few seconds otherwise.

Logs and CI output stay readable (no carriage returns when the stream is not a terminal),
while an admin at a terminal sees documents per second and the time left. The rate is measured
from the first record on, not from the start (opening the index and counting the input would
make it look slow), and no time left is shown until it has been measured for RATE_SECONDS: the
first seconds once promised 5:30:46 for a five-minute run. A long step without records to count
(the final merge and commit) is named instead of leaving the bar frozen.
"""

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 28
RATE_SECONDS = 5.0  # measure the rate this long before estimating the time left


class Progress:
    def __init__(
        self,
        stream: TextIO = sys.stderr,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.live else 5.0)
        self.clock = clock
        self.started = clock()
        self.last_shown = self.started  # the first line after one interval, not at record 1
        self.shown_any = False
        self.first: tuple[float, int] | None = None  # (time, count) of the first record
        self.done = self.total = 0

    def update(self, done: int, total: int) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, done)
        self.done, self.total = done, total
        if now - self.last_shown < self.interval:
            return
        self.last_shown = now
        self._show(describe(done, total, now - self.started, self._rate(now)))

    def phase(self, label: str) -> None:
        """Name what the run is doing now that no record is counted, e.g. "committing…".

        Not for a run too short to have shown anything: its commit takes no time either.
        """
        now = self.clock()
        if not self.shown_any and now - self.started < self.interval:
            return
        self.last_shown = now
        counted = f"{self.done:,}/{self.total:,} records  " if self.total else ""
        self._show(f"{counted}{label}")

    def finish(self) -> None:
        if self.live and self.shown_any:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _rate(self, now: float) -> float | None:
        """Records per second since the first record, once measured long enough."""
        if self.first is None or now - self.first[0] < RATE_SECONDS:
            return None
        return (self.done - self.first[1]) / (now - self.first[0])

    def _show(self, line: str) -> None:
        self.shown_any = True
        if self.live:
            self.stream.write(f"\r\x1b[K{line}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def describe(done: int, total: int, elapsed: float, rate: float | None = None) -> str:
    """One progress line: bar (when the total is known), count, rate and time left.

    `rate` is None until it is known: the line then says so rather than guess.
    """
    speed = f"{rate:,.0f}/s" if rate is not None else "measuring speed…"
    if total <= 0 or done > total:
        return f"{done:,} records  {speed}  {format_seconds(elapsed)} elapsed"
    filled = int(BAR_WIDTH * done / total)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    left = f"ETA {format_seconds((total - done) / rate)}" if rate else "ETA …"
    return f"{bar} {done:,}/{total:,} records  {speed}  {left}"


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
