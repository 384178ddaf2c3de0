"""The settings part of `fahras`: `index --settings FILE`, `--rebuild-from-index`, `settings`.

Kept apart from search/commands.py so the settings file has one face: it is checked here before
it is installed, a change that needs a rebuild is refused unless one is asked for, and a change
that does not is made visible to running servers by an empty commit (a new index generation,
which every engine opens with the index's settings).
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from search.errors import FahrasError
from search.fields import Kind
from search.indexer import IndexOptions, IndexReport, rebuild_from_index, rebuild_message
from search.progress import Progress
from search.settings import (
    Settings,
    install,
    installed,
    load_settings,
    rebuild_reasons,
    settings_path,
)
from search.store import index_exists, open_index, read_meta, writer_lock


def prepare_index(
    args: argparse.Namespace, report_printer: Callable[[IndexReport, Path], None]
) -> int | None:
    """Install `--settings`, run `--rebuild-from-index`; None when sources are to be indexed."""
    if args.rebuild_from_index and args.sources:
        raise FahrasError("give SOURCE... or --rebuild-from-index, not both")
    if not args.sources and not args.settings and not args.rebuild_from_index:
        raise FahrasError(
            "nothing to index: give SOURCE..., --settings FILE or --rebuild-from-index"
        )
    if args.settings:
        _install(args)
    if args.rebuild_from_index:
        progress = Progress()
        report = rebuild_from_index(
            args.index, IndexOptions(wait=args.wait), on_progress=progress.update
        )
        progress.finish()
        if args.json:
            print(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            report_printer(report, args.index)
        return 130 if report.interrupted else 0
    return None if args.sources else 0


def _install(args: argparse.Namespace) -> None:
    settings = load_settings(args.settings)
    reasons = _reasons(args.index, settings)
    rebuilding = args.rebuild_from_index or (args.rebuild and args.sources)
    if reasons and not rebuilding:
        raise FahrasError(rebuild_message(args.index, reasons, args.settings))
    Path(args.index).mkdir(parents=True, exist_ok=True)
    with writer_lock(args.index, wait=args.wait):
        install(args.index, args.settings)
        if index_exists(args.index) and not reasons:
            writer = open_index(args.index).writer()
            writer.commit()  # a new generation: servers open it with the new settings
    what = "the index will be rebuilt" if reasons else "no rebuild needed"
    print(f"settings installed in {settings_path(args.index)} ({what})")


def _reasons(index_dir: Path, settings: Settings) -> list[str]:
    """Why `settings` would need a rebuild of the index ([] for a new or empty index)."""
    meta = read_meta(index_dir)
    if not index_exists(index_dir) or not meta.get("last_update"):
        return []
    return rebuild_reasons(meta.get("settings"), settings)  # type: ignore[arg-type]


def settings_command(args: argparse.Namespace) -> int:
    """`fahras settings show|check [FILE] [--index DIR]`."""
    path = Path(args.file) if args.file else settings_path(args.index)
    settings = load_settings(path) if path.exists() or args.file else installed(args.index)
    reasons = _reasons(args.index, settings)
    if args.action == "check":
        state = "the index must be rebuilt: " + ", ".join(reasons) if reasons else "up to date"
        checked = path if path.exists() else "no settings file (the defaults)"
        print(f"{checked}: valid; index {args.index}: {state}")
        return 0
    file = str(path) if path.exists() else None  # None: no settings file, the defaults
    description = describe(settings) | {"file": file, "rebuild_needed": reasons}
    if args.json:
        print(json.dumps(description, ensure_ascii=False, indent=2))
    else:
        _print_description(description)
    return 0


def describe(settings: Settings) -> dict[str, object]:
    """The settings in force: every field with its kind, label and names, and the rest."""
    registry = settings.registry()
    return {
        "fields": [
            {
                "name": f.name,
                "kind": f.kind.value,
                "label": f.label,
                "aliases": list(f.aliases),
                "inputs": list(f.inputs),
                "split": f.split,
                "shown": f.shown,
                "weight": f.weight if f.kind is Kind.TEXT else None,
                "limit": f.limit,
                "builtin": f.builtin,
            }
            for f in registry.fields
        ],
        "facet_order": list(registry.filter_names),
        "synonyms": {
            "groups": [list(g) for g in settings.synonyms.groups],
            "expand": {k: list(v) for k, v in settings.synonyms.expand.items()},
            "boost": settings.synonyms.boost,
        },
        "analysis": settings.rules.as_dict(),
        "recency_half_life_days": settings.half_life_days,
    }


def _print_description(description: dict) -> None:
    print(f"settings: {description['file'] or 'none (the defaults)'}")
    print("fields:")
    for f in description["fields"]:
        names = ", ".join([f["name"], *f["aliases"]])
        extra = f" weight {f['weight']}" if f["weight"] is not None else ""
        extra += f" limit {f['limit']}" if f["limit"] else ""
        origin = "" if f["builtin"] else "  (settings)"
        print(f"  {f['name']:<12} {f['kind']:<9} {f['label']}  [{names}]{extra}{origin}")
    print(f"facet panel: {', '.join(description['facet_order'])}")
    synonyms = description["synonyms"]
    for group in synonyms["groups"]:
        print(f"synonyms: {' = '.join(group)}")
    for word, targets in synonyms["expand"].items():
        print(f"expand: {word} → {', '.join(targets)}")
    analysis = description["analysis"]
    if analysis["protected"]:
        print(f"protected: {', '.join(analysis['protected'])}")
    for word, stem in analysis["stems"].items():
        print(f"stem: {word} → {stem}")
    for key in ("stop_added", "stop_removed"):
        if analysis[key]:
            print(f"stop words {key.removeprefix('stop_')}: {', '.join(analysis[key])}")
    half_life = description["recency_half_life_days"]
    print(f"recency: {'half-life ' + str(half_life) + ' days' if half_life else 'off'}")
    if description["rebuild_needed"]:
        print(f"rebuild needed: {', '.join(description['rebuild_needed'])}")
