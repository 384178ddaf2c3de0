"""HTTP hardening (issue 6 §3): headers on every answer, size limits, API rate limits, no debug,
and gunicorn settings that bound each worker's time and memory."""

import ctypes
import re
import runpy
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import gunicorn_conf
from webapp.limits import MAX_BODY_BYTES, MAX_QUERY_STRING_BYTES
from webapp.memory import memory_mb
from webapp.ratelimit import TokenBuckets, client_key
from webapp.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
ARABIC = re.compile(r"[\u0600-\u06ff]{3,}")
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}  # a client that is not exempt from rate limits


def limited_app(make_app: Callable[..., Flask], **config: object) -> Flask:
    """An API limit of 12 a minute: bursts of 3, then one every 5 s."""
    return make_app(FAHRAS_API_RATE_LIMIT=12, FAHRAS_RATE_LIMIT_EXEMPT="", **config)


# --- headers ----------------------------------------------------------------------------------

ANSWERS = [
    ("GET", "/", 200),
    ("GET", "/search?q=%D9%83%D8%AA%D8%A7%D8%A8", 200),
    ("GET", "/search?page=abc", 400),
    ("GET", "/doc/no-such-document", 404),
    ("GET", "/api/search?q=x", 200),
    ("GET", "/api/suggest?q=x", 200),
    ("GET", "/api/analyze?text=x", 200),
    ("GET", "/healthz", 200),
    ("GET", "/opensearch.xml", 200),
    ("GET", "/static/css/fahras.css", 200),
    ("GET", "/static/no-such-file.js", 404),
    ("POST", "/search", 405),
    ("GET", "/search?q=" + "a" * (MAX_QUERY_STRING_BYTES + 1), 414),
]


@pytest.mark.parametrize(("method", "url", "status"), ANSWERS)
def test_every_answer_carries_the_security_headers(
    client: FlaskClient, method: str, url: str, status: int
) -> None:
    response = client.open(url, method=method)
    response.close()  # static files are streamed
    assert response.status_code == status
    assert_security_headers(response.headers)


def assert_security_headers(headers: object) -> None:
    policy = headers["Content-Security-Policy"]  # type: ignore[index]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["Referrer-Policy"] == "same-origin"  # type: ignore[index]


def test_errors_raised_before_a_route_also_carry_the_headers(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    too_big = make_app().test_client().post("/api/search", data=b"x" * 40_000)
    limited = limited_app(make_app).test_client()
    for _ in range(4):
        refused = limited.get("/api/suggest?q=x", environ_base=ELSEWHERE)
    no_index = make_app(FAHRAS_INDEX=str(tmp_path / "none")).test_client().get("/")
    assert (too_big.status_code, refused.status_code, no_index.status_code) == (413, 429, 503)
    for response in (too_big, refused, no_index):
        assert_security_headers(response.headers)


# --- size limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/search", "/api/search", "/api/suggest", "/doc/x"])
def test_a_long_query_string_is_an_arabic_414(client: FlaskClient, path: str) -> None:
    response = client.get(f"{path}?q=" + "%D9%83" * 2000)
    assert response.status_code == 414
    text = response.get_data(as_text=True)
    assert ARABIC.search(text) and "Traceback" not in text
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 414


def test_the_longest_accepted_query_fits_the_query_string_limit(client: FlaskClient) -> None:
    words = ("بالمستشفيات " * 42)[:500]  # 500 characters, nearly all two-byte letters
    filters = "&category=economy&source=BBC%20Arabic&from=2018-01-01&to=2018-12-31&sort=newest"
    response = client.get("/search?q=" + words + filters)
    assert response.status_code == 200


def test_a_request_body_is_refused_with_an_arabic_413(client: FlaskClient) -> None:
    response = client.post("/api/analyze", data=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert ARABIC.search(response.get_json()["error"]["message"])


LONG_TEXT = ("كِتَابُ الأطفالِ الجديد " * 300)[:5000]  # 5,000 characters, the documented most


@pytest.mark.parametrize("form", ["json", "form"])
def test_analyze_takes_its_documented_5000_characters_by_post(
    client: FlaskClient, form: str
) -> None:
    """A GET carries about 1,100 Arabic letters; a POST body the whole 5,000 (issue 15)."""
    sent = {"json": {"text": LONG_TEXT}} if form == "json" else {"data": {"text": LONG_TEXT}}
    response = client.post("/api/analyze", **sent)  # type: ignore[arg-type]
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert answer["text"] == LONG_TEXT and len(answer["tokens"]) > 600
    too_long = (
        {"json": {"text": LONG_TEXT + "ب"}}
        if form == "json"
        else {"data": {"text": LONG_TEXT + "ب"}}
    )
    refused = client.post("/api/analyze", **too_long)  # type: ignore[arg-type]
    assert refused.status_code == 400 and ARABIC.search(refused.get_json()["error"]["message"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"text": 5}', "application/json"),
        (b'{"words": "x"}', "application/json"),
        (b"words=x", "application/x-www-form-urlencoded"),
    ],
)
def test_a_bad_analyze_body_is_an_arabic_400(
    client: FlaskClient, body: bytes, content_type: str
) -> None:
    response = client.post("/api/analyze", data=body, content_type=content_type)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert ARABIC.search(error["message"]) and error["detail"] == "parameter: text"


# --- rate limits ------------------------------------------------------------------------------


def test_the_api_answers_an_arabic_429_with_retry_after(make_app: Callable[..., Flask]) -> None:
    client = limited_app(make_app).test_client()
    statuses = [client.get("/api/search", environ_base=ELSEWHERE).status_code for _ in range(3)]
    refused = client.get("/api/suggest?q=x", environ_base=ELSEWHERE)
    assert statuses == [200, 200, 200] and refused.status_code == 429
    assert refused.headers["Retry-After"] == "5"  # 12 a minute: the next token in 5 s
    error = refused.get_json()["error"]
    assert error["status"] == 429 and ARABIC.search(error["message"])
    assert client.get("/search", environ_base=ELSEWHERE).status_code == 200  # pages: not limited
    other = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get("/api/search", environ_base=other).status_code == 200


def test_loopback_is_exempt_by_default_and_zero_turns_limits_off(
    make_app: Callable[..., Flask],
) -> None:
    local = make_app(FAHRAS_API_RATE_LIMIT=1).test_client()
    assert {local.get("/api/suggest?q=x").status_code for _ in range(5)} == {200}
    off = make_app(FAHRAS_API_RATE_LIMIT=0, FAHRAS_RATE_LIMIT_EXEMPT="").test_client()
    assert {off.get("/api/suggest?q=x", environ_base=ELSEWHERE).status_code for _ in range(5)} == {
        200
    }


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    make_app: Callable[..., Flask],
) -> None:
    def statuses(app: Flask, forwarded_for: str) -> list[int]:
        client = app.test_client()
        headers = {"X-Forwarded-For": forwarded_for}
        return [
            client.get("/api/suggest?q=x", headers=headers, environ_base=ELSEWHERE).status_code
            for _ in range(4)
        ]

    direct = limited_app(make_app)  # a client cannot dodge the limit by inventing addresses
    assert statuses(direct, "192.0.2.1")[-1] == 429
    proxied = limited_app(make_app, FAHRAS_PROXY_HOPS=1)
    assert statuses(proxied, "192.0.2.1") == [200, 200, 200, 429]
    assert statuses(proxied, "192.0.2.2") == [200, 200, 200, 429]


def test_token_buckets_refill_and_stay_bounded() -> None:
    now = [0.0]
    buckets = TokenBuckets(60, clock=lambda: now[0], max_clients=2)
    # A quarter of a minute's allowance at once, not the whole minute's (issue 15).
    assert [buckets.take("a") for _ in range(15)] == [0.0] * 15
    assert buckets.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert buckets.take("a") == 0.0
    buckets.take("b")
    buckets.take("c")
    assert len(buckets) == 2  # "a", the least recently seen, was forgotten
    assert buckets.take("a") == 0.0  # …and starts again with a full bucket


def test_a_costly_take_waits_for_its_cost_and_never_more_than_a_full_bucket() -> None:
    now = [0.0]
    buckets = TokenBuckets(600, clock=lambda: now[0])  # 10 a second, 150 at once
    assert buckets.take("a", 96) == 0.0
    assert buckets.take("a", 96) == pytest.approx((96 - 54) / 10)
    now[0] += 15
    assert buckets.take("a", 10_000) == 0.0  # more than it holds: passes when full
    assert buckets.take("a", 1) == pytest.approx(0.1)


def test_ipv6_clients_are_limited_by_their_64() -> None:
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:2") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_loopback_over_a_dual_stack_socket_is_exempt(make_app: Callable[..., Flask]) -> None:
    client = make_app(FAHRAS_API_RATE_LIMIT=1).test_client()
    mapped = {"REMOTE_ADDR": "::ffff:127.0.0.1"}
    assert {client.get("/api/search", environ_base=mapped).status_code for _ in range(3)} == {200}


@pytest.mark.parametrize(
    "environ",
    [
        {"FAHRAS_API_RATE_LIMIT": "-1"},
        {"FAHRAS_API_RATE_LIMIT": "lots"},
        {"FAHRAS_RATE_LIMIT_EXEMPT": "localhost"},
        {"FAHRAS_PROXY_HOPS": "9"},
        {"FAHRAS_WORKER_MEMORY_MB": "-5"},
    ],
)
def test_bad_hardening_settings_name_the_variable(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=next(iter(environ))):
        load_settings(environ)


def test_exempt_addresses_are_read_in_their_canonical_spelling() -> None:
    exempt = load_settings({"FAHRAS_RATE_LIMIT_EXEMPT": "127.0.0.1, 0:0::1"})
    assert exempt["FAHRAS_RATE_LIMIT_EXEMPT"] == "127.0.0.1 ::1"
    assert load_settings({"FAHRAS_RATE_LIMIT_EXEMPT": ""})["FAHRAS_RATE_LIMIT_EXEMPT"] == ""


# --- no debug ---------------------------------------------------------------------------------


def test_the_production_app_is_not_in_debug_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = runpy.run_path(str(ROOT / "wsgi.py"))["app"]
    try:
        assert not app.debug and not app.testing
        assert app.config["PROPAGATE_EXCEPTIONS"] is None
    finally:
        app.extensions["fahras"].close()


def test_even_with_flask_debug_an_error_shows_no_trace(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app(TESTING=False)
    assert app.debug

    def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["fahras"].engine(), "search", broken)
    for url in ("/search?q=x", "/api/search?q=x"):
        response = app.test_client().get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "secret internals" not in text and "Traceback" not in text


# --- gunicorn ---------------------------------------------------------------------------------


def test_gunicorn_settings_bound_each_worker() -> None:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "wsgi:app"
    for name in (
        "timeout",
        "graceful_timeout",
        "max_requests",
        "max_requests_jitter",
        "limit_request_line",
        "limit_request_fields",
        "limit_request_field_size",
        "post_request",
        "worker_tmp_dir",
        "control_socket_disable",
    ):
        assert settings[name] == getattr(gunicorn_conf, name), name
    assert 0 < gunicorn_conf.timeout <= 60 and gunicorn_conf.graceful_timeout <= 30
    assert 0 < gunicorn_conf.max_requests_jitter < gunicorn_conf.max_requests <= 10_000
    assert MAX_QUERY_STRING_BYTES < gunicorn_conf.limit_request_line <= 8190
    assert gunicorn_conf.limit_request_fields <= 100
    assert not getattr(gunicorn_conf, "reload", False)
    assert gunicorn_conf.preload_app is False and gunicorn_conf.control_socket_disable


class FakeWorker:
    """What gunicorn's hooks use of a worker: its app, its log and its `alive` flag."""

    def __init__(self, app: Flask) -> None:
        self.wsgi = app
        self.alive = True
        self.warnings: list[str] = []
        self.log = types.SimpleNamespace(warning=lambda msg, *args: self.warnings.append(msg))


@pytest.mark.parametrize("limit_mb", [10**6, 0], ids=["within", "no-limit"])
def test_a_worker_within_its_memory_limit_keeps_serving(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, limit_mb: int
) -> None:
    monkeypatch.setattr(gunicorn_conf, "MEMORY_LIMIT_MB", limit_mb)
    worker = FakeWorker(make_app())
    gunicorn_conf.post_worker_init(worker)
    gunicorn_conf.post_request(worker, None, None, None)
    assert worker.alive and not worker.warnings


def test_a_worker_grown_past_its_memory_limit_is_restarted(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gunicorn_conf, "MEMORY_LIMIT_MB", int(memory_mb()) + 256)
    worker = FakeWorker(make_app())
    gunicorn_conf.post_worker_init(worker)
    ballast = bytearray(300 * 2**20)  # the "leak": 300 MB the worker now holds
    ballast[:: 2**12] = b"x" * len(ballast[:: 2**12])  # touched, so it is resident
    gunicorn_conf.post_request(worker, None, None, None)
    del ballast
    assert worker.alive is False and "restarting" in worker.warnings[0]


def test_a_limit_below_a_fresh_worker_warns_instead_of_restarting_forever(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gunicorn_conf, "MEMORY_LIMIT_MB", 1)
    worker = FakeWorker(make_app())
    gunicorn_conf.post_worker_init(worker)
    gunicorn_conf.post_request(worker, None, None, None)
    assert worker.alive and "raise it" in worker.warnings[0]


def test_memory_is_read_from_proc() -> None:
    assert memory_mb() > 1 and memory_mb(field="VmRSS") >= memory_mb()
    assert memory_mb(pid=2**30) == 0.0


FRAGMENTING = """
import sys
from webapp.memory import fixed_mmap_threshold, memory_mb

if sys.argv[1] == "fixed":
    assert fixed_mmap_threshold()
big = bytearray(8 * 2**20)
big[::4096] = b"x" * len(big[::4096])
del big  # by default glibc now serves blocks of up to 8 MB from the heap
before = memory_mb()
blocks = [bytearray(2 * 2**20) for _ in range(100)]  # like a generation's arrays
for block in blocks:
    block[::4096] = b"x" * len(block[::4096])
still_used = blocks.pop()  # above the others in the heap: it cannot shrink past it
del blocks, block
print(memory_mb() - before)
"""


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallopt"), reason="glibc only")
def test_workers_give_freed_blocks_back_to_the_system() -> None:
    def kept_mb(mode: str) -> float:
        run = subprocess.run(
            [sys.executable, "-c", FRAGMENTING, mode], capture_output=True, text=True, check=True
        )
        return float(run.stdout)

    assert kept_mb("dynamic") > 100  # glibc's default: 200 MB freed, still resident
    assert kept_mb("fixed") < 20  # what gunicorn workers do (post_worker_init)
