"""Per-client rate limits, answered with an Arabic 429 and Retry-After.

Two token buckets per client address, each refilled steadily and holding a quarter of a minute's
allowance, so a client can burst a little but never spend a whole minute's allowance at once:

- FAHRAS_API_RATE_LIMIT counts requests to the JSON API, which scripts call in loops;
- FAHRAS_SEARCH_COST_LIMIT counts what searches cost (search/budget.py: a word 1, a prefix 4…),
  on the pages, the API and the widget alike: a reader typing plain words never meets it, while
  a client asking for 24-prefix queries is slowed down after a few of them. A query costing more
  than the bucket holds passes when the bucket is full.

The buckets live in each gunicorn worker process (no shared store to run or to fail), so a client
spread over N workers may get up to N times the allowance.

Behind a reverse proxy every request comes from the proxy's address: FAHRAS_PROXY_HOPS makes the
app read the client from X-Forwarded-For instead (werkzeug's ProxyFix), so limits apply to the
real clients. Addresses in FAHRAS_RATE_LIMIT_EXEMPT (loopback by default: health checks, the
benchmarks, the operator) are not limited, except that a request carrying forwarding headers
while FAHRAS_PROXY_HOPS is 0 comes through a proxy nobody declared: it is limited (all such
clients share the proxy's bucket) and the log says to set FAHRAS_PROXY_HOPS. So a reverse proxy
on the same machine never makes every client exempt by mistake.
"""

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.errors import error_answer
from webapp.messages import RATE_LIMITED
from webapp.slots import SEARCH_ENDPOINTS, search_cost

LIMITED_PATHS = ("/api/",)
IPV6_PREFIX = 64
MAX_CLIENTS = 10_000  # buckets kept per worker; the least recently seen client is forgotten
BURST_SHARE = 4  # a bucket holds a quarter of a minute's allowance
FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


class TokenBuckets:
    """One token bucket per client, thread-safe and bounded in memory."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
        burst_share: float = BURST_SHARE,
    ) -> None:
        self.capacity = max(1.0, per_minute / burst_share)
        self.rate = per_minute / 60.0  # tokens per second
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, cost: float = 1.0) -> float:
        """Spend `cost` tokens of `client`: 0 if allowed, else the seconds until they are there.

        A cost above the bucket's capacity is charged as a full bucket: it passes once full.
        """
        cost = min(cost, self.capacity)
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            allowed = tokens >= cost
            self._buckets[client] = (tokens - cost if allowed else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return 0.0 if allowed else (cost - tokens) / self.rate

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
    cost_per_minute = int(app.config["FAHRAS_SEARCH_COST_LIMIT"])  # type: ignore[call-overload]
    if cost_per_minute:
        app.extensions["fahras_cost_limit"] = TokenBuckets(cost_per_minute)
        app.before_request(_limit_cost)
    _warn_of_a_silent_proxy(app, hops)


def _warn_of_a_silent_proxy(app: Flask, hops: int) -> None:
    """A public address served with no proxy declared and loopback exempt: say it at start-up.

    That is how a site behind nginx on the same machine looks when FAHRAS_PROXY_HOPS was
    forgotten, and then only forwarding headers keep its clients from being exempt.
    """
    public = urlsplit(str(app.config["FAHRAS_PUBLIC_URL"])).hostname
    exempt = str(app.config["FAHRAS_RATE_LIMIT_EXEMPT"]).split()
    if public and not hops and not _is_loopback(public) and any(map(_is_loopback, exempt)):
        app.logger.warning(
            "FAHRAS_PUBLIC_URL is %s but FAHRAS_PROXY_HOPS=0 and loopback is exempt from rate"
            " limits: behind a reverse proxy on this machine set FAHRAS_PROXY_HOPS=1",
            public,
        )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _limit() -> Response | None:
    if not request.path.startswith(LIMITED_PATHS):
        return None
    return _charge("fahras_rate_limit", 1)


def _limit_cost() -> Response | None:
    if request.endpoint not in SEARCH_ENDPOINTS:
        return None
    return _charge("fahras_cost_limit", search_cost())


def _charge(buckets: str, cost: int) -> Response | None:
    """None if this request's client may spend `cost`, else the 429 to answer."""
    if _exempt():
        return None
    client = client_key(request.remote_addr or "")
    wait = current_app.extensions[buckets].take(client, cost)
    if not wait:
        return None
    response = make_response(error_answer(429, RATE_LIMITED))
    response.headers["Retry-After"] = str(math.ceil(wait))
    return response


def _exempt() -> bool:
    """The client is in FAHRAS_RATE_LIMIT_EXEMPT, and not a proxy nobody declared."""
    address = canonical_address(request.remote_addr or "")
    if address not in str(current_app.config["FAHRAS_RATE_LIMIT_EXEMPT"]).split():
        return False
    if current_app.config["FAHRAS_PROXY_HOPS"] or not _forwarded():
        return True
    if not current_app.extensions.get("fahras_proxy_warned"):
        current_app.extensions["fahras_proxy_warned"] = True
        current_app.logger.warning(
            "requests from %s carry proxy headers but FAHRAS_PROXY_HOPS=0: they are rate-limited"
            " together as one client; set FAHRAS_PROXY_HOPS to the number of proxies",
            address,
        )
    return False


def _forwarded() -> bool:
    return any(name in request.headers for name in FORWARDING_HEADERS)


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
