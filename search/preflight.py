"""What an indexing run is refused for before it writes anything (issue 9 §4).

A run that cannot index anything as asked must say so and leave no index behind: no supported
file among the sources, or a `--field OURS=THEIRS` naming a field we do not have (often the two
sides swapped) or a column the input never has, which would silently index empty titles.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from search.errors import SourceError
from search.fields import BUILTIN, FieldRegistry
from search.loaders import LoadOptions, RawRecord, discover, iter_records
from search.loaders.formats import describe_supported


def check_sources(
    sources: Sequence[str | Path], options: LoadOptions, registry: FieldRegistry = BUILTIN
) -> None:
    """Raise SourceError if `sources` hold no supported file or `options.field_map` is wrong."""
    files, _ = discover(sources)
    if not files:
        named = ", ".join(str(source) for source in sources)
        raise SourceError(
            f"no supported files found in {named} (supported: {describe_supported()})"
        )
    check_field_names(options.field_map, registry.known_keys())
    wanted = set(options.field_map.values())
    unseen = wanted - columns_seen(sources, replace(options, field_map={}), wanted)
    if unseen:
        pairs = ", ".join(f"--field {o}={t}" for o, t in options.field_map.items() if t in unseen)
        raise SourceError(
            f"{pairs}: no record of the input has {_names(unseen)} "
            "(the form is --field OURS=THEIRS, THEIRS being the input's column or key)"
        )


def check_field_names(field_map: Mapping[str, str], fields: Collection[str]) -> None:
    """Every OURS of --field OURS=THEIRS must be one of our `fields` (the index's settings')."""
    for ours, theirs in field_map.items():
        if ours in fields:
            continue
        hint = f"; did you mean --field {theirs}={ours}?" if theirs in fields else ""
        raise SourceError(
            f"--field {ours}={theirs}: {ours!r} is not a field (fields: "
            f"{', '.join(sorted(fields))}; the form is OURS=THEIRS){hint}"
        )


def columns_seen(sources: Sequence[str | Path], options: LoadOptions, wanted: set[str]) -> set[str]:
    """The `wanted` columns that some record of `sources` has; stops once all are found."""
    seen: set[str] = set()
    if not wanted:
        return seen
    for item in iter_records(sources, options):
        if isinstance(item, RawRecord):
            seen.update(wanted & item.fields.keys())
            if seen == wanted:
                break
    return seen


def _names(columns: set[str]) -> str:
    return ", ".join(repr(column) for column in sorted(columns))
