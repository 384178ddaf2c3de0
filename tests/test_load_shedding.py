"""Expensive queries cannot tie up a worker (issue 15): search slots, cost limits, health.

No wall clock: slots are taken by threads the test controls, and buckets are counted.
"""

import threading
from collections.abc import Callable
from urllib.parse import quote

import pytest
from flask import Flask

from search import scorer as scorer_module
from search.engine import SearchEngine, SearchRequest
from webapp.slots import SearchSlots

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}  # not exempt from rate limits
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
BURST = " ".join(f"ال{letter}*" for letter in "ابتثجحخدذرزسشصضطظعغفقكلم")
ARABIC_503 = "الخادم مشغول"


def test_expensive_searches_wait_in_a_short_line_and_the_rest_are_refused_at_once() -> None:
    slots = SearchSlots(searches=10, expensive=1, wait=30)
    assert slots.enter(expensive=True)  # running
    waiting = []
    entered = threading.Event()

    def wait_in_line() -> None:
        waiting.append(threading.current_thread())
        if slots.enter(expensive=True):
            entered.set()
            slots.leave(expensive=True)

    line = [threading.Thread(target=wait_in_line) for _ in range(2)]
    for thread in line:
        thread.start()
    while len(waiting) < 2 or slots._in_line._value:  # both are in line
        threading.Event().wait(0.01)
    assert not slots.enter(expensive=True)  # a fourth: refused without waiting 30 s
    assert slots.enter(expensive=False)  # plain searches are not in that line
    slots.leave(expensive=False)
    slots.leave(expensive=True)
    for thread in line:
        thread.join(30)
    assert entered.is_set() and slots.enter(expensive=True)


def test_slots_refuse_at_once_when_full_and_expensive_searches_take_turns() -> None:
    slots = SearchSlots(searches=2, expensive=1, wait=0.0)
    assert slots.enter(expensive=True)
    assert not slots.enter(expensive=True)  # no turn free: refused, its slot given back
    assert slots.enter(expensive=False)
    assert not slots.enter(expensive=False)  # both slots taken
    slots.leave(expensive=True)
    assert slots.enter(expensive=True)


def test_a_full_worker_answers_searches_503_but_health_and_static_at_once(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(FAHRAS_SEARCH_SLOTS=1)
    held = threading.Event()
    release = threading.Event()
    engine = app.extensions["fahras"].engine()
    real = engine.search

    def slow_search(request: object, afresh: bool = False) -> object:
        if not held.is_set():  # only the first search stalls: /healthz searches too
            held.set()
            release.wait(30)
        return real(request, afresh)  # type: ignore[arg-type]

    engine.search = slow_search  # type: ignore[method-assign]
    client = app.test_client()
    running = threading.Thread(target=lambda: client.get("/search?q=" + quote("كتاب")))
    running.start()
    try:
        assert held.wait(30)
        busy = client.get("/search?q=" + quote("كتاب"))
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert ARABIC_503 in busy.get_data(as_text=True)
        api = client.get("/api/search?q=x")
        assert api.status_code == 503 and ARABIC_503 in api.get_json()["error"]["message"]
        assert client.get("/healthz").status_code == 200
        static = client.get("/static/css/fahras.css")
        static.close()
        assert static.status_code == 200
        assert client.get("/api/suggest?q=" + quote("كت")).status_code == 200
    finally:
        release.set()
        running.join(30)
    assert client.get("/search?q=" + quote("كتاب")).status_code == 200  # the slot came back


def test_health_does_not_wait_behind_a_running_search(
    sample_index: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release = threading.Event(), threading.Event()
    real_evaluate = scorer_module.QueryScorer.evaluate

    def stalled(self: object, parsed: object, deadline: object = None) -> object:
        inside.set()
        release.wait(30)
        return real_evaluate(self, parsed, deadline)  # type: ignore[arg-type]

    engine = SearchEngine(sample_index)  # type: ignore[arg-type]
    try:
        expected = engine.doc_count()
        monkeypatch.setattr(scorer_module.QueryScorer, "evaluate", stalled)
        running = threading.Thread(target=engine.search, args=(SearchRequest(q="كتاب"),))
        running.start()
        assert inside.wait(30)
        answers: list[int] = []
        reader = threading.Thread(target=lambda: answers.append(engine.doc_count()))
        reader.start()
        reader.join(30)
        assert answers == [expected] and engine.generation() >= 1
        release.set()
        running.join(30)
    finally:
        release.set()
        engine.close()


def test_pages_are_limited_by_the_cost_of_their_searches(make_app: Callable[..., Flask]) -> None:
    """120 units a minute, 30 at once: plain words pass, a 24-prefix query empties the bucket."""
    client = make_app(FAHRAS_RATE_LIMIT_EXEMPT="", FAHRAS_SEARCH_COST_LIMIT=120).test_client()
    plain = [client.get("/search?q=" + quote("كتاب"), environ_base=ELSEWHERE) for _ in range(20)]
    assert {r.status_code for r in plain} == {200}
    expensive = "/search?q=" + quote(BURST)
    other = {"REMOTE_ADDR": "198.51.100.9"}
    statuses = [client.get(expensive, environ_base=other).status_code for _ in range(3)]
    assert statuses == [200, 429, 429]  # the bucket refills in 15 s
    refused = client.get(expensive, environ_base=other)
    assert 1 <= int(refused.headers["Retry-After"]) <= 15
    assert client.get("/api/search?q=" + quote(BURST), environ_base=other).status_code == 429
    assert client.get("/embed?q=" + quote(BURST), environ_base=other).status_code == 429
    assert client.get("/healthz", environ_base=other).status_code == 200  # not a search


def test_a_proxy_nobody_declared_is_not_exempt(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    """Behind nginx on the same host every client is 127.0.0.1: with forwarding headers and
    FAHRAS_PROXY_HOPS=0 they are limited together, and the log says what to set."""
    client = make_app(FAHRAS_API_RATE_LIMIT=4).test_client()  # one at a time
    proxied = {"X-Forwarded-For": "192.0.2.1"}
    direct = [client.get("/api/suggest?q=x", environ_base=LOOPBACK) for _ in range(3)]
    assert {r.status_code for r in direct} == {200}  # the operator on the machine: exempt
    through = [
        client.get("/api/suggest?q=x", headers=proxied, environ_base=LOOPBACK).status_code
        for _ in range(2)
    ]
    assert through == [200, 429]
    assert "FAHRAS_PROXY_HOPS" in caplog.text
    declared = make_app(FAHRAS_API_RATE_LIMIT=4, FAHRAS_PROXY_HOPS=1).test_client()
    per_client = [
        declared.get("/api/suggest?q=x", headers={"X-Forwarded-For": f"192.0.2.{n}"}).status_code
        for n in range(3)
    ]
    assert per_client == [200, 200, 200]  # each real client has its own bucket


def test_a_public_site_without_a_declared_proxy_is_warned_about_at_start_up(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    make_app(FAHRAS_PUBLIC_URL="https://fahras.example")
    assert "set FAHRAS_PROXY_HOPS=1" in caplog.text
    caplog.clear()
    make_app(FAHRAS_PUBLIC_URL="https://fahras.example", FAHRAS_PROXY_HOPS=1)
    make_app(FAHRAS_PUBLIC_URL="http://127.0.0.1:8000")
    assert "FAHRAS_PROXY_HOPS" not in caplog.text


def test_gunicorn_runs_two_threads_more_than_the_search_slots() -> None:
    from webapp import gunicorn_conf
    from webapp.settings import load_settings

    assert gunicorn_conf.threads == int(load_settings()["FAHRAS_SEARCH_SLOTS"]) + 2  # type: ignore[call-overload]
    assert gunicorn_conf.worker_class == "webapp.gunicorn_worker.ArabicThreadWorker"
