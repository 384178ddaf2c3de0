"""Arabic stop words for the stemmed view, already in normalized form (see search/normalize.py).

Curated from the most frequent words of the news corpora: prepositions, conjunctions,
pronouns, demonstratives, relatives, auxiliaries and question words whose presence says nothing
about what a document is about; with the adverbs of Lucene's list (قبل، بعد، عندما، جميع), the
auxiliary تم/يتم ("متى تم بناء") and question words typed as one (ماهو، ماهي، بماذا). They stay
in the exact view, so phrases such as "في بيروت" still match word for word. The list is small on
purpose: news words like قال or اليوم carry meaning for some queries, and BM25 already gives
frequent words little weight.
"""

from search.normalize import normalize

_WORDS = """
في من علي الي عن مع منذ حتي عند لدي لدى بين حول خلال ضد دون نحو عبر لكن بل او ام ثم حيث و
ف ب ل ك ان انه انها انهم اذا اذ لو لولا لم لن لا ما ماذا ليس ليست قد كما كان كانت يكون
تكون كانوا هو هي هم هن هما انا نحن انت انتم هذا هذه ذلك تلك هولاء هءلاء اولءك الذي التي
الذين اللذان اللتان اللاتي هناك هنا فيه فيها منه منها عليه عليها اليه اليها له لها لهم به
بها وفي ومن وعلي والي وعن ومع وهو وهي وان وقد ولا وما وكان وكانت ولم ولن فان فقد فلا وهذا
وهذه كل بعض غير اي ايضا الا اما كيف متي اين لماذا هل كم يا التى الذى أي
قبل بعد عندما بينما ضمن جميع الان تم يتم ماهو ماهي بماذا ايه
""".split()

STOPWORDS: frozenset[str] = frozenset(normalize(word) for word in _WORDS)

# A stop word stays one with particles and pronouns attached (وفي، فيه، ومنها، لهم): the
# conjunctions و/ف before any of them, the prepositions ب/ل/ك before a pronoun, and a pronoun
# after the words below, which take one (فيه، عليها، بينهم، كلها).
CONJUNCTIONS = ("و", "ف")
PREPOSITIONS = ("ب", "ل", "ك")
PRONOUNS = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه")
PRONOUN_HOSTS = frozenset(
    normalize(word)
    for word in "في من علي الي عن مع عند لدي بين حول خلال دون نحو ان لكن كل بعض غير قبل بعد".split()
)


def is_stop_word(word: str) -> bool:
    """True when a normalized word is a stop word, alone or with particles and pronouns.

    Only clitics count: a word that reaches a stop word by losing an article or an ending
    (الأماكن → اما، الوفيات → وفي، فقدان → فقد) is a content word.
    """
    if word in STOPWORDS:
        return True
    core = word[1:] if word[:1] in CONJUNCTIONS and len(word) > 2 else word
    if core in STOPWORDS:
        return True
    for pronoun in PRONOUNS:
        if core.endswith(pronoun):
            host = core[: -len(pronoun)]
            return host in PRONOUN_HOSTS or host in PREPOSITIONS
    return False
