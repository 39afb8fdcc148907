"""A question typed after sentences of its own that set it up, read as one question.

"My nephew uses a program called Midjourney. Who is the person running that company?" asks who runs
Midjourney. "A coworker said Meta announced the deal on a Friday. Which day was it really?" asks on
which day Meta announced the deal: the Friday is what the asker heard and doubts, not a thing to
find. "My friend says Meta bought part of Midjourney. Is that so?" asks whether Meta did. "This man
runs the image lab. Name him." asks which man runs it.

The set-up lends the question its names ("that company", "he") and, when the question says too
little on its own, its words. Who told the asker ("My coworker says ...") and what the asker doubts
or is unsure of ("..., I think on Instagram?") are left out.
"""

from __future__ import annotations

import re

from .asking import LABEL, WH, YES_NO_START
from .described import holder_named
from .slots import YES_NO, answer_kind, persons
from .text import STOPWORDS, names, query_terms

_END = re.compile(r"[.!]+[\"”’')]*\s+(?=[A-Z\"“0-9])|\?+[\"”’')]*\s+")  # not "exec who ann. deal on Threads"
_ABBREVIATED = re.compile(r"(?:\b(?:mr|mrs|ms|dr|prof|st|jr|sr|inc|corp|ltd|co|vs|etc)|(?<![\w])[a-z]|\.[a-z])\.$",
                          re.IGNORECASE)  # "Mr. Wang", "U.S. firms": no sentence ends there
_ASKS = re.compile(r"^(?:(?:so|and|but|ok|okay|well|now)\W+)?(?:who|whom|whose|what|which|where|when|why|how|whether|"
                   r"name|identify|tell|please|could|can|would|do\s+you|any\s+idea|"
                   r"i\s+(?:wonder|was\s+wondering|am\s+wondering|want\s+to\s+know|would\s+like\s+to\s+know))\b",
                   re.IGNORECASE)
# Who told the asker, kept out: "My coworker says", "Someone at lunch said", "I read in the paper that".
_TELLER = r"(?:i|we|someone|somebody|people|everyone|(?:my|our|a|an|one|some)\s+[\w'’-]+)"
_TOLD = (r"(?:says?|said|told\s+me|tells\s+me|(?:was|were|have\s+been|['’]ve\s+been)\s+told|mentioned|thinks?|"
         r"thought|insists?|insisted|claims?|claimed|reckons?|swears?|heard|hear|(?:saw|read|showed\s+me)\s+(?:a|an|the|this)\s+[\w-]+(?:\s+(?:saying|implying|claiming|"
         r"suggesting))?|read|(?:was\s+)?reading|noticed|gather(?:ed)?|quoted|believes?|(?:is|was)\s+sure)")
_REPORTED = re.compile(rf"^{_TELLER}(?:\s+[\w'’-]+){{0,4}}?\s+{_TOLD}"
                       r"(?:\s+(?:in|on|at|from)\s+(?:the\s+|a\s+)?[\w-]+)?(?:\s+(?:that|about))?\s+", re.IGNORECASE)
# "Is that so?", "Does that check out?", "Is he right?": whether what the set-up says holds.
_CHECKS = re.compile(r"^(?:(?:is|was)\s+(?:that|this|it|he|she|they)\s+(?:really\s+)?(?:so|true|right|correct|"
                     r"accurate|the\s+case|a\s+fact)|(?:does|did)\s+(?:that|this)\s+(?:check\s+out|hold\s+up|add\s+up)|"
                     r"(?:am\s+i|are\s+they)\s+(?:right|correct|wrong)|(?:true|right|correct|really|accurate)|"
                     r"any\s+truth\s+to\s+(?:that|it|this))\s*[?.!]*$", re.IGNORECASE)
_NAME_IT = re.compile(r"^(?:please\s+)?(?:name|identify)\s+(him|her|it|them|(?:the|this|that)\s+([\w\s-]+?))\W*$",
                      re.IGNORECASE)  # a quiz's "This man runs the lab ... Name him."
_THIS = re.compile(r"\b(?:this|these)\s+(?!(?:days|year|week|month|time|weekend|morning|summer|spring|autumn|fall|"
                   r"winter)\b)(?=[\w-])", re.IGNORECASE)
_WHO_AM_I = re.compile(r"^(?:who|what)\s+am\s+i\s*\?$", re.IGNORECASE)
_THIRD_PERSON = {True: {"I": "he", "me": "him", "my": "his", "am": "is"},
                 False: {"I": "it", "me": "it", "my": "its", "am": "is"}}
_NAME_LABEL = re.compile(r"^(?:name|identify)\s+(him|her|it|them|the\s+[\w\s-]{1,25}?)\s*:\s+(.+)$", re.IGNORECASE)
_PERSONAL = re.compile(r"\b(?:he|him|she)\b|\b(his|her)\b(?=\s+\w)", re.IGNORECASE)
_ENTITY = re.compile(r"\b(?:the|that|this)\s+(company|firm|lab|startup|outfit|business)\b(['’]s)?", re.IGNORECASE)
_DOUBT = re.compile(r"\b(?:actually|really|in\s+fact|truly)\b", re.IGNORECASE)
_HEDGED = re.compile(r"\b(?:maybe|perhaps|i\s+think|not\s+sure|or\s+so|i\s+guess)\b", re.IGNORECASE)
_NOT_NAMES = frozenset("mr mrs ms dr prof i".split())
# Left to the set-up to say: "Which company was that?", "Did those talks end in a deal?", "when did they ...".
_REFERS = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|there|those|these|"
                     r"(?:that|this)(?!\s+(?:is|was|are|were|has|had|will|would|can|could|did|does|do|puts?|runs?|"
                     r"makes?|leads?|heads?|owns?)\b))\b", re.IGNORECASE)
# What the asker is unsure of, left out: "..., I think he said it was on Instagram", "..., maybe in March".
_HEDGED_CLAUSE = re.compile(r"(?:,\s*|\s+)(?:and\s+)?(?:i\s+think|i\s+believe|i\s+want\s+to\s+say|pretty\s+sure|"
                            r"maybe|perhaps|probably|i\s+guess|if\s+i\s+remember)\b[^.?!]*", re.IGNORECASE)
# The asker's own state, not the story's: "..., I'm hoping they show more", "I'm curious how big it is".
_ASKERS_OWN = re.compile(r"(?:^|,\s*)(?:and\s+|but\s+)?i(?:['’]m|\s+am|\s+was|['’]d|['’]ve|\s+would|\s+hope|\s+want|"
                         r"\s+wonder|\s+have\s+no\s+idea)\b[^,.]*", re.IGNORECASE)
_SAYS_LITTLE = frozenset("actually really exactly called name happen know tell please confirm curious wondering "
                         "wonder kind thing one".split())
OWN_WORDS = 2  # a question with this few words of its own (one more, saying "that") takes the set-up's words too


def read_with_setup(text: str, passages: list[str]) -> str:
    """``text`` as one question when it is a question after sentences that set it up; else unchanged.
    ``passages``: the retrieved texts, which say which of the set-up's names the articles know."""
    text = " ".join(text.split())
    written = " ".join(passages)
    labelled = _NAME_LABEL.match(text)  # "Name him: one outlet calls him the CEO, the other the founder."
    if labelled:
        clue = labelled.group(2)
        if WH.match(clue):
            return clue  # "Name the figure: what did Meta bring in?"
        text = f"{clue.rstrip(' .!')}. Name {labelled.group(1)}."
    pieces = _sentences(text)
    riddle = [p for p in pieces if _WHO_AM_I.match(p)]
    if riddle and len(pieces) > 1:  # "Who am I? Gadgets 360 calls me Midjourney's CEO."
        who = riddle[0].lower().startswith("who")
        clue = " ".join(p for p in pieces if p not in riddle).rstrip(" .!?")
        clue = re.sub(r"\b(?:I|me|my|am)\b", lambda m: _THIRD_PERSON[who][m.group()], clue)
        return f"{'Who is he' if who else 'What is it'}, {_lower_first(clue, written)}?"
    asked = pieces[-1]
    setup = pieces[:-1]
    # A set-up may end unsure ("..., I think it was on Instagram?"), but one that asks is a question of its own.
    if not setup or any(p.rstrip().endswith("?") and _asks_something(p) for p in setup) or not _asks_something(asked):
        return text
    # "Meta's chief AI officer posted it. Which app ...?": the post's holder is whom "he" means.
    told = [holder_named(_ASKERS_OWN.sub(_nameless_dropped, _HEDGED_CLAUSE.sub("", _REPORTED.sub("", LABEL.sub("", p))))
                         .strip(" ,.!?"), passages) for p in setup]
    told = [t for t in told if t]
    if not told:  # "I'm curious. Who runs it?"
        return asked
    if _CHECKS.match(asked):
        return f"Is it true that {_lower_first(told[-1], written)}?"
    named = _NAME_IT.match(asked)
    if named:
        return _quiz_question(told, named, written)
    known = written.lower().replace("’", "'")
    setup_names = _names(" ".join(told))
    unknown = [n for n in setup_names if not _known(n, known)]
    # One detail the question doubts ("... in a LinkedIn post. Which platform did he actually use?") is no thing
    # to find; names the articles never use otherwise stay, and say that they cannot answer.
    if len(unknown) == 1 and (_DOUBT.search(asked) or _HEDGED.search(" ".join(setup))):
        setup_names.remove(unknown[0])
    else:
        unknown = []
    owners = {n for n in setup_names if re.search(rf"\b{re.escape(n)}['’]s\b", " ".join(told))}  # "Facebook's parent"
    said = " ".join(told)
    named_people = persons(written)
    people = sorted((p for p in named_people if p in said), key=said.index)
    things = [n for n in setup_names if n not in owners and _known(n, known) and not any(p in n or n in p for p in people)
              and not any(n in p.split() for p in named_people)]  # not "Holz", David Holz's surname
    question = _references_named(asked, people, things, said)
    if answer_kind(question) == YES_NO:  # its claim is its own: the set-up's may be what it doubts
        missing = [n for n in things if n.lower() not in question.lower()]
        refers = _REFERS.search(question)
        return f"{question.rstrip(' ?.!')}, about {' and '.join(missing)}?" if missing and refers else question
    own = [w for w in query_terms(question) if w not in _SAYS_LITTLE
           and not any(w in n.lower().split() for n in _names(question))]
    if not own:  # "What is it?": the set-up says what, as typed
        return _without(text, unknown)
    if question == asked and len(own) <= OWN_WORDS + bool(_REFERS.search(question)):
        setting = _without(", ".join(_lower_first(t, written) for t in told), unknown)
        return f"{question.rstrip(' ?.!')}, {setting}?" if setting else question
    return question


def _nameless_dropped(match: re.Match) -> str:
    """The asker's own state is dropped unless it names something: "I'm curious where Alexandr Wang posted"."""
    return match.group() if re.search(r"\b(?!I\b)[A-Z]", match.group()[2:]) else ""


def _sentences(text: str) -> list[str]:
    pieces, start = [], 0
    for end in _END.finditer(text):
        piece = text[start:end.end()].strip()
        if not _ABBREVIATED.search(piece.rstrip("\"”’')")):
            pieces.append(piece)
            start = end.end()
    return pieces + ([text[start:].strip()] if text[start:].strip() else [])


def _asks_something(sentence: str) -> bool:
    if YES_NO_START.match(sentence) or _ASKS.match(sentence):
        return True
    return sentence.rstrip().endswith("?") and not _HEDGED.search(sentence)


def _references_named(question: str, people: list[str], things: list[str], setup: str) -> str:
    """``question`` with "he" and "that company" as the set-up's person and organisation, where it has one.
    Where the set-up has "that company" too, it must name it there: "the company behind it all, Midjourney";
    "the image lab struck a deal with Meta" does not make "the lab" Meta."""
    def named(match: re.Match) -> str:
        noun = match.group(1).lower()
        if not re.search(rf"\b{noun}\b", setup, re.IGNORECASE):
            return things[0] + (match.group(2) or "") if len(things) == 1 else match.group()
        beside = [t for t in things if re.search(
            rf"\b{noun}\b[^,.;]{{0,50}},\s+{re.escape(t)}\b|\b{noun}\s+(?:(?:called|named)\s+)?{re.escape(t)}\b|"
            rf"\b{re.escape(t)}\s+(?:[\w-]+\s+)?{noun}\b", setup, re.IGNORECASE)]
        return beside[0] + (match.group(2) or "") if len(beside) == 1 else match.group()

    if things:
        question = _ENTITY.sub(named, question, count=1)
    if len(things) == 1:
        question = re.sub(r"\s+(?:over\s+)?there(?=\W*$)", f" at {things[0]}", question)  # "Who's the CEO over there?"
    if people:
        question = _PERSONAL.sub(lambda m: people[0] + ("'s" if m.group(1) else ""), question)
    return question


def _quiz_question(told: list[str], named: re.Match, passages: str) -> str:
    """"This man runs the lab that ... Name him." → "Which man runs the lab that ...?"."""
    for i, sentence in enumerate(told):
        if _THIS.search(sentence):
            asked = _THIS.sub("which ", sentence, count=1)
            rest = [_lower_first(t, passages) for t in told[:i] + told[i + 1:]]
            return ", ".join([asked[:1].upper() + asked[1:], *rest]) + "?"
    what = named.group(1).lower()
    head = {"him": "Who is he", "her": "Who is she", "it": "What is it", "them": "Who are they"}.get(what)
    return f"{head or 'Which ' + named.group(2) + ' is it'}, {', '.join(_lower_first(t, passages) for t in told)}?"


def _names(text: str) -> list[str]:
    """The names ``text`` gives, without an owner's "'s", a title, an acronym ("AI") or the asker ("I've")."""
    found = [re.sub(r"['’]s$", "", n) for n in names(text)]
    return [n for n in dict.fromkeys(found) if n.lower() not in _NOT_NAMES and not re.match(r"^I['’]", n)
            and any(c.islower() for c in n)]


def _known(name: str, known: str) -> bool:
    flat = re.escape(name.lower().replace("’", "'"))
    return bool(re.search(rf"\b{flat}\b", known))


def _without(said: str, dropped: list[str]) -> str:
    """``said`` without the ``dropped`` names, nor the words that tie them in ("on a Friday")."""
    for name in dropped:
        said = re.sub(rf"(?:\b(?:on|in|at|from|by|with|to|of|via)\s+)?(?:\b(?:a|an|the)\s+)?\b{re.escape(name)}"
                      r"(?:['’]s)?\b", "", said)
    return re.sub(r"\s+([,.])", r"\1", re.sub(r"\s{2,}", " ", said)).strip(" ,")


def _lower_first(text: str, passages: str = "") -> str:
    """"The deal ..." → "the deal ..."; "Reading about it ..." → "reading about it ..." (a capital mid-question reads as
    a name); a name the passages write ("Meta said ...") keeps its capital."""
    first = text.split(" ", 1)[0]
    named = first != "I" and first.lower() not in STOPWORDS and re.search(rf"\b{re.escape(first)}\b", passages)
    return text if named or first == "I" or first[1:2].isupper() else text[:1].lower() + text[1:]
