"""Which way stored text reads, decided by its letters, not by its first word (issue 9 §2).

`dir="auto"` takes the first strong character: an Arabic article whose caption starts "camera
icon…" then reads left to right, and its punctuation jumps to the wrong end. Here a text (or a
paragraph) is right to left unless nearly all its letters are not Arabic, and every run of Latin
words inside it is wrapped in <bdi>, so it keeps its own order without disturbing the Arabic
around it. These work on our safe HTML (escaped text, <mark> tags), never on raw input.
"""

import re

from markupsafe import Markup

# Arabic, Arabic Supplement, Extended-A and the presentation forms: the letters of the archive.
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_SHARE_LTR = 0.25
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")
_LATIN = "A-Za-z\u00c0-\u024f"
# Latin words (letters first; digits, apostrophes, dots and hyphens inside) and what lies between
# two of them on one line ("Donald J. Trump", "Windows 10"): one run, in its own order. A run ends
# on a letter or digit, so a full stop after it stays in the Arabic sentence.
_WORD = rf"[{_LATIN}](?:[{_LATIN}0-9'’.\-]*[{_LATIN}0-9])?"
_LATIN_RUN = re.compile(rf"{_WORD}(?:[ \t\u00a0.,:;!?'’/()\-0-9]+{_WORD})*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def direction(text: str) -> str:
    """How `text` reads: "ltr" when it is clearly not Arabic, else "rtl".

    Clearly: under ARABIC_SHARE_LTR of its letters are Arabic. The pages are Arabic, so a mixed
    line ("tag icon ع ع ع") or one without letters keeps their direction.
    """
    letters = sum(map(str.isalpha, text))
    arabic = len(_ARABIC.findall(text))
    return "ltr" if letters and arabic < ARABIC_SHARE_LTR * letters else "rtl"


def html_direction(html: str) -> str:
    """direction() of safe HTML, read without its tags and entities."""
    return direction(_TAG_OR_ENTITY.sub(" ", str(html)))


def isolate_latin(html: str) -> Markup:
    """Safe HTML with each Latin run of its text (never of a tag or entity) inside <bdi>."""
    parts = _TAG_OR_ENTITY.split(str(html))
    for index in range(0, len(parts), 2):  # even parts are text, odd ones tags and entities
        parts[index] = _LATIN_RUN.sub(lambda m: f"<bdi>{m.group()}</bdi>", parts[index])
    return Markup("".join(parts))


def paragraphs(html: str) -> list[tuple[str, Markup]]:
    """The paragraphs of a safe-HTML body (split at blank lines), each with its direction."""
    found = []
    for paragraph in _PARAGRAPH_BREAK.split(str(html).strip()):
        if paragraph.strip():
            found.append((html_direction(paragraph), isolate_latin(paragraph.strip())))
    return found
