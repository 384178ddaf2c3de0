"""Time to the first answer (issue 11 §1): one-shot CLI commands, and a web worker after start.

Prints, as medians of --repeat runs (min and max beside them), the wall time of
`python -c 'import search.engine'` (Python's and the libraries' share, the floor), one-shot
`fahras search` and `fahras suggest`; then starts gunicorn with our config and prints how long
until /readyz says ready and until the first /api/search answer, and each worker's private and
shared memory (from /proc/PID/smaps_rollup) after some searches: the derived data is mapped, so
its pages are shared through the OS page cache. Targets on ANT (2 cores): search <= 1 s,
suggest <= 0.5 s, first web answer <= 1 s after start.

With `--checkout DIR`, the same is measured for another checkout of Fahras (e.g. `git archive`
of main unpacked in DIR) through PYTHONPATH, for a same-run comparison on a busy machine.

    python bench/startup.py [--index DIR] [--repeat 5] [--checkout DIR]
"""

import argparse
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from serving import DEFAULT_CORPUS, DEFAULT_INDEX, HOST, ROOT, ensure_index, free_port, get

SEARCH = "الانتخابات الرئاسية"
PREFIX = "الانتخ"


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def spread(values: list[float], unit: str = "s") -> str:
    return (
        f"median {statistics.median(values):6.2f} {unit}   "
        f"min {min(values):6.2f}   max {max(values):6.2f}   (n={len(values)})"
    )


def one_shot(index_dir: Path, repeat: int, env: dict[str, str], cwd: Path) -> None:
    python = [sys.executable]
    commands = {
        "import search.engine": [*python, "-c", "import search.engine"],
        "fahras search": [*python, "-m", "search.cli", "search", SEARCH, "--index", str(index_dir)],
        "fahras suggest": [
            *python, "-m", "search.cli", "suggest", PREFIX, "--index", str(index_dir)
        ],
    }  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, so a burst of load hits all three alike
        for name, command in commands.items():
            times[name].append(wall(command, env, cwd))
    for name, values in times.items():
        print(f"  {name:<22} {spread(values)}")


def memory(pid: int) -> dict[str, int]:
    """kB by smaps_rollup field."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields


def workers(master: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
    return sorted(pids)


@dataclass(slots=True)
class Served:
    """A server's start: seconds from launch to /readyz and to the first search (None: never),
    and each worker's memory in MB after some searches."""

    ready: float | None = None
    first_search: float | None = None
    workers: list[dict[str, float]] = field(default_factory=list)


def serve(index_dir: Path, env: dict[str, str], cwd: Path, log: Path) -> Served:
    """Start gunicorn with our config on `index_dir`, time its first answers, then stop it."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf"]
    command += ["--bind", f"{HOST}:{port}"]
    started = time.perf_counter()
    with log.open("w") as errors:
        server = subprocess.Popen(
            command, env={**env, "FAHRAS_INDEX": str(index_dir)}, stderr=errors, cwd=cwd
        )
    served = Served()
    search = f"/api/search?q={quote(SEARCH)}"
    try:
        deadline = started + 120
        while served.first_search is None and time.perf_counter() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                if served.ready is None and get(port, "/readyz")[0] == 200:
                    served.ready = time.perf_counter() - started
                if get(port, search)[0] == 200:
                    served.first_search = time.perf_counter() - started
            time.sleep(0.02)
        for _ in range(40):
            get(port, search)
            get(port, f"/api/suggest?q={quote(PREFIX)}")
        for pid in workers(server.pid):
            used = memory(pid)
            served.workers.append(
                {
                    "pid": pid,
                    "rss": used["Rss"] / 1024,
                    "private": (used["Private_Clean"] + used["Private_Dirty"]) / 1024,
                    "shared": (used["Shared_Clean"] + used["Shared_Dirty"]) / 1024,
                    "pss": used["Pss"] / 1024,
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return served


def first_answer(index_dir: Path, env: dict[str, str], cwd: Path, log: Path) -> None:
    served = serve(index_dir, env, cwd, log)
    for name, seconds in (("ready", served.ready), ("first search", served.first_search)):
        shown = f"{seconds:6.2f} s after launch" if seconds is not None else "no answer"
        print(f"  {name:<22} {shown}")
    for used in served.workers:
        print(
            f"  worker {used['pid']:<15.0f} RSS {used['rss']:6.1f} MB   "
            f"private {used['private']:6.1f} MB   shared {used['shared']:6.1f} MB   "
            f"PSS {used['pss']:6.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--checkout", type=Path, help="also measure this checkout of Fahras")
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    runs = [("this checkout", dict(os.environ), ROOT)]
    if args.checkout:
        other = {**os.environ, "PYTHONPATH": str(args.checkout.resolve())}
        runs.append((f"checkout {args.checkout}", other, args.checkout.resolve()))
    print(f"index {args.index}; load average {os.getloadavg()[0]:.1f} (a busy machine: compare)")
    for name, env, cwd in runs:
        print(f"{name}: one-shot commands")
        one_shot(args.index, args.repeat, env, cwd)
    for name, env, cwd in runs:
        print(f"{name}: gunicorn")
        first_answer(args.index, env, cwd, Path(tempfile.gettempdir()) / "fahras-startup.log")
    print("targets: search <= 1 s, suggest <= 0.5 s, first web answer <= 1 s (issue 11 §1)")


if __name__ == "__main__":
    main()
