"""A worker's memory: how the kernel counts it, and keeping glibc from holding on to it.

Private (anonymous) memory is what a leak grows and what the machine cannot get back: the index
files a worker maps show up in its RSS too, but those pages are shared with the page cache and
dropped under pressure, so they would make a limit on plain RSS fire for no reason.
"""

import ctypes
from pathlib import Path

M_MMAP_THRESHOLD = -3  # mallopt parameters (glibc malloc.h)
M_ARENA_MAX = -8
ARENAS = 2  # one per core: a gthread worker's threads otherwise each get an arena that keeps memory
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's initial value


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


def fixed_mmap_threshold() -> bool:
    """Keep glibc's mmap threshold at 128 KB and its arenas few; False without mallopt.

    By default glibc raises the threshold to the size of each large block freed (up to 32 MB),
    after which blocks of that size come from the heap, where freed ones stay resident. Every
    new index generation frees and reallocates arrays of a few MB, so a worker's memory climbed
    by a quarter over two re-indexes of the soak test; with the threshold fixed such blocks are
    mapped and unmapped on their own and the memory is given back.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt(M_ARENA_MAX, ARENAS)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
