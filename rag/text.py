"""The text rules every other module shares: words, stems, sentences, citation markers and names.

Retrieval, answering, verification, display and evaluation must agree on what a word, a
sentence or an ``[n]`` marker is; each rule is written here once.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words too common to help a keyword search; dropping them keeps FTS queries fast.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not of off on once only or other our ours out over own same she should so some
    such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    according article articles report reported reports said says""".split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """The lower-cased runs of letters and digits in ``text``, as the keyword index splits them."""
    return _WORD.findall(text.lower())


def query_terms(text: str) -> list[str]:
    """The distinct, lower-cased content words of ``text``, in order."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def stems(text: str) -> set[str]:
    """The stemmed content words of ``text``, so "announced" matches "announce"."""
    return {_stem(word) for word in query_terms(text)}


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import PorterStemmer  # the stemmer the keyword index uses too; needs no data files

    return PorterStemmer()


# -- sentences --------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9])")
_BULLETS = " \t-–•▼"


def split_sentences(text: str) -> list[str]:
    """Sentences, also cut at line breaks: headlines, captions and bullets end without a full stop."""
    return [s.strip(_BULLETS) for line in text.split("\n") for s in _SENTENCE.split(line) if s.strip(_BULLETS)]


# -- citation markers -------------------------------------------------------------------------

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")  # "[1]" or "[1, 2]"; group 1 holds the numbers
_MARKER_AND_SPACE = re.compile(r"\s*" + MARKER.pattern)


def marker_numbers(text: str) -> list[int]:
    """The source numbers the markers in ``text`` name, in order, repeats kept."""
    return [int(n) for group in MARKER.findall(text) for n in group.split(",")]


def strip_markers(text: str) -> str:
    """``text`` without its markers and the spaces before them: "Holz [1]." becomes "Holz."."""
    return _MARKER_AND_SPACE.sub("", text)


# -- names ------------------------------------------------------------------------------------

NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")  # a run of capitalised words


def names(text: str) -> list[str]:
    """The runs of capitalised words in ``text``, distinct and in order, each without leading words that
    are no content ("The CEO" → "CEO", "Who" → nothing)."""
    found: list[str] = []
    for match in NAME.finditer(text):
        run = match.group(0).split()
        while run and not query_terms(run[0]):
            run.pop(0)
        name = " ".join(run)
        if name and name not in found:
            found.append(name)
    return found
