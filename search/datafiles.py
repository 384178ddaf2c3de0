"""The data files Fahras reads at run time, found through `importlib.resources`.

They ship inside the `search` package (pyproject.toml's package-data), so an installed wheel
reads them from site-packages exactly as a clone reads them from the source tree. A missing one
is reported when Fahras starts, in one line that says what to do, never as a failing search.
"""

from importlib import resources

from search.errors import FahrasError

DATA_FILES = (
    "data/derivations.tsv.gz",
    "data/lexicon.tsv.gz",
    "data/plurals.tsv.gz",
    "data/ta_marbuta_nouns.txt.gz",
)


class MissingDataError(FahrasError):
    """Fahras is installed without one of its data files."""


def read_data(name: str) -> bytes:
    """The bytes of packaged data file `name` (a path under search/), or MissingDataError."""
    try:
        return resources.files("search").joinpath(name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise MissingDataError(
            f"fahras is installed without its data file search/{name}: reinstall it "
            "(pip install --force-reinstall fahras, or pip install -e . in a clone)"
        ) from None


def check_data_files() -> None:
    """Raise MissingDataError now if any data file is missing, before a search needs it."""
    for name in DATA_FILES:
        if not resources.files("search").joinpath(name).is_file():
            read_data(name)
