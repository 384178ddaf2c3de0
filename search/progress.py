"""Progress display for long runs: a live bar on a terminal, a line every few seconds otherwise.

Logs and CI output stay readable (no carriage returns when the stream is not a terminal),
while an admin at a terminal sees documents per second and the time left.
"""

import sys
import time
from typing import TextIO

BAR_WIDTH = 28


class Progress:
    def __init__(self, stream: TextIO = sys.stderr, interval: float | None = None) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.live else 5.0)
        self.started = time.monotonic()
        self.last_shown = self.started  # the first line after one interval, not at record 1
        self.shown_any = False

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last_shown < self.interval:
            return
        self.last_shown = now
        self.shown_any = True
        line = describe(done, total, now - self.started)
        if self.live:
            self.stream.write(f"\r\x1b[K{line}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.live and self.shown_any:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def describe(done: int, total: int, elapsed: float) -> str:
    """One progress line: bar (when the total is known), count, rate and time left."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if total <= 0 or done > total:
        return f"{done:,} records  {rate:,.0f}/s  {format_seconds(elapsed)} elapsed"
    filled = int(BAR_WIDTH * done / total)
    bar = "█" * filled + "░" * (BAR_WIDTH - filled)
    eta = (total - done) / rate if rate > 0 else 0.0
    return f"{bar} {done:,}/{total:,} records  {rate:,.0f}/s  ETA {format_seconds(eta)}"


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
