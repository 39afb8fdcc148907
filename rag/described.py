"""The name a question means when it describes a company instead of naming it.

"Who runs the AI image lab that Meta teamed up with?" means "Who runs Midjourney?" when the
passages write "the AI research lab Midjourney". Each name in the passages is scored by how many of
the description's words the passages call it by (the noun phrase it ends, an appositive, "a
partnership with"), then by the words around it; a clear winner replaces the description, so the
rules downstream see the name the passages use. Plain text rules.
"""

from __future__ import annotations

import re

from . import slots
from .text import STOPWORDS, split_sentences, stems

# The nouns a description of a company ends in. A generic one ("company") must bring other words;
# a telling one ("lab", "partner") counts as one of the description's words.
_GENERIC = frozenset("company firm venture outfit business player startup start-up group".split())
_TELLING = frozenset("lab laboratory partner studio maker developer platform giant".split())
_DESCRIPTION = re.compile(
    r"\b(?:(?P<owner>[A-Z][\w-]*)['’]s|the|its|this|that)\s+"
    r"(?P<words>(?:(?!(?:of|the|a|an|in|at|for|to|with|and|by|on)\b)[\w-]+,?\s+){0,4}?)"
    r"(?P<head>%s)s?\b" % "|".join(sorted(_GENERIC | _TELLING, key=len, reverse=True)))
# "which AI lab ...", "What is the name of the AI lab ...": the thing asked for
_ASKING = re.compile(r"\b(?:which|what|whose|(?:what|which)\s+(?:is|was|are|were)|name\s+of|names?|identify)\s+$",
                     re.IGNORECASE)
_PLAIN = frozenset("new just recently newly same other one own".split())
WINDOW = 6  # words either side of a name that stand near it
AHEAD = 2  # without its head noun or owner, the best name must be called by this many of the words


# News calls a company by what it owns ("the Facebook parent", "the company behind ChatGPT"): the owners of
# products and brands widely known by their own names.
OWNERS = {"facebook": "Meta", "instagram": "Meta", "whatsapp": "Meta", "oculus": "Meta", "youtube": "Google",
          "android": "Google", "gmail": "Google", "deepmind": "Google", "waymo": "Alphabet", "google": "Alphabet",
          "chatgpt": "OpenAI", "dall-e": "OpenAI", "linkedin": "Microsoft", "github": "Microsoft", "xbox": "Microsoft",
          "bing": "Microsoft", "aws": "Amazon", "alexa": "Amazon", "twitch": "Amazon", "iphone": "Apple",
          "tiktok": "ByteDance", "snapchat": "Snap"}
_OWNED = re.compile(r"\b(?:the\s+)?(?P<brand>[A-Z][\w-]*)(?:['’]s)?\s+(?:parent(?:\s+company|\s+firm)?|owner|"
                    r"owning\s+company)\b|\bthe\s+(?:company|firm|giant|group|tech\s+giant)\s+(?:behind|that\s+owns|"
                    r"which\s+owns|owning)\s+(?P<owned>[A-Z][\w-]*)")


def named(question: str, texts: list[str]) -> str:
    """``question`` with each description of a company the passages ``texts`` clearly name replaced by
    that name: "the image lab's chief" → "Midjourney's chief", "the Facebook parent" → "Meta"."""
    question = _OWNED.sub(lambda m: _owner(m, texts), question)
    asked = slots.asked_noun(question)
    for match in reversed(list(_DESCRIPTION.finditer(question))):
        owns = re.match(r"['’]s\b", question[match.end():])  # "What is the image lab's CEO called?"
        if (_ASKING.search(question[: match.start()]) and not owns) or match.group("head").lower() == asked:
            continue  # what is asked for: "which lab, the one that ...?"
        name = _named_by(match, question, texts) or _name_within(match, texts)
        if name:
            # The passages' own phrase ("the Menlo Park-based tech giant") stays beside the name, for its words.
            said = f"{match.group()} {name}" if _written(match, texts) else name
            question = question[: match.start()] + said + question[match.end():]
    return question


def holder_named(question: str, texts: list[str]) -> str:
    """``question`` with the one person ``texts`` give a post it names as whose it is ("the CEO of Midjourney",
    "Meta's chief AI officer") named beside it, where the question asks something else of them: "Where did
    the CEO of Midjourney post?" → "Where did the CEO of Midjourney David Holz post?". Not "Who is the CEO of ...?",
    nor the post a yes/no question claims someone holds ("Is Wang the CEO of Midjourney?")."""
    for (start, end), owner, post in reversed(slots.posts_named(question)):
        before = question[:start]
        if _ASKING.search(before) or _CLAIMED.search(before) or _IDENTITY_ASKED.match(before):
            continue
        owner_words = {w.lower() for w in owner.split()}
        if owner_words & {w.lower() for text in texts for person in slots.persons(text) for w in person.split()}:
            continue  # "Is the CEO of Globex Ann Lee?" claims who holds it
        holders = {person for text in texts for person in slots.persons(text)
                   for their_owner, theirs in slots.posts_held(person, text)
                   if owner_words & {w.lower() for w in their_owner.split()} and slots.same_post(post, theirs)}
        holder = holders.pop() if len(holders) == 1 else None
        if holder and not re.match(r"\s+[A-Z]", question[end:]):  # "Meta's AI chief Alexandr Wang", "Is its CEO Wang?"
            # The post's words stay beside the name: sentences call him by either.
            question = f"{question[:end]} {holder}{question[end:]}"
    return question


# Where a post is what is asked ("who is the CEO of ...") or claimed ("Holz is the CEO of ...", "named him CEO").
_CLAIMED = re.compile(r"(?:\b(?:who|whom)\s+(?:is|was|are|were)|\b(?!(?:when|where|what|which|how|why)\b)\w+\s+"
                      r"(?:is|was|are|were|remains?|remained)(?:\s+(?:also|still|now|really))?|"
                      r"\b(?:as|become|became|becomes|named|appointed)|"
                      r"\b(?:calls?|called|dubs?|dubbed|names?|describes?|described)(?:\s+(?:him|her|them|it))?)\s+$",
                      re.IGNORECASE)
_IDENTITY_ASKED = re.compile(r"^\s*(?:is|was|are|were)\s+\S.*$", re.IGNORECASE)  # "Is Wang [also] the CEO of ...?"


def _owner(match: re.Match, texts: list[str]) -> str:
    owner = OWNERS.get((match.group("brand") or match.group("owned")).lower())
    if owner and any(re.search(rf"\b{owner}\b", text) for text in texts):
        return owner
    return match.group()


def _name_within(match: re.Match, texts: list[str]) -> str | None:
    """"the Midjourney image-whiz outfit" is Midjourney: a company described with a generic noun after its
    own name. Not "the Meta AI lab": a lab is a part of Meta, not Meta."""
    if match.group("head").lower() not in _GENERIC:
        return None
    names = [n for n in slots.names(match.group("words")) if any(re.search(rf"\b{re.escape(n)}\b", t) for t in texts)]
    return names[0] if len(names) == 1 else None


def _written(match: re.Match, texts: list[str]) -> bool:
    phrase = re.escape(match.group()[match.group().index(" ") + 1:] if " " in match.group() else match.group())
    return any(re.search(rf"\b{phrase}", text, re.IGNORECASE) for text in texts)


def _named_by(match: re.Match, question: str, texts: list[str]) -> str | None:
    head = match.group("head").lower()
    owner = (match.group("owner") or "").lower()
    words = {w for w in re.split(r"[\s,-]+", match.group("words").lower()) if w and w not in STOPWORDS | _PLAIN}
    words |= {head} if head in _TELLING else set()
    if len(words | {owner} - {""}) < AHEAD:
        return None
    asked = {w.lower() for n in slots.names(question) for w in n.split()} - {owner}
    attached: dict[str, set[str]] = {}  # what the passages call each name: "the AI research lab Midjourney"
    near: dict[str, set[str]] = {}  # the words around it
    for text in texts:
        people = slots.persons(text)
        for sentence in split_sentences(text):
            tokens = re.findall(r"[\w’']+|[^\w\s]", sentence)
            lowered = [t.lower().replace("’", "'").removesuffix("'s") for t in tokens]
            for name in slots.names(sentence):
                if name in people or {w.lower() for w in name.split()} & (asked | {owner}) or slots.is_date_word(name):
                    continue  # "Meta's new image partner" is not Meta
                for at in _positions(name, tokens):
                    end = at + len(name.split())
                    attached.setdefault(name, set()).update(_called(lowered, tokens, at, end), name.lower().split())
                    near.setdefault(name, set()).update(lowered[max(0, at - WINDOW): at], lowered[end: end + WINDOW])
    if owner and any(owner in called for called in attached.values()):
        attached = {n: called for n, called in attached.items() if owner in called}  # "Musk's AI startup": his
    # What it is called decides: its head noun or owner first ("the image lab" is the one called a lab), then
    # the other words it is called by, then the words around it.
    decisive = {head, owner} & (_TELLING | {owner}) - {""}
    scores = {n: (_matched(decisive, called), _matched(words | {owner} - {""}, called), _matched(words, near[n]))
              for n, called in attached.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
        return None
    best = ranked[0][1]
    # Called by enough of the description's words, or found beside every one of them ("the generative imaging
    # firm": "Midjourney's advanced image generation").
    if not (best[0] or best[1] >= AHEAD or (best[2] >= max(AHEAD, len(words)) and not best[1] < ranked[0][1][1])):
        return None
    return ranked[0][0]


def _called(words: list[str], raw: list[str], start: int, end: int) -> set[str]:
    """The words that describe the name at ``words[start:end]``: the ones right before it ("the research
    lab Midjourney", "Elon Musk's xAI"), an appositive or a predicate after it ("Midjourney, known for
    ...", "Midjourney remains an independent lab"), and "partner" for "a partnership with Midjourney"."""
    called = set()
    opens = start  # where the noun phrase holding the name opens
    for at in range(start - 1, max(-1, start - CALLED - 1), -1):
        if words[at] in ("the", "a", "an", "its"):
            # A noun phrase opens here ("the AI research lab Midjourney"); after a verb it would not.
            called.update(words[at + 1: start])
            opens = at
            break
        if words[at] in STOPWORDS or not (words[at][0].isalnum() or words[at] in "()"):
            if at + 1 < start and raw[start - 1].endswith(("'s", "’s")):
                called.update(words[at + 1: start])  # "Elon Musk's xAI"
            break
    if opens >= 2 and words[opens - 1] == "with" and words[opens - 2].startswith("partner"):
        called.add("partner")  # "a partnership with the research lab Midjourney"
    after = words[end: end + 3]
    if (after[:1] == [","] and after[1:2] and after[1] in _APPOSITIVE) or (
            after[:1] and after[0] in _BEING and after[1:2] and after[1] in ("a", "an", "the")):
        # "Midjourney, known for ...", "Midjourney remains an independent lab"; not "Meta, on Saturday, announced"
        for word in words[end + 1: end + 1 + CALLED]:
            if word in (".", ";", ":") or word in ("with", "despite", "but", "though"):
                break
            called.add(word)
    return {w for w in called if w[0].isalnum() and w not in STOPWORDS | _PLAIN}


_BEING = frozenset("is remains was".split())
_APPOSITIVE = frozenset("the a an known one".split())  # not "which has taken a backseat in ...": what it did
CALLED = 8  # words of a description at most


def _matched(words: set[str], found: set[str]) -> int:
    return sum(any(_alike(w, f) for f in found) for w in words)


def _positions(name: str, tokens: list[str]) -> list[int]:
    size = len(name.split())
    return [i for i in range(len(tokens) - size + 1)
            if " ".join(t.replace("’", "'").removesuffix("'s") for t in tokens[i: i + size]) == name]


def _alike(word: str, other: str) -> bool:
    """"gen" is "generation", "partner" is "partnership", "lab" is "laboratory", "imaging" is "image"; "ai" is
    only "ai"."""
    if len(word) < 3 or len(other) < 3:
        return word == other
    return other.startswith(word) or word.startswith(other) or stems(word) == stems(other)
