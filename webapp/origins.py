"""Which other sites may use Fahras from a browser: FAHRAS_EMBED_ORIGINS, read once, used thrice.

The same list decides who may frame /embed (CSP frame-ancestors), whom the framed widget talks
to over postMessage, and which pages may call the JSON API (CORS). `*` means any site; then
/embed sends no frame-ancestors at all, because `*` in CSP would still refuse hosts without an
http(s) origin (a file opened from disk, a sandboxed frame) that "any" is meant to include.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

ANY = "*"
SETTING = "FAHRAS_EMBED_ORIGINS"
# scheme://host[:port] and nothing else: browsers compare origins exactly, so a path, a trailing
# slash or a wildcard host would never match and only hide a typo.
_ORIGIN = re.compile(r"https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?")


def parse_origins(raw: str) -> str:
    """The setting's canonical text: `*`, or origins lower-cased, space-separated, deduplicated.

    Commas are accepted as separators too. Raises ValueError with the accepted form.
    """
    tokens = [token.lower().rstrip("/") for token in raw.replace(",", " ").split()]
    wanted = "`*` or origins such as `https://example.com http://localhost:8000`"
    if not tokens or (ANY in tokens and tokens != [ANY]):
        raise ValueError(wanted)
    if tokens == [ANY]:
        return ANY
    bad = [token for token in tokens if not _ORIGIN.fullmatch(token)]
    if bad:
        raise ValueError(f"{wanted} (not {bad[0]!r})")
    return " ".join(dict.fromkeys(tokens))


@dataclass(frozen=True, slots=True)
class Origins:
    """The allowed origins; `any` when the setting is `*`."""

    listed: tuple[str, ...]

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> "Origins":
        return cls(tuple(str(config[SETTING]).split()))

    @property
    def any(self) -> bool:
        return self.listed == (ANY,)

    def allows(self, origin: str) -> bool:
        return self.any or origin.lower() in self.listed

    def frame_ancestors(self) -> str | None:
        """The CSP sources that may frame /embed (always us, for the demo page); None: any."""
        return None if self.any else " ".join(("'self'", *self.listed))
