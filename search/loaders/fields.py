"""Field-level rules shared by the formats: renaming keys and turning tag strings into lists."""

import re
from collections.abc import Mapping
from typing import TypeVar

LIST_FIELDS = frozenset({"tags", "categories"})

Value = TypeVar("Value")


def map_fields(found: dict[str, Value], field_map: Mapping[str, str]) -> dict[str, Value]:
    """Rename keys by `field_map` (ours -> theirs); a mapped key wins over one already named ours.

    Keys used as a source are dropped, so {"title": "headline"} leaves no "headline" behind.
    """
    if not field_map:
        return found
    sources = set(field_map.values())
    fields = {key: value for key, value in found.items() if key not in sources}
    fields.update({ours: found[theirs] for ours, theirs in field_map.items() if theirs in found})
    return fields


def split_list(value: str, separators: str) -> list[str]:
    """Items of a "a; b; c" style cell, trimmed, empty ones dropped."""
    items = re.split(f"[{re.escape(separators)}]", value)
    return [item.strip() for item in items if item.strip()]
