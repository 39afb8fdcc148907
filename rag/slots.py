"""What a question asks for, and the spans of a passage that could fill it.

A question's answer kind ("who" → a person, "how many" → a number, "when" → a
date) decides which spans of a passage can answer it: the stepwise answerer asks
the model for a span and checks it here, and falls back to the spans found here
when the model's does not fit. Everything is plain text rules: no model runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import asking
from .asking import AUXILIARY, WH, WHETHER, YES_NO_START, tail_question
from .text import STOPWORDS, stems

YES_NO, PERSON, ORGANISATION, PLACE, NUMBER, DATE, THING, EXPLANATION = (
    "yes_no", "person", "organisation", "place", "number", "date", "thing", "explanation")
KINDS = (YES_NO, PERSON, ORGANISATION, PLACE, NUMBER, DATE, THING, EXPLANATION)
# Kinds whose answer is a short span of a passage; the others are a verdict or a sentence.
SHORT_FACTS = (PERSON, ORGANISATION, PLACE, NUMBER, DATE, THING)

# "Between A and B, was there a change ...?", "After X reported Y, did Z ...?": the question follows a comma.
_CLOSING_QUOTE = "['\"’”]?"
_YES_NO_CLAUSE = re.compile(rf",{_CLOSING_QUOTE}\s+(?:{'|'.join(map(re.escape, AUXILIARY))})\s+(?:there|the|it|they|he|she|this|that|"
                            rf"these|those|any|both|either|(?-i:[A-Z'‘\"]))", re.IGNORECASE)
_EITHER = re.compile(r"\b(\w+) or (\w+)\b", re.IGNORECASE)

_PERSON_NOUNS = ("person individual executive player ceo founder chief president minister leader manager coach "
                 "author writer actor actress singer star athlete official spokesperson analyst boss owner chairman "
                 "director reporter journalist superstar quarterback pitcher receiver striker footballer "
                 "billionaire entrepreneur scientist researcher candidate senator governor judge businessman "
                 "businesswoman tycoon magnate mogul man woman guy").split()
_ORG_NOUNS = ("company organization organisation firm business startup start-up lab laboratory team club "
              "group unit entity agency department body institution brand network publisher outlet bank "
              "university school government party league franchise studio retailer maker manufacturer "
              "venture division org regulator commission court platform service app website site charity foundation nonprofit ministry "
              "council union federation association committee").split()
_PLACE_NOUNS = "city country state town region place venue location nation continent stadium county province".split()
_DATE_NOUNS = "day date month year week weekday time season quarter decade".split()
_NUMBER_NOUNS = ("number amount price cost revenue sum percentage percent share salary fee value total figure "
                 "count rate score budget valuation profit loss sale income worth fine earning turnover headcount size "
                 "workforce").split()
# Named things: "which product", "what model".
_THING_NOUNS = ("product model device tool feature show film movie series book game song album award phone "
                "car drug vaccine software chip system program programme technology offering release console chatbot "
                "assistant bot").split()
# What a description answers, not a name: "in what area", "what kind of", "which phrase".
_DESCRIPTION_NOUNS = ("area field sector domain aspect topic issue subject phrase word term expression slogan motto "
                      "quote message description reason role kind type sort category genre style approach strategy goal "
                      "aim mission purpose idea concern problem").split()


def answer_kind(question: str) -> str:
    """What ``question`` asks for: one of :data:`KINDS`."""
    text = tail_question(as_asked(question))
    if (YES_NO_START.match(text) or WHETHER.match(text) or choices(text)
            or (_YES_NO_CLAUSE.search(text) and not WH.match(text))):
        return YES_NO
    wh = _asking(text)
    if not wh:
        return EXPLANATION
    word = wh.group(1).lower()
    after = _words_after(text[wh.end():])
    owner = re.match(r"\s+(\w+)['’]s\s+(.*)", text[wh.end():])
    if owner and word in ("which", "what") and _head_noun(_words_after(owner.group(2)), "") not in _KIND_OF_NOUN:
        # "under which person's leadership?" asks for the person; "which billionaire's venture" for the venture.
        kind = _KIND_OF_NOUN.get(_words_after(owner.group(1))[0])
        if kind:
            return kind
    if word == "how":
        if after and after[0] in ("many", "much", "long", "old", "far", "often", "big", "large", "tall"):
            return NUMBER
        return EXPLANATION
    if word == "when":
        return DATE
    if word == "where":
        return PLACE
    if word == "why":
        return EXPLANATION
    if word in ("who", "whom") or re.search(r"\b(?:his|her)\s+name\b", text, re.IGNORECASE):
        return PERSON
    if word == "what" and (not after or after[0] in _OBJECT_ENDS or (after[0] == "thing" and after[1:2] and
                                                                       after[1] in _OBJECT_ENDS)):
        return EXPLANATION  # "it would bring what (thing) to billions?": a thing said, not a name
    if word == "what" and _COSTS.search(text):
        return NUMBER  # "What does it cost a month?", "what does it run you per month?"
    # which/what/whose: the noun after it says what is wanted ("which company", "what day of the week").
    head = _head_noun(after, text[wh.end():])
    kind = _KIND_OF_NOUN.get(head)
    if kind:
        return kind
    if word == "what" and (not after or after[0] in ("is", "was", "are", "were", "did", "does", "do", "has", "had", "will",
                                                     "would", "could", "can", "should", "might")):
        # "What is the name of X?" names a thing, or what X is ("the name of the unit" an organisation);
        # "What did X say?" wants an explanation.
        named = re.search(r"\bname\s+of\s+(.*)", text[wh.end():], re.IGNORECASE)
        if named and " ".join(after[1:3]).startswith(("the name", "name")):
            return {PERSON: PERSON, ORGANISATION: ORGANISATION, PLACE: PLACE}.get(
                _KIND_OF_NOUN.get(_head_noun(_words_after(named.group(1)), named.group(1))), THING)
        return EXPLANATION
    return THING


_COSTS = re.compile(r"\b(?:cost|costs|(?<!in\s)charges?(?!\s+of)|run\s+you|set\s+you\s+back)\b|\bper\s+(?:month|year|week|day)\b",
                    re.IGNORECASE)
_OBJECT_ENDS = frozenset("to for from with about in on at by as into than".split())  # "bring what to ..."


def as_asked(question: str) -> str:
    """``question`` as the plain question it stands for (see :func:`asking.as_asked`)."""
    return asking.as_asked(question, KIND_NOUNS)


def _asking(text: str) -> re.Match | None:
    """The question word that asks: the first when the question opens with it ("Who ...", "On which ...");
    else the last "which"/"what", since an earlier one starts a clause ("The executive who posted it
    heads which lab?")."""
    found = list(WH.finditer(text))
    if not found:
        return None
    if re.match(r"^(?:(?:on|in|at|from|for|by|with|to|of|about|during|since|until|after|before|under|over|and|but|so)"
                r"\s+)?$", text[: found[0].start()], re.IGNORECASE):
        return found[0]
    return next((m for m in reversed(found) if m.group(1).lower() in ("which", "what")), found[0])


def wh_head(question: str) -> str:
    """The noun after "which"/"what" that names what is wanted ("which company" → "company"), or "".
    Asked of claims too ("the terms were not shared"), so a bare noun phrase is not read as a question."""
    question = asking.as_asked(question)
    wh = _asking(question)
    if not wh or wh.group(1).lower() not in ("which", "what", "whose"):
        return ""
    after = _words_after(question[wh.end():])
    return _head_noun(after, question[wh.end():])


_BREAKS = frozenset(AUXILIARY + "that which who whose whom of in on by for from with to as at about".split())


def asked_noun(question: str) -> str:
    """The noun that says what is wanted, as a text would put it beside the answer: "Which lab ...?" → "lab"
    ("the research lab Midjourney"), "What's the name of the startup's debut video model?" → "model"
    ("its first video model, V1"); "" when there is none."""
    text = asking.as_asked(question)
    wh = _asking(text)
    if not wh or wh.group(1).lower() not in ("which", "what", "whose"):
        return ""
    head = wh_head(text)
    if head in _KIND_OF_NOUN and head not in _DESCRIPTION_NOUNS:
        return head
    named = re.search(r"\bname\s+of\s+(.*)", text, re.IGNORECASE)
    words = []
    for word in re.findall(r"[\w'’-]+|[,?;:]", named.group(1) if named else text[wh.end():]):
        if word.lower() in _BREAKS or not word[0].isalnum():
            break
        words.append(word.lower())
    last = _words_after(words[-1])[0] if words else ""
    return "" if not last or last == "'s" or last in ("name", "one", "thing") else last


def _words_after(text: str, limit: int | None = 8) -> list[str]:
    """The first ``limit`` words of ``text`` (all for None), lower case and singular; an owner ("billionaire's")
    becomes "'s", so that "which billionaire's venture" asks for a venture."""
    words = []
    for word in re.findall(r"[\w'’-]+", text)[:limit]:
        word = word.lower().replace("’", "'")
        if word.endswith("'s"):
            word = "'s"
        elif word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"  # "companies" → "company"
        elif len(word) > 3 and word not in AUXILIARY and not word.endswith(("ss", "us", "is")):
            word = word.rstrip("'").removesuffix("s")  # "does" stays a verb, "business" a noun
        words.append(word)
    return words


def _head_noun(after: list[str], rest: str) -> str:
    """The noun a "which"/"what" asks about: "which NBA team" → team, "what day of the week" → day,
    "what was Meta's quarterly revenue" → revenue."""
    words = _words_after(rest, limit=None)
    whole = words[:len(after)] == after  # ``after`` is the start of ``rest``, so ``words`` go on from it
    for i, word in enumerate(after):
        following = after[i + 1] if i + 1 < len(after) else ""
        ending = words[i + 1:] if whole else []
        if word in _KIND_OF_NOUN and ending and all(w not in STOPWORDS and w not in AUXILIARY for w in ending):
            # A run of nouns to the end of a phrase is named by its last: "the video model release month" a month.
            return ending[-1] if ending[-1] in _KIND_OF_NOUN else word
        if word in _KIND_OF_NOUN and _KIND_OF_NOUN.get(following, _KIND_OF_NOUN[word]) == _KIND_OF_NOUN[word]:
            return word  # "chief executive officer" asks for a person; "the release month" for the month
        if word in ("of", "did", "does", "do", "has", "had", "will", "would", "could", "can", "should", "might") or (
                i > 0 and word in _COPULAS):
            break
        if i > 0 and word in _DETERMINERS and after[i - 1] not in _COPULAS:
            break  # "which social site the lab's chief used": a clause's subject, not what is asked
    return after[0] if after else ""


_COPULAS = ("is", "was", "are", "were")
_DETERMINERS = ("the", "a", "an", "his", "her", "its", "their", "this", "that")
_KIND_OF_NOUN = {noun: kind for nouns, kind in ((_DESCRIPTION_NOUNS, EXPLANATION), (_THING_NOUNS, THING),
                                               (_ORG_NOUNS, ORGANISATION),
                                               (_PERSON_NOUNS, PERSON), (_PLACE_NOUNS, PLACE), (_NUMBER_NOUNS, NUMBER),
                                               (_DATE_NOUNS, DATE)) for noun in nouns}  # no noun is in two lists
KIND_NOUNS = frozenset(_KIND_OF_NOUN)  # the nouns that say what kind of answer is wanted


def choices(question: str) -> tuple[str, str] | None:
    """The two options of "... consistent or inconsistent?", "agree or disagree": a word and its
    negation, the first read as yes."""
    for match in _EITHER.finditer(question):
        first, second = match.group(1), match.group(2)
        if _negative_of(second, first):
            return first, second
        if _negative_of(first, second):
            return second, first
    return None


def _negative_of(word: str, base: str) -> bool:
    word, base = word.lower(), base.lower()
    return any(word == prefix + base for prefix in _NEGATED_PREFIXES)


# -- spans ------------------------------------------------------------------------------------------

_MONTH_NAMES = ("january february march april may june july august september october november december "
                "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve dozen dozens hundred hundreds "
                 "thousand thousands million millions billion billions trillion half").split()
_DATE_SPAN = re.compile(
    r"\b(?:(?:on\s+)?(?:%s)\b(?:,?\s+(?:%s)\.?\s+\d{1,2}(?:st|nd|rd|th)?)?|(?:%s)\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?"
    r"(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:%s)(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2}|(?:19|20)\d{2}"
    r"|yesterday|today|tomorrow|last (?:week|month|year)|next (?:week|month|year))\b"
    % ("|".join(_WEEKDAYS), "|".join(_MONTH_NAMES), "|".join(_MONTH_NAMES), "|".join(_MONTH_NAMES)),
    re.IGNORECASE)
_NUMBER_SPAN = re.compile(
    r"(?:[$€£¥]\s?)?\b\d+(?:[,.]\d+)*(?:\s?(?:%%|percent|per cent|million|billion|trillion|thousand|[kmb]n?\b))?"
    r"|\b(?:%s)\b(?:\s+(?:%s))*" % ("|".join(_NUMBER_WORDS), "|".join(_NUMBER_WORDS)), re.IGNORECASE)
# "Holz", "M.L.B", "4K", "xAI", "iPhone"; not "Jones." ending a sentence
_NAME_WORD = r"(?:[A-Z]|\d+[A-Za-z]|[a-z]+[A-Z])(?:[\w&’'-]|\.(?=\w))*"
_NAME_SPAN = re.compile(rf"{_NAME_WORD}(?:[ \t]+(?:(?:of|de|van|von|the|&)[ \t]+)?{_NAME_WORD})*")
_TRAILING = re.compile(r"(?:['’]s|[.,;:'’])+$")


def names(text: str) -> list[str]:
    """Runs of capitalised words (and words with digits, "V1"), cut at titles and possessives
    ("Google CEO Sundar Pichai" → "Google", "Sundar Pichai"; "Apple's M2" → "Apple", "M2"),
    without a leading stopword, a lower-case ending ("Menlo Park-based" → "Menlo Park") or a
    sentence's opening adverb ("Notably, in June").

    Not :func:`rag.text.names`, which keeps "Midjourney CEO David Holz" whole: these are candidate
    answers, and an answer is the person or the company, not both.
    """
    found = []
    for match in _NAME_SPAN.finditer(text):
        if _opening_adverb(text, match):
            continue
        for run in _runs(_without_lower_endings(match.group().split())):
            while run and (run[0].lower() in STOPWORDS or run[0].lower() in AUXILIARY):
                run = run[1:]
            while run and run[-1].lower() in ("of", "de", "van", "von", "the", "and", "&"):
                run = run[:-1]
            span = _TRAILING.sub("", " ".join(run))
            if span and any(c.isalpha() for c in span):
                found.append(span)
    return found


_ADVERB_ENDINGS = ("ally", "ably", "ibly", "edly", "ately", "ently", "antly", "arly", "ously", "ively")
_OPENERS = frozenset("however meanwhile moreover furthermore nevertheless nonetheless still instead overall earlier later "
                     "today yesterday now then also thus therefore indeed besides afterwards elsewhere otherwise".split())


def _opening_adverb(text: str, match: re.Match) -> bool:
    """A one-word run that opens a sentence and is set off by a comma, and reads as an adverb:
    "Notably, ...", "Meanwhile, ..."; not "Meta, on Saturday, ..."."""
    word = match.group()
    opens = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1:] in ".!?\"“\n"
    if " " in word or not opens or not text[match.end():].startswith(","):
        return False
    lower = word.lower()
    return lower in _OPENERS or (len(lower) >= 7 and lower.endswith(_ADVERB_ENDINGS))


def _without_lower_endings(words: list[str]) -> list[str]:
    """Words up to the first with a lower-case ending after a hyphen, which is kept without it:
    "Menlo Park-based" → "Menlo Park", "AI-generated" → "AI"; "Bankman-Fried" stays."""
    for i, word in enumerate(words):
        cut = re.match(r"^(.*?[\w.])-[a-z][\w-]*$", word)
        if cut and not any(c.isupper() for c in word[len(cut.group(1)):]):
            return words[:i] + [cut.group(1)]
    return words


def _runs(words: list[str]) -> list[list[str]]:
    runs, run = [], []
    for word in words:
        if word.lower().strip(".") in TITLES:
            runs.append(run)
            run = []
            continue
        run.append(word)
        if re.search(r"['’]s$", word):
            runs.append(run)
            run = []
    runs.append(run)
    return [r for r in runs if r]


def spans(text: str, kind: str) -> list[str]:
    """The spans of ``text`` that could answer a question of ``kind``, in order of appearance."""
    if kind == DATE:
        return [m.group().removeprefix("on ").strip() for m in _DATE_SPAN.finditer(text)]
    if kind == NUMBER:
        return [m.group().strip() for m in _NUMBER_SPAN.finditer(text)
                if not _inside_name(text, m) and not _vague(m.group()) and not _YEAR.fullmatch(m.group().strip())
                and not _PRONOUN_ONE.search(text[: m.start()] + m.group())]
    found = names(text)
    if kind in (PERSON, ORGANISATION, PLACE, THING):
        found = [n for n in found if not is_date_word(n)]
    if kind == PERSON:
        # A person's name is two to four capitalised words ("David Holz"), without a title in it.
        found = [n for n in (_without_titles(n) for n in found) if n and not organisation_like(n)]
        found = [n for n in found if 1 < len(n.split()) <= 4] or [n for n in found if len(n.split()) == 1]
    return found


TITLES = frozenset(_PERSON_NOUNS + "officer ai mr mrs ms dr sir st prof gen coo cfo cto".split())
_ORG_ENDINGS = frozenset(_ORG_NOUNS + ("lab inc corp co ltd llc plc gmbh holding partner capital technology system media "
                                       "entertainment picture record airline motor pharmaceutical institute college "
                                       "hospital fund trust").split())


def organisation_like(name: str) -> bool:
    """Whether ``name`` ends as organisations' names do: "Meta Superintelligence Labs", "Acme Inc"."""
    last = name.split()[-1].lower().strip(".,") if name.split() else ""
    return last in _ORG_ENDINGS or (last.endswith("s") and last[:-1] in _ORG_ENDINGS) or (
        last.endswith("ies") and last[:-3] + "y" in _ORG_ENDINGS)


_ROLES = ("ceo cto cfo coo founder co-founder chief president chairman chairwoman director officer executive "
          "spokesperson spokesman spokeswoman minister senator governor secretary analyst coach manager head").split()
_HONORIFICS = frozenset(_ROLES + "vp mr mrs ms dr sir prof sen rep gov".split())


@lru_cache(maxsize=16)
def persons(text: str) -> frozenset[str]:
    """The names ``text`` shows to be people's: after a title ("Midjourney CEO David Holz") or before
    a role ("Alexandr Wang, the Chief AI Officer at Meta", "Alexandr Wang, Meta's Chief AI Officer").
    Remembered: one answer asks it of the same passages for every candidate."""
    found = set()
    for match in _NAME_SPAN.finditer(text):
        run = match.group().split()
        for i, word in enumerate(run[:-1]):
            if word.lower().strip(".") in _HONORIFICS and run[i + 1][:1].isupper():  # "CEO David Holz"
                found |= {n for n in names(" ".join(run[i + 1:])) if len(n.split()) > 1 and not organisation_like(n)}
    roles = "|".join(map(re.escape, _ROLES))
    for name in (n for n in names(text) if 1 < len(n.split()) <= 4 and not organisation_like(n) and not n.isupper()):
        if re.search(rf"{re.escape(name)},\s+(?:the\s+|[A-Z][\w’'-]*['’]s\s+)?(?:[A-Z][\w-]*\s+){{0,2}}(?i:{roles})(?:\s+(?i:{roles})){{0,2}}"
                     rf"(?:\s+(?:[A-Z][\w-]*\s+)*[A-Z][\w-]*)?(?:\s+(?:at|of|for|in)\b|[,.;])", text):
            found.add(name)
    return frozenset(found)


ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{0,3}|Jr\.?|Sr\.?)$")


def _without_titles(name: str) -> str:
    """``name`` cut to the words around a title or an acronym: "Midjourney CEO David Holz" → "David Holz"."""
    runs, run = [], []
    for word in name.split():
        odd = (word.lower().strip(".") in TITLES or (word.isupper() and len(word) > 1 and not ROMAN.match(word))
               or any(c.isdigit() for c in word) or "'" in word or "’" in word)
        if odd:
            runs.append(run)
            run = []
        else:
            run.append(word)
    runs.append(run)
    return " ".join(max(runs, key=len)) if any(runs) else ""


def listed(span: str, text: str) -> str:
    """``span`` with the names listed after it in ``text``: "Google's Gemini and OpenAI's ChatGPT"
    for "Google", when that is how ``text`` goes on."""
    at = text.find(span)
    if at < 0:
        return span
    joined = re.match(rf"{re.escape(span)}(?:(?:['’]s)?(?:,\s+|\s+and\s+|\s+or\s+|\s+)(?:{_NAME_WORD}))*"
                      rf"(?:['’]s\s+{_NAME_WORD})?", text[at:])
    added = joined.group()[len(span):] if joined else ""
    if "," in added and not re.search(r"\s(?:and|or)\s", added):
        return span  # "Threads, Alexandr Wang, the ..." is an aside, not a list
    return joined.group().rstrip(" ,")


def _inside_name(text: str, match: re.Match) -> bool:
    """A number that is part of a name: "Gadgets 360", "GPT-4", "V1"."""
    before = text[max(0, match.start() - 1): match.start()]
    after = text[match.end(): match.end() + 1]
    return before.isalpha() or before == "-" or after.isalpha() or (
        before == " " and re.search(r"[A-Z][\w]*\s$", text[max(0, match.start() - 20): match.start()]) is not None
        and not re.search(r"\b(?:in|on|of|by|to|at|for|from|than|about|over|under|with|and|or|the|a|an)\s$",
                          text[max(0, match.start() - 6): match.start()], re.IGNORECASE))


_YEAR = re.compile(r"(?:19|20)\d{2}")
_MONEY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yen|yuan|rupees?|cents?|million|billion|trillion|bn)\b|%|"
                    r"\bper ?cent\b", re.IGNORECASE)
_AMOUNT_WORDS = stems("cost price pay paid spend spent revenue salary fee value worth budget valuation profit sales income "
                      "fine raise raised earn earned sold percentage rate")
_HOW_MANY = re.compile(r"\bhow many\s+([a-z][\w-]*)", re.IGNORECASE)


def answers_slot(span: str, sentence: str, question: str, kind: str) -> bool:
    """Whether ``span``, found in ``sentence``, can fill what ``question`` asks: of its kind, new to it,
    an amount of money or a share when it asks how much, next to the thing counted when it asks how many."""
    if not (fits(span, kind) and new_to(span, question)):
        return False
    if kind == DATE:
        return _fine_enough(span, question)
    if kind != NUMBER:
        return kind == PERSON or not role(span)
    if "how much" in question.lower() or stems(question) & _AMOUNT_WORDS:
        return bool(_MONEY.search(span))
    counted = _HOW_MANY.search(question)
    return not counted or bool(stems(counted.group(1)) & stems(sentence))


_MONTH = re.compile(r"\b(?:%s)\b" % "|".join(_MONTH_NAMES), re.IGNORECASE)


def _fine_enough(span: str, question: str) -> bool:
    """Whether a date span says what the question asks: a year for "what year", a month for "which month",
    a weekday for "what day of the week", a day of a month for "on what date" ("June" answers none but the month)."""
    asked = question.lower()
    if re.search(r"\b(?:what|which)\s+year\b", asked):
        return _YEAR.search(span) is not None
    if re.search(r"\b(?:what|which)\s+month\b", asked):
        return _MONTH.search(span) is not None
    if re.search(r"\bday\s+of\s+the\s+week\b|\bweekday\b", asked):
        return any(day in span.lower() for day in _WEEKDAYS)
    if re.search(r"\b(?:what|which)\s+(?:exact\s+|calendar\s+)?date\b|\bcalendar\s+date\b", asked):
        return bool(re.search(r"\d", span)) and (_MONTH.search(span) is not None or "-" in span or "/" in span)
    return True


def placed(name: str, text: str, only_places: bool = False) -> bool:
    """Whether ``text`` puts ``name`` where a place goes: "in Menlo Park", "on X", "Menlo Park-based";
    ``only_places``: where only a place goes ("in", "-based"; not "on X", "came from Alexandr Wang")."""
    prepositions = "in|near|across|outside|inside" if only_places else "in|at|from|near|on|across|outside|inside"
    return re.search(rf"\b(?:{prepositions})\s+(?:the\s+)?{re.escape(name)}\b(?!['’]s)|"
                     rf"\b{re.escape(name)}-based\b", text, re.IGNORECASE) is not None


def headline(sentence: str, text: str) -> bool:
    """Whether ``sentence`` is in title case ("Meta Partners with Midjourney to License AI Tech"): two or
    more of its capitalised words, past the first, are written in lower case elsewhere in ``text``, so its
    capitals do not mark names."""
    lower = set(re.findall(r"\b[a-z][a-z-]+\b", text))
    capitalised = re.findall(r"\b[A-Z][a-z-]+\b", sentence)[1:]
    return sum(w.lower() in lower for w in capitalised) >= 2


def role(span: str) -> bool:
    """Whether ``span`` names a post rather than who or what holds it: "Meta's Chief AI Officer", "the CEO"
    (it ends with a title)."""
    words = re.sub(r"^.*['’]s\s+", "", span.strip()).split()
    return bool(words) and words[-1].lower().strip(".,") in TITLES - {"ai", "st", "gen"}  # "Meta AI" is a name


def _vague(span: str) -> bool:
    """"billions of people", "dozens": a magnitude, not an amount that answers "how many"."""
    return span.strip().lower() in ("dozens", "hundreds", "thousands", "millions", "billions", "trillions", "half")


def is_date_word(span: str) -> bool:
    words = [w.lower().strip(".,") for w in span.split()]
    return all(w in _MONTH_NAMES or w in _WEEKDAYS or w.isdigit() for w in words)


def without_dates(text: str) -> str:
    """``text`` with its dates and timestamps taken out."""
    return _DATE_SPAN.sub(" ", re.sub(r"\d{4}-\d{2}-\d{2}T[\d:+.-]+", " ", text))


def fits(span: str, kind: str) -> bool:
    """Whether ``span`` is the kind of thing ``kind`` asks for."""
    if not span.strip():
        return False
    if kind == DATE:
        return _DATE_SPAN.search(span) is not None
    if kind == NUMBER:
        return bool(spans(span, NUMBER))
    if kind == PERSON:
        return bool(spans(span, PERSON))
    if kind in (ORGANISATION, PLACE, THING):
        return bool(names(span)) and not is_date_word(span)
    return bool(stems(span))


def new_to(span: str, question: str) -> bool:
    """Whether ``span`` adds words the question does not already have (a span that only repeats it answers nothing)."""
    if stems(span) - stems(question) or set(numbers(span)) - set(numbers(question)):
        return True
    # A name too short to have a stem ("X", the platform): new if the question does not have it.
    asked = {w.lower() for w in re.findall(r"\w+", question)}
    return any(w[:1].isupper() and w.lower() not in asked for w in re.findall(r"\w+", span))


# "collaborations like this one", "the one that": a pronoun, not a count.
_PRONOUN_ONE = re.compile(r"\b(?:this|that|the|which|each|every|any|another|same)\s+one$", re.IGNORECASE)


def numbers(text: str) -> list[str]:
    """The numbers written in ``text`` ("1,000", "4.5")."""
    return re.findall(r"\d+(?:[,.]\d+)*", text)


def occurs_in(span: str, text: str) -> bool:
    """Whether ``span`` occurs in ``text`` as words, ignoring case, spacing and punctuation at its ends."""
    wanted = _flat(span)
    return bool(wanted) and f" {wanted} " in f" {_flat(text)} "


def _flat(text: str) -> str:
    return " ".join(re.findall(r"[\w$€£%]+(?:[.,'’-][\w]+)*", text.lower().replace("’", "'")))


_NEGATION = frozenset("not no never neither nor none nothing cannot without nobody nowhere".split())
_NEGATED_PREFIXES = ("un", "in", "non", "dis", "im", "ir", "il")
NEGATION_REACH = 4  # words after "not" that it can negate
_NOT_NEGATING = frozenset("just only merely simply solely least".split())  # "not just Midjourney" adds, it negates nothing
_SCOPE_ENDS = frozenset("despite although though but while whereas because and or nor yet".split())


def negated(text: str, shared: set[str], bases: set[str]) -> bool:
    """Whether ``text`` negates what it says: a negation ("not", "n't", "no", "never") up to
    NEGATION_REACH words before one of the ``shared`` stems, or a word that is one of ``bases``
    with a negative prefix ("undisclosed" for "disclosed", "inconsistency" for "consistency")."""
    words = re.findall(r"[a-z]+(?:n't)?|[,;:.—]", text.lower().replace("’", "'"))
    word_stems = [next(iter(stems(w)), "") for w in words]
    for i, word in enumerate(words):
        if (word in _NEGATION or word.endswith("n't")) and (i + 1 == len(words) or words[i + 1] not in _NOT_NEGATING):
            reach = words[i + 1 : i + 1 + NEGATION_REACH]
            # "no outside investors despite the new deal" does not negate the deal.
            ends = next((j for j, w in enumerate(reach) if w in _SCOPE_ENDS or not w[0].isalpha()), len(reach))
            if any(stem in shared for stem in word_stems[i + 1 : i + 1 + ends]):
                return True
        for prefix in _NEGATED_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix) + 3 and stems(word[len(prefix):]) & bases:
                return True
    return False


_ACRONYMS = {"ceo": "chief executive", "cfo": "chief financial", "cto": "chief technology", "coo": "chief operating",
             "cmo": "chief marketing", "vp": "vice president"}
_OWNER = r"[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*"
_ROLE_WORD = r"(?i:%s)\b" % "|".join(sorted(_ROLES + ["cmo", "vp", "boss", "leader"], key=len, reverse=True))
_POST = (rf"(?:(?i:chief)\s+(?:[\w-]+\s+){{1,2}}?(?i:officer)\b|"  # "chief data officer"
         rf"(?:(?:[A-Z][\w-]*|(?i:top|senior|most\s+senior)|{_ROLE_WORD})\s+){{0,3}}{_ROLE_WORD})")  # "Chief AI Officer", "chief executive", "CEO"


def _post_words(post: str) -> frozenset[str]:
    words = " ".join(_ACRONYMS.get(w, w) for w in re.findall(r"[\w-]+", post.lower()))
    return frozenset(words.split()) - {"officer", "the", "a", "an", "its", "top", "senior", "most"}


def asked_post(question: str) -> tuple[str, frozenset[str]] | None:
    """The post a question asks who holds, and whose: "Who is Meta's chief executive?" → ("Meta",
    {"chief", "executive"}); "Who is the CEO of Midjourney?" → ("Midjourney", {"chief", "executive"})."""
    found = re.search(rf"\b({_OWNER})['’]s\s+({_POST})", question)
    if found:
        return found.group(1), _post_words(found.group(2))
    found = re.search(rf"\b(?i:the)\s+({_POST})\s+(?:(?i:title|role|post|position|job)\s+)?"
                      rf"(?i:of|at|heading(?:\s+up)?|leading|running|in\s+charge\s+of)\s+"
                      rf"(?:(?i:the)\s+(?:[\w-]+\s+){{0,4}}?)?({_OWNER})", question)  # "the CEO title at the art outfit X"
    if found:
        return found.group(2), _post_words(found.group(1))
    found = re.search(rf"\b(?i:heading(?:\s+up)?|leading|running|heads?|leads?|runs?)\s+({_OWNER})\b(?:[^?]*?,)?\s+(?i:as)\s+"
                      rf"(?:(?i:its|the)\s+)?({_POST})", question)  # "the person heading up Midjourney as its chief executive"
    if found:
        return found.group(1), _post_words(found.group(2))
    found = re.search(rf"\b(?i:who)\s+(?:(?i:is|was)\s+)?(?i:runs?|running|leads?|leading|heads?|heading)\s+(?i:as)\s+"
                      rf"(?:(?i:the|its)\s+)?({_POST})\s+(?i:of|at)\s+(?:(?i:the)\s+)?({_OWNER})", question)
    if found:
        return found.group(2), _post_words(found.group(1))  # "Who is running as chief at Midjourney?"
    found = re.search(rf"(?:\b(?i:who)\s+(?:(?i:is|was)\s+)?(?:(?i:the)\s+(?i:person|one|man|woman|individual|executive)\s+)?|"
                      rf"\b(?i:which|the)\s+(?i:person|man|woman|individual|executive)\s+(?:(?i:who\s+)?(?i:is|was)\s+)?)"
                      rf"(?i:runs?|running|leads?|leading|heads?|heading(?:\s+up)?|"
                      rf"helms?|manages?|in\s+charge\s+(?:of|at)|at\s+the\s+helm\s+(?:of|at))\s+(?:(?i:the)\s+(?:[\w-]+\s+){{0,4}}?)?({_OWNER})",
                      question)  # "Which person is at the helm of the research lab Midjourney?"
    if found:
        return found.group(1), frozenset()  # "Who runs Midjourney?": whatever post, it must be there
    return None


def posts_named(question: str) -> list[tuple[tuple[int, int], str, frozenset[str]]]:
    """Each post ``question`` names with whose it is, as ((start, end) of its words, owner, post): "the CEO
    of Midjourney" → ("Midjourney", {"chief", "executive"}), "Meta's chief AI officer" → ("Meta", {"chief", "ai"})."""
    found = [((m.start(), m.end()), m.group(2), _post_words(m.group(1))) for m in re.finditer(
        rf"\b(?i:the)\s+({_POST})\s+(?i:of|at)\s+({_OWNER})", question)]
    for m in re.finditer(rf"\b({_OWNER})['’]s\s+({_POST})", question):
        owner = m.group(1).split()[-1]  # "Is Alexandr Wang Midjourney's CEO": Midjourney's
        found.append(((m.start(1) + m.group(1).rindex(owner), m.end()), owner, _post_words(m.group(2))))
    return sorted(found)


def posts_held(person: str, text: str) -> list[tuple[str, frozenset[str]]]:
    """The posts ``text`` gives ``person``, each with whose it is: "Midjourney CEO David Holz",
    "Alexandr Wang, the Chief AI Officer at Meta", "Alexandr Wang, Meta's Chief AI Officer", "Meta's Chief AI
    Officer, Alexandr Wang"."""
    name = re.escape(person)
    held = [(m.group(1), _post_words(m.group(2))) for m in re.finditer(
        rf"\b([A-Z][\w&-]*(?:\.[\w&-]+)*)(?:['’]s)?\s+({_POST}),?\s+{name}\b", text)]  # not "Globex." ending a sentence
    held += [(m.group(2), _post_words(m.group(1))) for m in re.finditer(
        rf"\b{name},\s+(?:the\s+)?({_POST})\s+(?:of|at)\s+({_OWNER})", text)]
    held += [(m.group(1), _post_words(m.group(2))) for m in re.finditer(rf"\b{name},\s+({_OWNER})['’]s\s+({_POST})", text)]
    return held


def holds_post(person: str, asked: tuple[str, frozenset[str]], text: str) -> bool:
    """Whether ``text`` gives ``person`` the post asked about, or shows them to be a person (:func:`persons`)
    with no post at all; False when every post it gives them is another's or another post ("Midjourney
    CEO" for "Meta's chief executive"), or nothing shows them to be a person ("Photo Credit")."""
    held = posts_held(person, text)
    if not held:
        return person in persons(text)
    owner, post = asked
    owner_words = {w.lower() for w in owner.split()}
    return any(owner_words & {w.lower() for w in their_owner.split()} and (not post or same_post(post, theirs))
               for their_owner, theirs in held)


_TOP = frozenset("head boss leader chief".split())  # whoever runs it: "the head of Midjourney" is its CEO


def same_post(asked: frozenset[str], held: frozenset[str]) -> bool:
    """Whether a post held is the post asked about: the same words, fewer or more ("chief" and "chief
    executive"), or, for "the head" or "the boss", the company's chief executive, president or founder."""
    if asked and asked <= _TOP:
        return {"chief", "executive"} <= held or bool(held & {"president", "founder"})
    return bool(asked) and (asked <= held or held <= asked)


_UNTOLD = re.compile(
    r"\b(?:(?:did|does|do|would|will|has|have|had|was|were|is|are)(?:\s+not|n't)|declined\s+to|refused\s+to)\s+"
    r"(?:\w+\s+)?(?:reveal|disclose|say|confirm|specify|comment|share|elaborate|detail|announce|reveals?|disclosed|"
    r"revealed|confirmed|announced|specified|shared)\b|"
    r"\b(?:nobody|no\s+one|never|without)\s+(?:has\s+|have\s+|had\s+|being\s+)?"
    r"(?:reveal|disclos|announc|confirm|specif|shar|detail|publiciz|publicis)\w*|\b(?:undisclosed|unrevealed|unspecified|unstated|unclear|uncertain|unknown|unannounced|unconfirmed|"
    r"remains?\s+to\s+be\s+seen|not\s+(?:been\s+)?made\s+public|not\s+(?:been\s+)?(?:disclosed|revealed|shared|announced|"
    r"confirmed|specified|detailed)|kept\s+(?:under\s+wraps|secret|private|quiet|confidential)|"
    r"under\s+wraps)\b|"
    r"\bno\s+(?:[\w'’-]+\s+){0,8}?(?:was|were|(?:has|have)\s+been)\s+(?:made\s+public|disclosed|revealed|announced|"
    r"shared|given|confirmed|specified)\b", re.IGNORECASE)  # "no financial details of the deal were made public"


def untold(text: str) -> bool:
    """Whether ``text`` says something is not known or not made public: "He did not reveal if ...",
    "financial terms remain undisclosed", "it is unclear whether"."""
    return _UNTOLD.search(text) is not None


def acronyms(text: str, question: str) -> set[str]:
    """Stems of the question's words that an acronym in ``text`` stands for: "CEO" for "chief executive"."""
    words = re.findall(r"[A-Za-z]+", question)
    found: set[str] = set()
    for acronym in set(re.findall(r"\b[A-Z]{2,5}\b", text)):
        for i in range(len(words) - 1):
            run = words[i : i + len(acronym)]
            initials = "".join(w[0] for w in run).upper()
            size = next((n for n in range(len(run), 1, -1) if acronym.startswith(initials[:n])), 0)
            if size >= 2:
                found |= stems(" ".join(run[:size]))
    return found
