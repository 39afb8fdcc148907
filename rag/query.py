"""What a news question asks for: the publishers and dates it names, and its parts.

News questions say "according to The Verge", "published on December 5, 2023" and
"Do TechCrunch and Engadget both report ...". Retrieval uses the publishers and
dates as filters and boosts, searches each part on its own, and abstains when a
part names a publisher or a name that no indexed article has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_NAME_WORD = r"[A-Z][\w&.’'-]*"
_NAME = rf"(?:{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|of|&|[|–-])(?=\s|$|[\s,.;:?'\"’”]))*(?:\s+{_NAME_WORD})?)"
_QUOTE = "['\"‘’“”]"
# Where a question names who published something: "according to X", "reported by X", "a X article".
_BY = (r"\b(?:according to|as per|reported (?:by|in)|covered by|published (?:by|in)|"
       r"(?:noted|described|detailed|discussed|mentioned|suggested|featured|commended|recognized|highlighted) by|"
       r"(?:reports?|articles?|pieces?|stories|story|coverage) (?:from|by|in))\s+"
       r"(?:(?:an?|both|two|multiple|several|various) )?(?:(?:articles?|reports?) (?:from|by) )?")
_NAMED_BY = re.compile(rf"{_BY}{_QUOTE}?(?P<name>{_NAME})")
_NAMED_BEFORE = re.compile(
    rf"\b(?:an?|the|both|two|multiple|several|other|earlier|later|first|second)\s+{_QUOTE}?(?P<name>{_NAME}){_QUOTE}?"
    r"\s+(?:articles?|reports?|pieces?|stories|story|coverage|op-ed)\b")
_AND_NAME = re.compile(rf"\s*{_QUOTE}?\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:(?:an?|the) )?{_QUOTE}?(?P<name>{_NAME})")

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})"),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE),
    re.compile(rf"\b(?:in|during|of)\s+{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b", re.IGNORECASE),
]
_BEFORE = re.compile(r"\b(?:before|prior to|earlier than|until|by)\s*$", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:after|since|later than|following)\s*$", re.IGNORECASE)
_LATEST = re.compile(r"\b(?:latest|most recent|newest|recently published)\b", re.IGNORECASE)
_EARLIEST = re.compile(r"\b(?:earliest|first published|oldest)\b", re.IGNORECASE)
# Where a question about several stories divides: "X reported A, while Y reported B".
_SPLIT = re.compile(r",?\s+(?:while|whereas|and then|compared to|compared with|but)\s+|;\s+|,\s+and\s+(?=(?:the|a|an|does|did|is|was|has)\b)"
                    r"|\s+and\s+(?=(?:the|a|an)\s+(?:\S+\s+){0,6}?(?:articles?|reports?|pieces?)\b)"
                    r"|,?\s+and\s+(?=(?:its|his|her|their|is|was|has|had|also|being|offers|enforces|provides)\b)"
                    r"|,\s+(?=(?:is|was|has|had)\s+also\b)|\s+(?=is\s+also\b)", re.IGNORECASE)
MAX_ALIAS_WORDS = 8
_QUESTION_WORDS = frozenset(
    "who what which when where why how whose whom is are was were do does did has have had can could would should "
    "will between after before after considering according among during in on the a an if and or but yes no".split())


@dataclass(frozen=True)
class DateRange:
    """Inclusive bounds on the Published date; either may be open."""

    start: date | None = None
    end: date | None = None

    def contains(self, published: str) -> bool:
        day = parse_published(published)
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def __str__(self) -> str:
        if self.start and self.end:
            return self.start.isoformat() if self.start == self.end else f"{self.start} to {self.end}"
        return f"after {self.start}" if self.start else f"before {self.end}"


@dataclass(frozen=True)
class Part:
    """One thing a question asks about: its words, and the publishers and dates that part names."""

    text: str
    sources: tuple[str, ...] = ()  # corpus Source values; empty means any
    dates: tuple[DateRange, ...] = ()


@dataclass(frozen=True)
class Query:
    text: str
    parts: tuple[Part, ...]
    sources: tuple[str, ...] = ()  # every corpus Source value the question names
    unknown_publishers: tuple[str, ...] = ()  # publishers it names that the corpus does not have
    dates: tuple[DateRange, ...] = ()
    order: str | None = None  # "latest" or "earliest"
    names: tuple[str, ...] = field(default=())  # proper names, for the coverage check

    @property
    def is_multi(self) -> bool:
        return len(self.parts) > 1


class Publishers:
    """Finds the corpus's publishers in a question, whatever their spelling: "CNBC" for "Cnbc | World Business
    News Leader", "the Guardian" for "The Guardian", "FOX News" for every "FOX News - ..." source."""

    def __init__(self, sources: list[str]) -> None:
        self.aliases: dict[tuple[str, ...], set[str]] = {}
        for source in sources:
            for alias in _aliases(source):
                key = _key(alias)
                # Longer "publishers" are a stray sentence in a Source: line; they also slow every lookup.
                if key and (len(key) > 1 or len(key[0]) > 2) and len(key) <= MAX_ALIAS_WORDS:
                    self.aliases.setdefault(key, set()).add(source)
        self.longest = max((len(k) for k in self.aliases), default=0)

    def find(self, text: str) -> list[tuple[int, int, set[str]]]:
        """(start, end, sources) of each publisher named in ``text``, capitalised as a name is."""
        tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
        found, i = [], 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                key = tuple(t[2] for t in tokens[i : i + size])
                if key[0] == "the" and size > 1:
                    key = key[1:]
                if key in self.aliases and not text[tokens[i][0]].islower():
                    found.append((tokens[i][0], tokens[i + size - 1][1], self.aliases[key]))
                    i += size - 1
                    break
            i += 1
        return found

    def known(self, name: str) -> bool:
        """Whether all of ``name`` is one of the corpus's publishers."""
        name = name.strip("'\"‘’“” ")
        return any(start == 0 and end == len(name) for start, end, _ in self.find(name))


def _aliases(source: str) -> set[str]:
    """A publisher's full name, its name before " | " or " - " (a section), and each of several bylines."""
    source = source.strip()
    aliases = {source, re.split(r"\s+[|–-]\s+|:\s+", source)[0]}
    for byline in re.split(r",\s*|;\s*|\s+and\s+", source):
        aliases.add(byline)
    return {a.strip() for a in aliases if a.strip()}


def _key(text: str) -> tuple[str, ...]:
    words = [w.lower() for w in _TOKEN.findall(text)]
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return tuple(words)


def parse_published(published: str) -> date | None:
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def analyse(question: str, publishers: Publishers, years: tuple[int, ...] = ()) -> Query:
    """Publishers, dates, order words, names and parts of ``question``; ``years`` are the corpus's, most common first,
    for dates written without one."""
    mentions = publishers.find(question)
    sources = tuple(dict.fromkeys(s for _, _, found in mentions for s in sorted(found)))
    dates = tuple(_dates(question, years))
    order = "latest" if _LATEST.search(question) else "earliest" if _EARLIEST.search(question) else None
    parts = tuple(_parts(question, publishers, years)) or (Part(question, sources, dates),)
    unknown = tuple(_unknown_publishers(question, publishers))
    return Query(question, parts, sources, unknown, dates, order, tuple(_names(question, mentions)))


def _parts(question: str, publishers: Publishers, years: tuple[int, ...]) -> list[Part]:
    """The question cut where it turns from one story or claim to the next, each piece with the publishers
    it names; a piece naming none is about the publisher named before it. Pieces of fewer than three
    content words join the piece before them."""
    pieces = [p.strip(" ,;?") for p in _SPLIT.split(question) if p and p.strip(" ,;?")]
    parts: list[Part] = []
    for piece in pieces:
        found = tuple(dict.fromkeys(s for _, _, f in publishers.find(piece) for s in sorted(f)))
        if parts and (len(_content_words(piece)) < 3 or not found and not parts[-1].sources and False):
            last = parts[-1]
            parts[-1] = Part(f"{last.text}, {piece}", tuple(dict.fromkeys(last.sources + found)), last.dates)
            continue
        inherited = found or (parts[-1].sources if parts else ())
        parts.append(Part(piece, inherited, tuple(_dates(piece, years))))
    if parts and not parts[0].sources:
        later = next((p.sources for p in parts if p.sources), ())
        parts[0] = Part(parts[0].text, later, parts[0].dates)
    return parts if len(parts) > 1 else []


def _content_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if w not in _QUESTION_WORDS]


def _unknown_publishers(question: str, publishers: Publishers) -> list[str]:
    named = []
    for pattern in (_NAMED_BY, _NAMED_BEFORE):
        for match in pattern.finditer(question):
            named.append(match.group("name"))
            rest = question[match.end("name"):]
            while (more := _AND_NAME.match(rest)) and (pattern is _NAMED_BY):
                named.append(more.group("name"))
                rest = rest[more.end("name"):]
    unknown = []
    for name in named:
        name = re.sub(r"['’]s$", "", name.strip(" '\"‘’“”.,"))
        first = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE).split()[:1]
        if first and not publishers.known(name) and first[0].lower() not in _QUESTION_WORDS:
            unknown.append(name)
    return list(dict.fromkeys(unknown))


_TITLED = {"mr", "mrs", "ms", "dr", "prof"}  # "Mr. Wang": the articles may call him "Wang" or "Alexandr Wang"
_STARTS_SENTENCE = re.compile(r"(?:^|(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bProf)[.?!:;]\s+)$")


def _names(question: str, mentions: list[tuple[int, int, set[str]]]) -> list[str]:
    """Capitalised names in the question that are not publishers and do not start it or one of its sentences.

    Not :func:`rag.text.names`: every name kept here must occur in some article or the engine
    abstains, so acronyms ("AI", "CEO"), months and a possessive's "'s" are left out.
    """
    taken = [(start, end) for start, end, _ in mentions]
    names = []
    for match in re.finditer(r"\b[A-Z][A-Za-z’'-]*[a-z][A-Za-z’'-]*(?:\s+[A-Z][A-Za-z’'-]*[a-z][A-Za-z’'-]*)*", question):
        if (_STARTS_SENTENCE.search(question[: match.start()]) or any(s <= match.start() < e for s, e in taken)
                or _demonym(match, question)):
            continue  # a sentence's first word ("Just the month, please")
        for name in re.split(r"['’]s\s+", match.group()):
            # "the Zuckerberg-led company" describes the company; the articles need not name him.
            name = " ".join(w for w in name.split() if not re.search(r"[A-Za-z]-[a-z]+$", w))
            words = [w for w in name.split() if w.lower() not in _QUESTION_WORDS and w.lower() not in _MONTHS
                     and w.lower() not in _TITLED and not re.match(r"I['’]", w)]
            if words:
                names.append(re.sub(r"['’]s?$", "", " ".join(words)))
    return list(dict.fromkeys(names))


def _demonym(match: re.Match, question: str) -> bool:
    """A nationality before a noun, "the Indian gadget site": a description, not a name to look for."""
    word = match.group()
    return (" " not in word and len(word) >= 6 and re.search(r"(?:an|ese|ish|i)$", word) is not None
            and re.match(r"\s+[a-z]", question[match.end():]) is not None)


def _dates(text: str, years: tuple[int, ...]) -> list[DateRange]:
    ranges, seen = [], set()
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in seen):
                continue
            seen.add((m.start(), m.end()))
            fields = m.groupdict()
            month = int(fields["mnum"]) if fields.get("mnum") else _MONTHS.get(_month_name(fields["month"]))
            year = int(fields["year"]) if fields.get("year") else (years[0] if years else None)
            if not month or not year:
                continue
            try:
                if fields.get("day"):
                    start = end = date(year, month, int(fields["day"]))
                else:
                    start = date(year, month, 1)
                    end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            except ValueError:
                continue
            before = text[: m.start()].rstrip()
            if _BEFORE.search(before):
                ranges.append(DateRange(None, start - timedelta(days=1)))
            elif _AFTER.search(before):
                ranges.append(DateRange(end + timedelta(days=1), None))
            else:
                ranges.append(DateRange(start, end))
    return ranges


def _month_name(word: str) -> str:
    word = word.lower().rstrip(".")
    return next((m for m in _MONTHS if m.startswith(word[:3])), word)
