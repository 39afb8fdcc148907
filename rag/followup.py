"""Follow-up questions: "Did he say the company stays independent?" rewritten to stand alone,
and which of the previous answer's articles "the other article" means.

The engine retrieves for one question at a time, so a follow-up must carry its context itself.
A question that stands alone comes back unchanged without calling the LLM (a call costs seconds).
One that leans on the chat is rewritten by the chat model; a tiny model's rewrite is checked
before it is trusted, and a rule-based rewrite (pronouns replaced by the names they mean) is
the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import NewsqaError
from .text import MARKER, NAME, names, query_terms, stems, strip_markers


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a chat, as much of it as a follow-up leans on. ``Answer.turn()`` makes one."""

    question: str  # the standalone question that was answered
    text: str = ""  # the answer with its [n] markers; "" when unknown (an API caller's previous question)
    cited: tuple[tuple[int, str], ...] = ()  # (citation number, file), in citation order
    retrieved: tuple[str, ...] = ()  # the files retrieved for it, best first
    asked: str = ""  # what the user typed, when it was not ``question`` itself
    abstained: bool = False


# Words that point back at the chat whatever else the question says.
PERSONAL = {"he": "", "him": "", "she": "", "his": "'s", "hers": "'s"}  # "her" is decided by what follows
THINGS = {"it": "", "they": "", "them": "", "its": "'s", "their": "'s", "theirs": "'s"}
# Words that point back only in a question too short to have its own subject: "Is there a deal?" stands alone.
WEAK = frozenset("this these those there such that".split())
ENTITY_PHRASES = ("the company", "the firm", "the lab", "the startup")  # rewritten to the name they mean
TOPIC_PHRASES = ("the deal", "the partnership", "the same", "the announcement")  # only in a question without a subject
LEADS = ("and ", "and?", "but ", "what about ", "how about ")  # "Why?" alone is caught by having no subject
REPORTING = frozenset("say tell told write wrote mention mentioned claim claimed add added think else more".split())

_SOURCE_NOUN = r"(?:article|source|story|report|piece|one|outlet|site)s?"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
OTHER_SOURCE = re.compile(rf"\b(?:the\s+other|another)\s+{_SOURCE_NOUN}\b", re.IGNORECASE)
ORDINAL_SOURCE = re.compile(rf"\b(?:the\s+)?({'|'.join(_ORDINALS)})\s+{_SOURCE_NOUN}\b", re.IGNORECASE)
NUMBERED_SOURCE = re.compile(r"\b(?:source|article)\s*#?\s*(\d+)\b|\[(\d+)\]", re.IGNORECASE)
SAME_SOURCE = re.compile(
    rf"\b(?:that|this|the\s+same|the\s+cited|the\s+first)\s+{_SOURCE_NOUN}\b"
    r"|\b(?:does|did|do)\s+(?:it|that)\s+(?:also\s+)?(?:say|mention|report|claim|add|explain|tell)\b"
    r"|\bit\s+(?:also\s+)?(?:says|said|mentions|reports|claims|adds)\b",
    re.IGNORECASE,
)
BOTH_SOURCES = re.compile(
    rf"\b(?:both|each|all)\s+(?:of\s+(?:them|the\s+{_SOURCE_NOUN})|(?:the\s+)?{_SOURCE_NOUN}"
    r"|(?:say|agree|mention|report)\w*)\b"
    r"|\bboth\s*\??$|\b(?:the|these|those)\s+(?:two\s+)?(?:articles|sources|stories|reports|pieces|outlets)\b"
    r"|\b(?:the|these|those)\s+two\s+ones?\b",
    re.IGNORECASE,
)
SOURCE_REFERENCES = (OTHER_SOURCE, ORDINAL_SOURCE, NUMBERED_SOURCE, SAME_SOURCE, BOTH_SOURCES)

_WORD = re.compile(r"[A-Za-z][\w'’-]*")  # not text.words: "he's" stays one word, so it is no pronoun
_EXISTENTIAL = re.compile(r"\b(?:there\s+(?:is|are|was|were|be)|(?:is|are|was|were)\s+there)\b", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^(?:and|but|what about|how about)\s+(?P<rest>.+?)[?.!]*$", re.IGNORECASE)

REWRITE_TURNS = 2  # the model sees the last two exchanges: enough for "he", short enough for a 135M model
ANSWER_CHARS = 240  # of each earlier answer shown to the model
REWRITE_TOKENS = 48
MAX_EXTRA_WORDS = 16  # a rewrite adds a name or two, not a paragraph
REWRITE_SYSTEM = (
    "Rewrite the last question so it makes sense on its own. Replace he, she, it, they and the company "
    "with the names they mean. Reply with the question only."
)
# One worked example: SmolLM2-135M copies the earlier answer without it.
REWRITE_EXAMPLE = [
    {"role": "user", "content": "Who founded Acme?"},
    {"role": "assistant", "content": "Jane Roe founded Acme in 1990."},
    {"role": "user", "content": "Rewrite so it stands alone: Did she sell it?"},
    {"role": "assistant", "content": "Did Jane Roe sell Acme?"},
]


def standalone(question: str, history: Sequence[Turn], chat_model=None) -> str:
    """``question`` rewritten to stand alone, given the earlier answers in ``history`` (oldest first).

    Unchanged, and without calling ``chat_model``, when it does not lean on the chat.
    Otherwise the chat model's rewrite if it passes :func:`acceptable_rewrite`, else
    :func:`rule_based_rewrite`'s.
    """
    question = question.strip()
    if not history or not needs_context(question):
        return question
    if chat_model is not None:
        rewrite = llm_rewrite(question, history, chat_model)
        if rewrite and acceptable_rewrite(rewrite, question, history):
            return rewrite
    return rule_based_rewrite(question, history[-1])


def needs_context(question: str) -> bool:
    """Whether ``question`` leans on the chat: a pronoun, "the other article", "and Meta?", or no subject."""
    lowered = question.strip().lower()
    words = _WORD.findall(lowered)
    if not words:
        return False
    if refers_to_sources(question) or any(w in PERSONAL or w in THINGS or w == "her" for w in words):
        return True
    if lowered.startswith(LEADS) or any(p in lowered for p in ENTITY_PHRASES):
        return True
    own = [t for t in query_terms(question) if t not in REPORTING]
    weak = any(w in WEAK for w in _WORD.findall(_EXISTENTIAL.sub(" ", lowered)))
    if (weak or any(p in lowered for p in TOPIC_PHRASES)) and len(own) <= 2:
        return True
    return len(own) <= 1


def refers_to_sources(question: str) -> bool:
    """Whether ``question`` points at the previous answer's articles: "the other article", "source 2", "both"."""
    return any(p.search(question) for p in SOURCE_REFERENCES)


# -- the chat model's rewrite -----------------------------------------------------------------


def rewrite_messages(question: str, history: Sequence[Turn]) -> list[dict]:
    """The rewrite prompt: one worked example, the last exchanges as chat turns, then the ask."""
    messages = [{"role": "system", "content": REWRITE_SYSTEM}, *REWRITE_EXAMPLE]
    for turn in history[-REWRITE_TURNS:]:
        messages.append({"role": "user", "content": turn.question})
        if not turn.abstained and turn.text.strip():
            messages.append({"role": "assistant", "content": _short(turn.text)})
    messages.append({"role": "user", "content": f"Rewrite so it stands alone: {question}"})
    return messages


def llm_rewrite(question: str, history: Sequence[Turn], chat_model) -> str:
    """The chat model's rewrite, cleaned to one line; "" when the model fails."""
    try:
        reply = "".join(chat_model.stream(rewrite_messages(question, history), REWRITE_TOKENS))
    except NewsqaError:
        return ""  # the rule-based rewrite still serves; the answer itself will report a dead model
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(?:standalone|rewritten)?\s*question\s*:\s*", "", line.strip(), flags=re.IGNORECASE)
    line = line.strip().strip("\"'“”‘’` ").strip()
    if "?" in line:
        line = line[: line.index("?") + 1]
    return line


def acceptable_rewrite(rewrite: str, question: str, history: Sequence[Turn]) -> bool:
    """Whether a model's ``rewrite`` of ``question`` can be trusted.

    It must be one question, not much longer than the original, free of [n] markers,
    with fewer pronouns, keep every content word the user typed, bring in something from
    the chat (else it is not standalone), invent at most one word the chat never used,
    and not merely repeat an earlier question.
    """
    rewrite = rewrite.strip()
    if not rewrite or MARKER.search(rewrite) or "\n" in rewrite:
        return False
    if not rewrite.endswith("?"):
        return False
    if len(_WORD.findall(rewrite)) > len(_WORD.findall(question)) + MAX_EXTRA_WORDS:
        return False
    earlier = [turn.question.strip().lower() for turn in history] + [turn.asked.strip().lower() for turn in history]
    if rewrite.lower() in earlier or rewrite.lower() == question.strip().lower():
        return False
    if _pronouns(question) and len(_pronouns(rewrite)) >= len(_pronouns(question)):
        return False  # still says "he" or "it": not standalone
    own, new = stems(question), stems(rewrite)
    if not own <= new:
        return False
    chat = set().union(*(stems(t.question) | stems(strip_markers(t.text)) for t in history[-REWRITE_TURNS:]))
    if not (new - own) & chat:
        return False
    return len(new - own - chat) <= 1


def _pronouns(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w in PERSONAL or w in THINGS or w == "her"]


def _short(text: str) -> str:
    text = strip_markers(text).strip()
    if len(text) <= ANSWER_CHARS:
        return text
    cut = text[:ANSWER_CHARS]
    return cut[: cut.rfind(" ")] + " …" if " " in cut else cut


# -- the rule-based rewrite -------------------------------------------------------------------


def rule_based_rewrite(question: str, previous: Turn) -> str:
    """``question`` with its pronouns replaced by the names they most likely mean in ``previous``.

    "he"/"his" become the person the previous answer named (else its question did),
    "it"/"they"/"the company" the last name in the previous question. "What did the other
    article say?" becomes the previous question itself (:func:`carried_files` says which
    article). A follow-up with nothing to replace gets the previous question's names
    appended, or, when it has no subject of its own ("Why?"), follows the previous question.
    """
    question = question.strip()
    person, entity = _referents(previous)
    rewritten = _replace_references(question, person, entity)
    if rewritten != question:
        return rewritten
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and entity and NAME.fullmatch(ellipsis["rest"].strip()) and entity in previous.question:
        head, _, tail = previous.question.rpartition(entity)  # "And Meta?" after "Who is the CEO of Midjourney?"
        return f"{head}{ellipsis['rest'].strip()}{tail}"
    own = [t for t in query_terms(_without_source_refs(question)) if t not in REPORTING]
    if not own and refers_to_sources(question):
        # "What did the other article say?" asks the previous question of other articles:
        # the question says what to find, carried_files() where.
        return _as_question(previous.question)
    earlier_names = names(previous.question)
    named = any(n.lower() in question.lower() for n in [*earlier_names, person, entity] if n)
    if named or (names(question) and len(own) >= 2):
        return question  # it names its own subject
    if len(own) <= 1 or question.lower().startswith(LEADS) or refers_to_sources(question):
        return f"{_as_question(previous.question)} {question}"
    topic = earlier_names or [w for w in query_terms(previous.question) if w not in own][:4]
    if not topic:
        return question
    return f"{question.rstrip('?.! ')} about {_join(topic)}?"


def _without_source_refs(question: str) -> str:
    for pattern in SOURCE_REFERENCES:
        question = pattern.sub(" ", question)
    return question


def _referents(previous: Turn) -> tuple[str, str]:
    """The person and the organisation or thing a pronoun in the next question most likely means."""
    in_question = names(previous.question)
    in_answer = [] if previous.abstained else names(strip_markers(previous.text))
    people = [n for n in in_answer if n not in in_question] + in_question + in_answer
    person = next((n for n in people if len(n.split()) == 2), "")
    things = [n for n in reversed(in_question) if n != person and n not in person]
    things += [n for n in in_answer if n != person and n not in person]
    entity = next((n for n in things if not n.isupper()), "")
    return person, entity


def _replace_references(question: str, person: str, entity: str) -> str:
    lowered = question.lower()
    if entity and entity.lower() not in lowered:
        for phrase in ENTITY_PHRASES:
            if phrase in lowered:
                start = lowered.index(phrase)
                question = question[:start] + entity + question[start + len(phrase):]
                lowered = question.lower()
                break
    mentioned = lowered

    def swap(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        following = question[match.end():].lstrip()
        if lower == "her":
            suffix = "'s" if following[:1].isalpha() else ""
            return person + suffix if person and person.lower() not in mentioned else word
        if lower in PERSONAL and person and person.lower() not in mentioned:
            return person + PERSONAL[lower]
        if lower in THINGS and entity and entity.lower() not in mentioned and not _is_source_it(question, match):
            return entity + THINGS[lower]
        return word

    return re.sub(r"\b[A-Za-z]+\b", swap, question)


def _is_source_it(question: str, match: re.Match) -> bool:
    """Whether this "it" is the article ("What else did it say?"), which names nothing to substitute."""
    return bool(SAME_SOURCE.search(question[max(0, match.start() - 12): match.end() + 16]))


def _as_question(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("?", ".", "!")) else text + "?"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# -- the previous answer's articles ---------------------------------------------------------


def carried_files(question: str, history: Sequence[Turn]) -> list[str]:
    """The previous answer's files that ``question`` points at, to add to its retrieval candidates.

    Contract: returns corpus-relative file names, as in ``Citation.file`` and ``Retrieved.file``,
    taken only from the last answer in ``history`` (its cited files first, in citation order,
    then the other files it retrieved), best first; ``[]`` when ``question`` does not point at them.

    - "the other article", "another source": those files except the first cited one (or,
      for an abstention, the first retrieved one);
    - "the second source", "source 2", "[2]": the file of citation number 2, else the second file;
      "the first article" the first, "the last one" the last cited;
    - "that article", "the same source", "what else did it say?": the first cited file;
    - "both", "each article", "the two articles", "do they all agree?": the cited files, or the
      first two files when fewer than two were cited.

    The engine should search these files' chunks for the standalone question and answer
    from them first: "the other article" is not answered well by the first one.
    """
    if not history:
        return []
    previous = history[-1]
    cited = list(dict.fromkeys(file for _, file in previous.cited))
    files = list(dict.fromkeys(cited + list(previous.retrieved)))
    if not files:
        return []
    if OTHER_SOURCE.search(question):
        return [f for f in files if f != files[0]]
    numbered = NUMBERED_SOURCE.search(question)
    ordinal = ORDINAL_SOURCE.search(question)
    if numbered or (ordinal and ordinal.group(1).lower() != "first"):
        number = int(numbered.group(1) or numbered.group(2)) if numbered else _ORDINALS[ordinal.group(1).lower()]
        by_number = dict(previous.cited)
        if number in by_number:
            return [by_number[number]]
        ranked = cited or files
        if number == -1:
            return ranked[-1:]
        return [ranked[number - 1]] if 0 < number <= len(ranked) else []
    if BOTH_SOURCES.search(question):
        return cited if len(cited) >= 2 else files[:2]
    if SAME_SOURCE.search(question) or ordinal:
        return files[:1]
    return []
