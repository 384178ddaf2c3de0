"""Per-client rate limiting of the JSON API (FAHRAS_API_RATE_LIMIT), answered with an Arabic 429.

The pages are not limited: a reader cannot type fast enough to hurt, and a page refused would
look broken. The API is what scripts call in loops. Each client address has a token bucket
holding a minute's allowance: a burst of that many requests passes, then one more as each share
of the minute elapses. The buckets live in each gunicorn worker process (no shared store to run
or to fail), so a client spread over N workers may get up to N times the allowance.

Behind a reverse proxy every request comes from the proxy's address: FAHRAS_PROXY_HOPS makes the
app read the client from X-Forwarded-For instead (werkzeug's ProxyFix), so limits apply to the
real clients. Addresses in FAHRAS_RATE_LIMIT_EXEMPT (loopback by default: health checks, the
benchmarks, the operator) are never limited.
"""

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, current_app, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.errors import error_answer
from webapp.messages import RATE_LIMITED

LIMITED_PATHS = ("/api/",)
IPV6_PREFIX = 64
MAX_CLIENTS = 10_000  # buckets kept per worker; the least recently seen client is forgotten


class TokenBuckets:
    """One token bucket per client, thread-safe and bounded in memory."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token of `client`: 0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            allowed = tokens >= 1
            self._buckets[client] = (tokens - 1 if allowed else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return 0.0 if allowed else (1 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)


def init_app(app: Flask) -> None:
    hops = int(app.config["FAHRAS_PROXY_HOPS"])  # type: ignore[call-overload]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
    per_minute = int(app.config["FAHRAS_API_RATE_LIMIT"])  # type: ignore[call-overload]
    if per_minute:
        app.extensions["fahras_rate_limit"] = TokenBuckets(per_minute)
        app.before_request(_limit)


def _limit() -> Response | None:
    if not request.path.startswith(LIMITED_PATHS):
        return None
    address = request.remote_addr or ""
    if canonical_address(address) in str(current_app.config["FAHRAS_RATE_LIMIT_EXEMPT"]).split():
        return None
    client = client_key(address)
    wait = current_app.extensions["fahras_rate_limit"].take(client)
    if not wait:
        return None
    response = make_response(error_answer(429, RATE_LIMITED))
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def canonical_address(raw: str) -> str:
    """One spelling per address, as FAHRAS_RATE_LIMIT_EXEMPT holds them.

    `::0001` is `::1`, and an IPv4 client of a dual-stack socket (`::ffff:127.0.0.1`) is its
    IPv4 address.
    """
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def client_key(raw: str) -> str:
    """The bucket of an address: itself for IPv4, its /64 for IPv6.

    An IPv6 host is given a whole /64 and can pick a new address in it for every request.
    """
    address = canonical_address(raw)
    if ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
