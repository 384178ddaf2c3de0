"""Pick the text encoding of a file from its first bytes."""

import codecs

HEAD_BYTES = 8192
_ARABIC_SHARE = 0.8


def choose_encoding(head: bytes, forced: str | None) -> str | None:
    """Codec name for a file starting with `head`, or None when it looks binary.

    A forced encoding wins (LookupError if unknown). Without one: a UTF-16 BOM decides; mostly
    valid UTF-8 means UTF-8; otherwise Windows-1256 if that reads as Arabic, else UTF-8 so
    that the bad lines get reported one by one.
    """
    name = codecs.lookup(forced).name if forced else _detect(head)
    if not is_wide(name) and b"\0" in head:
        return None
    return name


def is_wide(encoding: str) -> bool:
    """UTF-16/32 text is full of NUL bytes and cannot be split on b"\\n", so it is read as text."""
    return encoding.startswith(("utf-16", "utf-32"))


def _detect(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # final=False: the head may end inside a multi-byte character
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    invalid = text.count("\ufffd")
    valid = sum(not char.isascii() for char in text) - invalid
    # A few bad sequences in otherwise valid UTF-8 are bad lines, reported one by one later.
    if valid >= invalid or not _mostly_arabic(head.decode("cp1256")):
        return "utf-8"
    return "cp1256"


def _mostly_arabic(text: str) -> bool:
    """True if the non-ASCII letters are mostly Arabic, as in real cp1256 text (not Latin-1)."""
    letters = [char for char in text if char.isalpha() and not char.isascii()]
    arabic = sum("\u0600" <= char <= "\u06ff" for char in letters)
    return bool(letters) and arabic >= _ARABIC_SHARE * len(letters)
