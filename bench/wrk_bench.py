"""wrk at 16 connections against this checkout and a reference checkout, in the same run (issue 11).

Both are served by gunicorn with their own settings (2 workers on 2 cores) on the same index. The
load is bench/http_bench.py's mix, not one repeated URL: 200 searches of 1-3 consecutive words of
ANT titles, most with a facet, a second value, a date range, a sort or a second page, half as htmx
fragments of /search (results, facet panel, pager: what the page renders) and half as
/api/search. wrk (Debian's `wrk`, installed with apt-get when missing and running as root) picks
them at random; without wrk a closed loop of keep-alive threads (bench/serving.py) stands in, and
the report says so. Each server gets a warm-up that is not counted, then `--seconds` of load;
rounds alternate which checkout goes first, so both see the same background load on average.
This checkout is measured twice: as served (each worker keeps FAHRAS_ANSWERS_KEPT answers, so
after the warm-up nearly every request of the 200 is one asked before) and with no answers
kept, where every request is searched afresh: the engine's own speed.

    git archive d2f922c | (mkdir -p /tmp/ref && tar -x -C /tmp/ref)
    python bench/wrk_bench.py --checkout /tmp/ref [--index DIR] [--rounds 2] [--seconds 20]
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from query_bench import title_queries
from serving import (
    DEFAULT_CORPUS,
    DEFAULT_INDEX,
    ROOT,
    Gunicorn,
    Request,
    Tally,
    ensure_index,
    latency_line,
    run_clients,
    search_requests,
)

QUERIES = 200
PERCENTILES = (50, 95, 99)
LUA = """
local requests = {%s}
local count = #requests
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function(args)
  math.randomseed(7919 * id)
end
request = function()
  local r = requests[math.random(count)]
  return wrk.format("GET", r[1], r[2])
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("REQUESTS %%d SECONDS %%f STATUS %%d CONNECT %%d READ %%d WRITE %%d"
    .. " TIMEOUT %%d\\n", summary.requests, summary.duration / 1e6, errors.status,
    errors.connect, errors.read, errors.write, errors.timeout))
  for _, p in ipairs({%s}) do
    io.write(string.format("P%%d %%f\\n", p, latency:percentile(p) / 1000))
  end
end
"""


def find_wrk() -> str | None:
    """wrk, installed from Debian when missing and we are root; None if it cannot be had."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)
    return shutil.which("wrk")


def lua_script(requests: list[Request], folder: Path) -> Path:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    rows = []
    for request in requests:
        headers = ", ".join(f"[{quoted(k)}] = {quoted(v)}" for k, v in request.headers.items())
        rows.append(f"{{{quoted(request.path)}, {{{headers}}}}}")
    script = folder / "mix.lua"
    script.write_text(LUA % (",\n".join(rows), ", ".join(map(str, PERCENTILES))))
    return script


def with_wrk(
    wrk: str, script: Path, port: int, connections: int, seconds: float
) -> tuple[float, str]:
    """requests/s of one wrk run, and it with its percentiles and errors as one line."""
    command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "10s"]
    command += ["-s", str(script), f"http://127.0.0.1:{port}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    done = re.search(r"REQUESTS (\d+) SECONDS ([\d.]+) (.*)", output)
    if not done:
        raise RuntimeError(f"wrk said:\n{output}")
    total, elapsed = int(done[1]), float(done[2])
    kinds = re.findall(r"([A-Z]+) (\d+)", done[3])  # errors: non-2xx/3xx, socket, timeouts
    bad = ", ".join(f"{count} {kind.lower()}" for kind, count in kinds if count != "0") or "0"
    shares = dict(re.findall(r"P(\d+) ([\d.]+)", output))
    latency = "   ".join(f"p{p} {float(shares[str(p)]):6.1f} ms" for p in PERCENTILES)
    rate = total / elapsed
    return rate, f"{rate:7.1f} requests/s   {latency}   errors {bad}"


def with_threads(
    requests: list[Request], port: int, connections: int, seconds: float
) -> tuple[float, str]:
    tally = Tally()
    run_clients(port, connections, seconds, lambda rng: rng.choice(requests), tally)
    rate = len(tally.all) / seconds
    latency = latency_line("", tally.all).strip()
    return rate, f"{rate:7.1f} requests/s   {latency}   errors {len(tally.errors)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, required=True, help="the reference checkout")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warm-up", type=float, default=30, help="seconds, not counted")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for this checkout's server only",
    )
    parser.add_argument(
        "--steady",
        action="store_true",
        help="no worker recycling in either server (--max-requests 0): the answers' cost alone",
    )
    args = parser.parse_args()
    ensure_index(args.corpus, args.index)
    requests = search_requests(title_queries(args.corpus, QUERIES))
    wrk = find_wrk()
    print(
        f"load: {'wrk ' + wrk if wrk else 'no wrk: Python keep-alive threads'}, "
        f"{args.connections} connections, {len(requests)} requests in the mix"
    )
    both_env = {"GUNICORN_CMD_ARGS": "--max-requests 0"} if args.steady else {}
    ours_env = both_env | dict(item.split("=", 1) for item in args.env)
    checkouts = [
        ("reference", args.checkout.resolve(), both_env),
        ("this", ROOT, ours_env),
        ("this, no answers kept", ROOT, {**ours_env, "FAHRAS_ANSWERS_KEPT": "0"}),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _, _ in checkouts}
    with tempfile.TemporaryDirectory() as folder:
        script = lua_script(requests, Path(folder))
        for round_number in range(args.rounds):
            order = checkouts if round_number % 2 == 0 else checkouts[::-1]
            for name, root, env in order:
                slug = re.sub(r"\W+", "-", name)
                log = Path(tempfile.gettempdir()) / f"fahras-wrk-bench-{slug}.log"  # kept
                with Gunicorn(args.index, log, env, root=root) as server:
                    workers = len(server.worker_pids())
                    if wrk:
                        with_wrk(wrk, script, server.port, args.connections, args.warm_up)
                        rate, line = with_wrk(
                            wrk, script, server.port, args.connections, args.seconds
                        )
                    else:
                        with_threads(requests, server.port, args.connections, args.warm_up)
                        rate, line = with_threads(
                            requests, server.port, args.connections, args.seconds
                        )
                rates[name].append(rate)
                print(
                    f"round {round_number + 1}  {name:<21} ({workers} workers)  {line}", flush=True
                )
    reference = sum(rates["reference"])
    for name, measured in rates.items():
        if name != "reference":
            print(f"{name}: {sum(measured) / reference:.2f}x the reference's requests/s")


if __name__ == "__main__":
    main()
