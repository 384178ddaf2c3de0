"""`fahras keys create|list|revoke`: the API keys a CMS or a private archive's readers use."""

import argparse

from search.commands import print_json
from search.keys import KeyStore, parse_scope


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
