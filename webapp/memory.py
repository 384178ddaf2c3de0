"""A worker's memory, as the kernel counts it, for the gunicorn memory guard and the soak test.

Private (anonymous) memory is what a leak grows and what the machine cannot get back: the index
files a worker maps show up in its RSS too, but those pages are shared with the page cache and
dropped under pressure, so they would make a limit on plain RSS fire for no reason.
"""

from pathlib import Path


def memory_mb(pid: int | str = "self", field: str = "RssAnon") -> float:
    """`field` of /proc/PID/status (RssAnon, VmRSS, …) in MB; 0 where /proc is not available."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0]) / 1024  # kB
    return 0.0
