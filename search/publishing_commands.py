"""The commands of publishing (issue 13): `fahras keys`, `fahras worker`, `search --related`."""

import argparse
import html
import logging
import signal
import sys
import threading

from search.commands import print_json
from search.engine import SearchEngine, vars_of
from search.errors import FahrasError
from search.keys import KeyStore, parse_scope
from search.publisher import Publisher


def create(args: argparse.Namespace) -> int:
    new = KeyStore(args.index).create(args.name, parse_scope(args.scope))
    if args.json:
        print_json(new.key.as_dict() | {"key": new.secret})
        return 0
    print(new.secret)
    print(
        f"key {new.key.key_id} ({new.key.name}, {new.key.scope}) created: copy it now, "
        "it is not shown again (only its hash is kept)."
    )
    return 0


def list_keys(args: argparse.Namespace) -> int:
    keys = KeyStore(args.index).list()
    if args.json:
        print_json([key.as_dict() for key in keys])
        return 0
    if not keys:
        print(f"no API keys for {args.index}: create one with `fahras keys create --name cms`")
    for key in keys:
        state = f"revoked {key.revoked}" if key.revoked else "active"
        print(f"{key.key_id}\t{key.scope}\t{key.name}\tcreated {key.created}\t{state}")
    return 0


def revoke(args: argparse.Namespace) -> int:
    key = KeyStore(args.index).revoke(args.key_id)
    print(f"key {key.key_id} ({key.name}) revoked {key.revoked}")
    return 0


def worker(args: argparse.Namespace) -> int:
    """Apply the queue of HTTP writes: until stopped, or (--once) until it is empty."""
    logging.basicConfig(level=logging.INFO, format="fahras worker: %(message)s", stream=sys.stderr)
    publisher = Publisher(args.index)
    if args.once:
        while publisher.apply_batch():
            pass
        print_json(publisher.queue.counts())
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    print(f"fahras worker: waiting to be the writer of {args.index}", file=sys.stderr, flush=True)
    publisher.run(stop)
    return 0


def related(args: argparse.Namespace) -> int:
    """`fahras search --related ID`: the articles most like ID."""
    engine = SearchEngine(args.index)
    try:
        hits = engine.related(args.related, args.limit)
    finally:
        engine.close()
    if hits is None:
        raise FahrasError(f"no document with id {args.related!r} in {args.index}")
    if args.json:
        print_json({"id": args.related, "related": [vars_of(hit) for hit in hits]})
        return 0
    for number, hit in enumerate(hits, 1):
        print(f"{number}. {html.unescape(hit.title)}   [{hit.id}]")
    return 0
