"""Answers a small model can get right: small steps for it, the rest composed and checked in code.

A 135M model answering from four passages invents. Asked to copy the words that answer a
question from one sentence, it mostly copies. So, by what the question asks for
(:mod:`rag.slots`):

- a short fact (who, which company, when, how many): the passages' sentences are ranked
  against the question, the model names the span in the best sentence that holds a span of
  the right kind, and code checks that the span is in that sentence, is of that kind and is
  new to the question; when it is not, the sentence's own candidates are used. No sentence
  with such a span that is about the question: abstain and say what is missing.
- one entity several articles point at ("Which company, reported by X to ..., and by Y
  to ...?"): each part's passages nominate names; the one the parts agree on is the answer.
- yes or no: each claim the question makes is matched to its own passages' best clause; no
  when a clause says it with the other polarity ("does not grant" against "give"), or the
  claim carries a number its article lacks or counts otherwise, else yes.
- anything else: the sentences that best answer it, quoted.

Every answer cites the passages its words come from, so its citations hold by construction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import asking, described, slots
from .citations import Citation, Claim, citation_for, embed_cached
from .query import Part, Query
from .retrieval import Retrieved
from .text import STOPWORDS, split_sentences, stems

SPAN_TOKENS = 24
RELEVANT = 0.3  # a sentence this close to the question (mean of its focus words' share and cosine) is about it
SUPPORTED = 0.55  # a clause this close to a claim says it, so its polarity counts
CLOSE = 0.5  # a sentence this close in meaning to a short-fact question is about it, whatever words it shares
_UNITS = "unit division group lab laboratory department team arm branch office body institute agency"
_ASKED_UNIT = re.compile(rf"\b(?:which|what|name\s+of\s+the)\s+(?:[\w’'-]+\s+){{0,3}}?({'|'.join(_UNITS.split())})s?\b",
                         re.IGNORECASE)  # "which recently created unit", "the name of the Meta division"
FIT_SHARE = 0.9  # an organisation-like name answers "which unit" from a sentence scoring this share of the best
OWNED_SHARE = 0.7  # a name given as someone's answers "which tycoon's company" when its sentence scores this share of the best
MEDIUM_SHARE = 0.8  # a sentence saying "on Threads" answers "which app" when it scores this share of the best
QUOTE_SHARE = 0.8  # a sentence quoting a phrase answers "what phrase" when it scores this share of the best
SAID = 0.7  # a clause with this cosine to a claim says what it claims, in whatever words
DESCRIBED_WORDS = 12  # content words of a question that describes its answer rather than asks one fact
CIRCUMSTANCE = 0.5  # what a word of a clause saying when it happened counts, of its worth ("before Meta came along")
RANK_PENALTY = 0.03  # a sentence's score lost per place its passage sits lower in the retrieval ranking
SECOND_SOURCE = 0.85  # another article's best sentence is quoted too when it scores this share of the best
MENTION_WEIGHT = 0.1  # each mention's share of a name's vote, beside each part's best sentence
NO_EVIDENCE = 0.2  # a one-claim question whose best clause scores under this has no evidence: no
UNTOLD = 0.75  # ...when the best sentence with a span scores under this share of one saying it is not known
QUOTED_WORDS = 6  # a longer quote in a question is a claim in the asker's words, not a phrase to find
PASSAGES = 6  # read from the top of the ranking for a one-part question
SPAN_SYSTEM = ("You copy the exact words of a sentence that answer a question. Reply with those words only, "
               "no full sentence.")
# Words that say how one report relates to another; a question about the relation ("was there a
# change", "consistent or inconsistent") is decided by whether its claims hold, flipped by negation.
_RELATIONS = stems("consistent consistency agree agreement change similar same aligned align support")
_REPORTING = ("say says said report reports mention mentions quote quotes note notes state states describe "
              "describes cite cites").split()
_REPORTS = "(?:reports|articles|pieces|stories|outlets|publications|sources|sites)"
_BOTH_REPORTS = re.compile(rf"\bboth\s+{_REPORTS}\b|\b{_REPORTS}\s+both\b|"
                           r"^\s*(?:do|did|does)\s+(?:they\s+)?both\s+(?:%s)\b|" % "|".join(_REPORTING) +
                           r"\b(?:in|by|from|across)\s+both\b|\beach\s+(?:%s)\b" % "|".join(_REPORTING),
                           re.IGNORECASE)  # "in both the Herald and Courier articles", "Did the Herald and the Courier each note"
_DISCLOSED = stems("disclose disclosed reveal revealed public announce announced confirm confirmed publish published "
                   "specify specified detail detailed")  # what a claim says when it claims something was made known
_IDENTITY = re.compile(r"^(?:[Ii]s|[Ww]as)\s+(?P<name>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)(?:,[^,]+,)?\s+"
                       r"(?:(?:also|still|really|actually|now)\s+)?"
                       r"(?P<role>(?:the|a|an)\s+[^?]+?|[A-Z][\w&.-]*['’]s\s+[^?]+?)\s*\??$")  # "the CEO of Y", "Y's CEO"
_ROLE_FIRST = re.compile(r"^(?:[Ii]s|[Ww]as)\s+(?P<role>(?:the|a|an)\s+[^?]*?[a-z][^?]*?|[A-Z][\w&.-]*['’]s\s+[^?]+?)\s+"
                         r"(?P<names>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)\s*\??$")  # "Is Y's CEO X?"
_WHOSE = re.compile(r"\b(?i:which|what)\s+(?:[\w-]+\s+){0,2}?[a-z][\w-]*['’]s\s|\b(?i:whose)\s")  # "which billionaire's venture", not "which Meta's"
_OWNER_ASKED = re.compile(r"\b(?:owns?|owned\s+by|belong(?:s|ing)?\s+to|behind|whose)\b", re.IGNORECASE)  # a company's owner
_GEOGRAPHIC = re.compile(r"\b(?:city|cities|country|countries|town|state|region|continent|capital)\b", re.IGNORECASE)
_LEADING_PREPOSITION = re.compile(r"^(?:in|on|at|by|since|from)\s+", re.IGNORECASE)
_PHRASE_ASKED = re.compile(r"\b(?:phrase|catchphrase|slogan|motto|words|wording|term|label|quote|call(?:s|ed)?|dub(?:s|bed)?|"
                           r"describ(?:e|es|ed))\b", re.IGNORECASE)
_CLAUSE = re.compile(r",?\s+(?:while|whereas|although|though|but)\s+|;\s+|,\s+and\s+|\s+—\s+")


@dataclass
class Draft:
    """What the stepwise answerer concluded: the text with its [n] markers, and what backs it."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    abstained: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Sentence:
    text: str
    passage: int  # index into the passages read
    score: float  # how well it matches what was asked, 0..1
    cosine: float = 0.0  # its embedding's cosine with what was asked
    before: str = ""  # the sentence before it in its passage (the title for the first)
    relevance: float = 0.0  # how much it is about what was asked: its score, or more with every word counted alike


class Stepwise:
    """One question at a time: ``answer`` yields progress lines, then a :class:`Draft`."""

    def __init__(self, model, embedder) -> None:
        self.model = model
        self.embedder = embedder

    def answer(self, question: str, query: Query, retrieved: list[Retrieved], kind: str,
               pointed: bool = False) -> Iterator[str | Draft]:
        """``pointed``: ``retrieved`` are the articles the user pointed at ("what did the other article
        say?"), and what they say about the question is the answer, whatever it asks for."""
        question = slots.as_asked(question)  # "Quick check: did ...", "Name the ..."
        texts = [r.chunk.text for r in retrieved]
        question = described.named(question, texts)  # "the image lab" → Midjourney
        if kind != slots.PERSON:  # "Who is Meta's AI chief?" asks for the person the post names
            question = described.holder_named(question, texts)  # "where did the CEO of Midjourney post" → David Holz
        if pointed:
            yield "Quoting what those articles say about it…\n"
            yield self.explanation(question, retrieved, pointed=True)
        elif kind == slots.YES_NO:
            yield "Checking each claim of the question against its passages…\n"
            yield self.yes_no(question, query, retrieved)
        elif kind in (slots.PERSON, slots.ORGANISATION, slots.THING) and (_parts(query) or _described(question)):
            yield "Finding the name the articles agree on…\n"
            yield self.agreed_entity(question, query, retrieved, kind)
        elif kind in slots.SHORT_FACTS:
            yield "Finding the sentence that holds the answer…\n"
            yield from self.short_fact(question, retrieved, kind, query)
        else:
            yield "Quoting the sentences that answer it…\n"
            yield self.explanation(question, retrieved, query=query)

    # -- ranking sentences ---------------------------------------------------------------------

    def ranked(self, text: str, passages: list[Retrieved], clauses: bool = False,
               wanted: set[str] | None = None, names: bool = True, rare: bool = False) -> list[Sentence]:
        """Every sentence (or clause) of ``passages``, best match to ``text`` first.

        The score is the mean of two things: the share of ``text``'s content words the sentence
        has (names in the sentence before it count too: "the tech giant" after "Meta"), and its
        cosine with ``text``, which lets a paraphrase through. ``wanted``: the words that count,
        when not all of ``text``'s; ``names``: the names of ``text`` that ``wanted`` leaves out count
        as well, as much as they pick sentences out; ``rare``: so do the wanted words (for a short fact, whose
        one sentence is picked out by its rarest words; a claim's clause must say all of it).
        """
        units: list[tuple[str, int, str]] = []  # (unit, passage, the sentence before it)
        for i, passage in enumerate(passages):
            before = "" if passage.chunk.position else passage.chunk.title  # mid-article, the title is far back
            for sentence in split_sentences(passage.chunk.text):
                for unit in (_clauses(sentence) if clauses else [sentence]):
                    units.append((unit, i, before))
                before = sentence
        if not units:
            return []
        wanted = wanted or stems(text)
        vectors, (asked,) = embed_cached(self.embedder, [u for u, _, _ in units], also=[text])
        cosines = vectors @ asked
        owns = [(stems(unit) - _HEADS if wanted & _HEADS else stems(unit)) | slots.acronyms(unit, text) | _heads(unit, text, wanted) | _said_alike(unit, wanted)
                for unit, _, _ in units]
        # The names ``wanted`` leaves out count as much as they pick sentences out: "Twitter" in one sentence
        # of thirty nearly as much as a word, "Meta" in every sentence not at all.
        names = _name_stems(text, passages) - wanted if names else set()
        weight = {n: _rarity(sum(n in own for own in owns), len(owns)) for n in names}
        total = len(wanted) + sum(weight.values())
        worth = _worth(wanted, [_matched(wanted, own) for own in owns]) if rare else dict.fromkeys(wanted, 1.0)
        for word in _circumstance(text) & wanted if rare else ():
            worth[word] *= CIRCUMSTANCE  # "... before Meta came along": when it happened, not what
        ranked = []
        for (unit, i, before), cosine, own in zip(units, cosines, owns):
            named = {w for w in wanted & stems(before) if w in _capitalised(before)}
            said = _matched(wanted, own) | (wanted & named)
            found, plain = sum(worth[w] for w in said), len(said)
            if said or cosine >= SUPPORTED:
                # Names say whom a sentence is about; it must also say what is asked, in words or in meaning:
                # "Maria Lopez sold the company on Tuesday" does not answer "When was Maria Lopez born?".
                who = sum(weight[n] for n in names & (own | _capitalised(before)))  # "He" after "David Holz"
                found, plain = found + who, plain + who
            score, relevance = ((count / max(total, 1) + max(float(cosine), 0.0)) / 2 for count in (found, plain))
            ranked.append(Sentence(unit, i, score, float(cosine), before, max(score, relevance)))
        # Retrieval already ranked the passages: a later one must match clearly better to come first.
        ranked.sort(key=lambda s: (-(s.score - RANK_PENALTY * s.passage), s.passage))
        return ranked

    # -- short facts ---------------------------------------------------------------------------

    def short_fact(self, question: str, retrieved: list[Retrieved], kind: str,
                   query: Query | None = None) -> Iterator[str | Draft]:
        passages = _narrowed(retrieved, query)
        focus = focus_words(question, passages)
        ranked = self.ranked(question, passages, wanted=focus, rare=True)
        nobody = self.nobody(question, ranked, passages, kind)
        if nobody is not None:
            yield nobody
            return
        people = _people(passages, kind)
        said = " ".join(p.chunk.text for p in passages)
        ahead = kind == slots.DATE and _WHEN_WILL.search(question) is not None
        holding = [(s, c) for s in ranked if (c := _candidates(s.text, question, kind, people, said))
                   and not slots.headline(s.text, passages[s.passage].chunk.text)
                   and (not ahead or _AHEAD.search(s.text))]  # "When will it ship?" is not "it shipped in June"
        unsure = _asks_what_is_unsure(question)
        if not unsure:
            # "He did not reveal if users will get Midjourney images" names what is not known, not what is asked
            # (unless what is asked is what is unsure: "Which offering's future is in doubt?").
            holding = sorted(holding, key=lambda h: slots.untold(h[0].text))  # stable: the rest keep their order
        qualifier = (_DATE_OF.search(question) or _WHEN_DONE.search(question)) if kind == slots.DATE else None
        if qualifier:
            # "What is his birth date?", "When was he born?" are not answered by the day he announced a deal.
            wanted = stems(next(g for g in qualifier.groups() if g))
            holding = [(s, c) for s, c in holding if _matched(wanted, stems(s.text) | _said_alike(s.text, wanted))]
        tail = asking.tail_question(question)
        asked = focus_words(tail, passages) - _PRO_WORDS - _KIND_NOUNS if tail != question else set()
        if asked:
            # "I read that Wang announced the deal — what is his date of birth?": the words after the statement
            # say what is asked; a sentence about the statement alone ("announced on Saturday") does not answer.
            holding = [(s, c) for s, c in holding if _matched(asked, stems(s.text) | _said_alike(s.text, asked))]
        post = slots.asked_post(question) if kind == slots.PERSON else None
        if post:
            # "Who is Meta's chief executive?" is not answered by "Midjourney CEO David Holz".
            holding = [(s, kept) for s, c in holding if (kept := [n for n in c if slots.holds_post(n, post, said)])]
        elif kind == slots.PERSON and _boss_asked(question):
            # "Who is the boss of the image generator ...?": someone the passages give a company's top post,
            # not its Chief AI Officer.
            tops = [(s, kept) for s, c in holding if (kept := [n for n in c if any(
                held <= _TOP_POST for _, held in slots.posts_held(n, said))])]
            holding = tops or holding
        if kind == slots.PERSON:
            # News names a person in full at least once; a lone capitalised word is as often a town.
            holding = [(s, [n for n in c if len(n.split()) > 1]) for s, c in holding
                       if any(len(n.split()) > 1 for n in c)] or holding
        # ...when it is about what is asked, not only in the asking's words ("What day did Meta reveal it?").
        if (ranked and not unsure and slots.untold(ranked[0].text) and _matched(focus - _DISCLOSED, stems(ranked[0].text))
                and (not holding or holding[0][0].score < UNTOLD * ranked[0].score)):
            # The sentence most about the question, well ahead of any holding an answer, says it is not known
            # ("He did not reveal if users will get it"): a date or name from another sentence answers
            # something else.
            yield _untold(ranked[0].text)
            return
        # Someone the passages name in the post asked about answers, however the question describes the company.
        if not (post and holding) and not any(s.relevance >= RELEVANT or s.cosine >= CLOSE for s, _ in holding):
            yield _abstain(question, kind)
            return
        unit = _ASKED_UNIT.search(question)
        if kind == slots.ORGANISATION and unit:
            # "Which division does he head?": a name that reads as an organisation's ("Meta Superintelligence
            # Labs") in a sentence nearly as close beats a platform or a partner in the closest, unless the
            # articles call one of the closest's names what is asked for ("the AI research lab Midjourney").
            fits = [(s, [n for n in c if slots.organisation_like(n) or _beside([n], said, unit.group(1))])
                    for s, c in holding]
            holding = _promoted(holding, fits, FIT_SHARE)
        elif kind in (slots.ORGANISATION, slots.THING) and _WHOSE.search(question):
            # "Which billionaire's AI venture ...?": a sentence naming a company as someone's ("Elon Musk’s xAI")
            # beats a closer one naming companies as nobody's.
            owned = [(s, [n for n in c if re.search(rf"\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*['’]s\s+{re.escape(n)}\b", s.text)])
                     for s, c in holding]
            holding = _promoted(holding, owned, OWNED_SHARE)
        elif kind == slots.PERSON and _OWNER_ASKED.search(question):
            # "Which billionaire owns the AI firm that ...?": a sentence naming someone's company ("Elon Musk’s
            # xAI") beats a closer one naming people as nobody's owners.
            owners = [(s, [n for n in c if _owns_a_name(n, s.text)]) for s, c in holding]
            holding = _promoted(holding, owners, OWNED_SHARE)
        elif slots.asked_noun(question) in _MEDIA:
            # "Which app did he use?": a sentence saying "on Threads" beats a closer one naming no medium.
            holding = _promoted(holding, [(s, c) for s, c in holding if _after_preposition(c, s.text, question)],
                                MEDIUM_SHARE)
        best, candidates = holding[0]
        span = self.model_span(question, best.text, kind)
        inside = [c for c in candidates if span and c in span]
        if span is not None and (_is_person(span, people) or not inside):
            span = None  # a name the sentence's own reading does not find ("Midjourney to License")
        elif span is not None and kind in (slots.PERSON, slots.ORGANISATION, slots.PLACE) and _wordy(span, inside):
            span = max(inside, key=len)  # the name, not the words around it ("The future of Midjourney's ...")
        elif span is not None and _LEADING_PREPOSITION.sub("", span) in inside:
            span = _LEADING_PREPOSITION.sub("", span)  # "June", not "In June"
        # "Which Google AI product ...?": Google's, whatever else the sentence lists; "What is the name of the
        # model?": the name the sentence puts beside "model" ("its first video model, V1").
        preferred = (_owned(candidates, best.text, question) or _beside(candidates, best.text, slots.asked_noun(question))
                     or _after_preposition(candidates, best.text, question))
        if preferred and span not in preferred:
            span = preferred[0]
        listed = _examples(candidates, best.text, question)
        if listed:
            span = listed if _plural_asked(question) else next(c for c in candidates if c in listed)
        if span is None:
            yield "Checking the model's words against the sentence…\n"
            span = _closest(candidates, best.text, question)
            if kind in (slots.THING, slots.ORGANISATION):
                listed = slots.listed(span, best.text)
                span = span if slots.role(listed) else listed  # not "Meta's Chief AI Officer" for "Meta"
        owner = re.match(r"^(.+?)['’]s\s+\S", span) if kind == slots.PERSON else None
        if owner and re.fullmatch(r"[A-Z][\w.-]+(?:\s+[A-Z][\w.-]+){1,2}", owner.group(1)):  # a full name
            span = owner.group(1)  # "Elon Musk", not "Elon Musk’s xAI", for "which billionaire owns it?"
        passage = passages[best.passage]
        yield _cited(_sentence_case(span), [(passage, best.text)])

    @staticmethod
    def nobody(question: str, ranked: list[Sentence], passages: list[Retrieved], kind: str) -> Draft | None:
        """"Who funds the lab?" answered by what a sentence about it says when that is nobody: "no investors",
        "investor-free"; None when the question is not who funds or owns something, or no such sentence leads."""
        if kind not in (slots.PERSON, slots.ORGANISATION, slots.PLACE, slots.THING) or not _asks_funding(question):
            return None
        funded = _FUNDED.search(question)
        named = slots.names(funded.group(1)) if funded else []
        best = ranked[:NOBODY_SENTENCES]
        # "no outside investors" said plainly goes before "investor-free" in a sentence about its reputation.
        plainly = [s for s in ranked[:2 * NOBODY_SENTENCES]  # a little further down, too
                   if re.search(r"\b(?:no|without)\s", s.text) and _NOBODY.search(s.text)]
        for sentence in plainly + [s for s in best if s not in plainly]:
            said = _NOBODY.search(sentence.text)
            # "Who funds Meta?" needs a sentence about Meta: one that opens with the name the question gives,
            # or with "He"/"It" after a sentence naming it ("Midjourney CEO David Holz said ... He added ...").
            about = not named or any(re.match(rf"^\W*{re.escape(n)}\b", sentence.text) or (
                re.match(r"^\W*(?:he|she|it|they|we)\b", sentence.text, re.IGNORECASE)
                and re.search(rf"\b{re.escape(n)}\b", sentence.before)) for n in named)
            if said and about and sentence.score >= NO_EVIDENCE:
                return _cited(_sentence_case(said.group()), [(passages[sentence.passage], sentence.text)])
        return None

    def model_span(self, question: str, sentence: str, kind: str) -> str | None:
        """The model's answer span from ``sentence``, or None when it is not in the sentence, not of
        the right kind, only repeats the question, or carries the question's own names with it
        ("In a post on Threads, Alexandr Wang" for "Where did Alexandr Wang post?")."""
        if self.model is None:
            return None
        messages = [{"role": "system", "content": SPAN_SYSTEM},
                    {"role": "user", "content": f"Sentence: {sentence}\nQuestion: {question}\nWords that answer it:"}]
        reply = "".join(self.model.stream(messages, SPAN_TOKENS)).strip()
        span = _best_fragment(reply, sentence)
        if not span or not slots.answers_slot(span, sentence, question, kind):
            return None
        asked = {w.lower() for name in slots.names(question) for w in name.split()}
        if kind != slots.NUMBER and any(w.lower() in asked for name in slots.names(span) for w in name.split()):
            return None
        return span

    # -- one entity, several articles ----------------------------------------------------------

    def agreed_entity(self, question: str, query: Query, retrieved: list[Retrieved], kind: str) -> Draft:
        """The name the question's parts agree on: each part's passages vote for the names in their
        sentences, each name once per part, as much as its best sentence matches that part."""
        excluded = _question_names(question, retrieved)
        people = _people(retrieved, kind)
        mentions: list[tuple[int, str, Sentence, Retrieved]] = []
        tops: set[str] = set()
        parts = _parts(query) or [Part(question)]
        # One part may be answered by either of the two leading articles; several, each by its own.
        for p, (text, passages) in enumerate(_part_passages(parts, retrieved, extra=int(len(parts) == 1))):
            # Without the names' weight: with it, the vote on the public pack swung from "European
            # Commission" to "EU" on one question and improved none.
            ranked = self.ranked(text, passages, wanted=focus_words(text, passages), names=False, rare=True)
            tops.add(ranked[0].text if ranked else "")
            if len(parts) == 1 and ranked and _plural_asked(question):
                # "Which rival chatbots ...?": the list the closest sentence gives of them, as it gives it.
                listed = _examples(slots.spans(ranked[0].text, kind), ranked[0].text, question)
                if listed:
                    return _cited(listed, [(passages[ranked[0].passage], ranked[0].text)])
            for sentence in ranked:
                for name in slots.spans(sentence.text, kind):
                    key = _name_key(name)
                    if (key and not key & excluded and slots.new_to(name, question) and not _is_person(name, people)
                            and not _owned_only(name, sentence.text, question, kind)):
                        mentions.append((p, name, sentence, passages[sentence.passage]))
        if len(tops) == 1 and len(parts) > 1:
            # Every part is best said by one sentence ("which company talked with it earlier but never signed
            # a deal"): one fact in one place, so a name the passages keep repeating elsewhere does not win.
            mentions = [m for m in mentions if m[2].text in tops] or mentions
        if not mentions:
            return _abstain(question, kind)
        # "Which Google AI product ...?": only Google's, however often the passages name others.
        owned = [m for m in mentions if _owned([m[1]], m[2].text, question)]
        mentions = owned or mentions
        post = slots.asked_post(question) if kind == slots.PERSON else None
        if post:  # "Which person does one outlet call Midjourney's CEO ...?": not Meta's AI chief
            said = " ".join(r.chunk.text for r in retrieved)
            mentions = [m for m in mentions if slots.holds_post(m[1], post, said)] or mentions
        elif kind == slots.PERSON and _OWNER_ASKED.search(question):  # "the individual whose AI company ...": an owner
            mentions = [m for m in mentions if _owns_a_name(m[1], m[2].text)] or mentions
        groups = _groups([name for _, name, _, _ in mentions], kind)
        best: dict[tuple[str, int], tuple[Sentence, Retrieved]] = {}
        votes: dict[str, float] = {}
        rank = {r.file: i for i, r in reversed(list(enumerate(retrieved)))}

        def cited_first(sentence: Sentence, passage: Retrieved) -> float:
            return sentence.score - RANK_PENALTY * rank.get(passage.file, len(rank))

        for p, name, sentence, passage in mentions:
            slot = (groups[name], p)
            if slot not in best or cited_first(sentence, passage) > cited_first(*best[slot]):
                best[slot] = (sentence, passage)
            # Every mention adds a little: the answer is what the passages keep talking about.
            votes[groups[name]] = votes.get(groups[name], 0.0) + MENTION_WEIGHT * sentence.score
        for (group, _), (sentence, _) in best.items():
            # A one-word "person" is as often a team or a town ("Dolphins"): half a vote.
            votes[group] += sentence.score * (0.5 if kind == slots.PERSON and len(group.split()) == 1 else 1.0)
        winner = max(votes, key=lambda g: (votes[g], len(g.split())))
        found = [(passage, sentence.text, sentence.score) for (group, _), (sentence, passage) in sorted(
            best.items(), key=lambda item: item[0][1]) if group == winner]
        name = _fullest(winner, [n for r in retrieved for n in slots.names(r.chunk.text)], kind)
        return _cited(name, [(passage, text) for passage, text, _ in found])  # each holds the answer

    # -- yes or no -----------------------------------------------------------------------------

    def yes_no(self, question: str, query: Query, retrieved: list[Retrieved]) -> Draft:
        """Yes when every claim the question makes is backed by its passages with the same polarity."""
        identity = _IDENTITY.match(" ".join(question.split()))
        name, role = (identity.group("name"), identity.group("role")) if identity else _role_first(question, retrieved)
        if name:
            found = self.identity(name, role, retrieved)
            if found is not None:
                return found
        verdicts: list[bool] = []
        evidence: list[tuple[Retrieved, str, float]] = []
        choice = slots.choices(question)
        parts = _parts(query)
        claims = list(_part_passages(parts or [Part(question)], retrieved))
        leading = list(dict.fromkeys(r.file for r in retrieved))[:2]
        if not parts and _BOTH_REPORTS.search(question) and len(leading) == 2:
            # "Do both articles mention X?": X must be in each of the two articles the question leads to.
            claims = [(question, [r for r in retrieved if r.file == file][:PASSAGES]) for file in leading]
        for text, passages in claims:
            claim = _claim(text)
            if choice:  # "consistent or inconsistent" asks which; it claims neither
                claim = re.sub(rf"\b{choice[0]}\s+or\s+{choice[1]}\b|\b{choice[1]}\s+or\s+{choice[0]}\b", " ", claim,
                               flags=re.IGNORECASE)
            ranked = self.ranked(claim, passages, clauses=True)
            # A short claim's short quote must be in the sentence as written ("his "all-of-the-above"
            # phrasing"); in a question about several reports, or a long one, a quote is one detail of many.
            short = not parts and len(stems(claim)) < DESCRIBED_WORDS
            quoted = [q for q in _quotations(claim) if len(q.split()) <= QUOTED_WORDS] if short else []
            if quoted:
                ranked = [s for s in ranked if all(slots.occurs_in(q, _sentence_of(s.text, passages[s.passage]))
                                                   for q in quoted)]
            if not parts:
                # "Does Meta have a video model?" is not answered by "Midjourney released its video model".
                ranked = [s for s in ranked if not _about_another(s, claim, passages)] or ranked
            best = ranked[0] if ranked else None
            if best is None or (best.score < NO_EVIDENCE and not parts and not quoted):
                # One vague part of a question about several articles ("focuses on his performance") is
                # not refuted by finding no clause like it; a one-claim question with no evidence is.
                verdicts.append(False)
                continue
            sentence = _sentence_of(best.text, passages[best.passage])
            untold = _untold_claim(claim, best, passages)
            # A one-claim question must find what it claims happened, not just whom it is about:
            # "Did Meta buy Midjourney?" against "Meta entered a partnership with Midjourney" is no.
            # (A question about how reports relate, "did it maintain consistency", states no such fact.)
            # After a statement ("A Meta executive commented on it. Did the company say it will ...?"), the
            # question's own words are what must be said.
            asked = _claim(asking.tail_question(text)) if not parts else claim
            focus = focus_words(asked, passages)
            found = _matched(focus, stems(best.text) | _said_alike(best.text, focus))
            said = (parts or quoted or stems(claim) & _RELATIONS or len(found) * 2 >= len(focus)
                    or self.restated(asked, best.text) or untold is not None)
            if not parts and best.score >= SUPPORTED and slots.untold(sentence) and untold is None and said:
                # "Will users be able to make images?" against "He did not reveal if users will be able to":
                # the articles say it is not known, which is neither yes nor no.
                return _untold(sentence)
            # One claim's place or medium swapped for another ("a post on X" against "a post on Threads"); in a
            # question about several reports, a name in one part often sits in another part's article.
            swapped = not parts and _swapped(claim, sentence, {p.chunk.source for p in passages})
            worded = len(found) * 2 >= len(focus)  # the clause says the claim's words, whatever its score
            verdicts.append(said and not swapped and not self.contradicted(claim, best, passages, worded))
            evidence.append((passages[best.passage], sentence, best.score))
            if not parts and verdicts[-1]:
                # One claim that another article states as well: cite that one too.
                also = next((s for s in ranked if passages[s.passage].file != passages[best.passage].file
                             and s.score >= SUPPORTED and not self.contradicted(claim, s, passages)), None)
                if also is not None:
                    evidence.append((passages[also.passage], _sentence_of(also.text, passages[also.passage]), also.score))
        yes = all(verdicts)
        word = (choice[0] if yes else choice[1]).capitalize() if choice else ("Yes" if yes else "No")
        return _cited(word, _strong(evidence))

    def restated(self, claim: str, clause: str) -> bool:
        """Whether ``clause`` says what ``claim`` says in other words: their cosine with the names taken out,
        since shared names alone make "Oven Group buys Crumb" close to "Oven Group signs a deal with Crumb"."""
        (said,), (claimed,) = embed_cached(self.embedder, [_nameless(clause)], also=[_nameless(claim)])
        return float(said @ claimed) >= SAID

    @staticmethod
    def contradicted(claim: str, best: Sentence, passages: list[Retrieved], worded: bool = False) -> bool:
        """Whether the passages contradict ``claim``: its best clause says it with the other polarity
        ("does not grant" against "give"), or the claim has a number they lack. A claim about how two
        reports relate ("was there no change", "inconsistency") carries its own polarity. The clause's polarity
        counts when it is close (SUPPORTED) or ``worded``: it says most of the claim's words."""
        untold = _untold_claim(claim, best, passages)
        if untold is not None:
            return not untold
        claimed, clause = stems(claim), stems(best.text)
        # "not a unique partnership" negates "unique", not the deal; "does not grant Meta a stake" the stake, not Meta.
        shared = (claimed & clause) - _ALIKE[0] - _capitalised(f"{claim} {best.text}") | _RELATIONS
        # "an official deal" against "did not materialize into a formal agreement": the same words, negated.
        # Not the deal words: a deal is what the story is about, and "not a unique partnership" negates "unique".
        shared |= {w for group in _ALIKE[1:] if claimed & group and clause & group and not claimed & clause & group
                   for w in (claimed | clause) & group}
        claim_negated = slots.negated(claim, shared, clause | _RELATIONS)
        clause_negated = (worded or best.score >= SUPPORTED) and slots.negated(best.text, shared, claimed | _RELATIONS)
        article = [p for p in passages if p.file == passages[best.passage].file]
        said = stems(" ".join(f"{p.chunk.title} {p.chunk.text}" for p in article))
        return claim_negated != clause_negated or bool(_numbers(claim) - said) or _recounted(claim, best.text)

    def identity(self, name: str, role: str, retrieved: list[Retrieved]) -> Draft | None:
        """"Is X the CEO of Y?": yes when the person the passages name as the CEO of Y is X, else no;
        None when they name nobody."""
        found = next(item for item in self.short_fact(f"Who is {role}?", retrieved, slots.PERSON)
                     if isinstance(item, Draft))
        if found.abstained or not found.claims:
            return None
        named = found.claims[0].text
        verdict = "Yes" if _name_key(named) & _name_key(name) else f"No: the articles name {named}"
        # The passage holding the quote, not the article's first: that is the sentence a reader is pointed to.
        evidence = [(next((r for r in retrieved if c.quote in r.chunk.text), next(r for r in retrieved if r.file == c.file)),
                     c.quote) for c in found.citations]
        return _cited(verdict, evidence)

    # -- open questions ------------------------------------------------------------------------

    def explanation(self, question: str, retrieved: list[Retrieved], pointed: bool = False,
                    query: Query | None = None) -> Draft:
        """The sentence that best answers ``question``, and the best of another article when it does
        nearly as well; ``pointed``: the user pointed at these articles, so they answer whatever the score."""
        passages = _narrowed(retrieved, query)
        ranked = self.ranked(question, passages, wanted=focus_words(question, passages))
        if not ranked or (ranked[0].score < RELEVANT and not pointed):
            return _abstain(question, slots.EXPLANATION)
        if _PHRASE_ASKED.search(question):
            # "What catchy phrase did he use?": the sentence that quotes one, when it is nearly as close.
            quoting = [s for s in ranked if _quotations(s.text) and s.score >= QUOTE_SHARE * ranked[0].score]
            ranked = quoting + [s for s in ranked if s not in quoting]
        chosen = [ranked[0]]
        first_file = passages[ranked[0].passage].file
        other = max((s for s in ranked if passages[s.passage].file != first_file), key=lambda s: s.score, default=None)
        if other is not None and other.score >= max(RELEVANT, SECOND_SOURCE * ranked[0].score):
            chosen.append(other)
        return _quoted([(passages[s.passage], s.text) for s in chosen])


# -- helpers -------------------------------------------------------------------------------------

def focus_words(question: str, passages: list[Retrieved]) -> set[str]:
    """What a sentence must say to answer ``question``: its content words, less the noun that names the
    kind of answer ("which company"), the names that say whom it is about, and publishers' names.
    All its content words when that leaves none ("Who is the CEO of Midjourney?" keeps "CEO")."""
    # Capitalised words name whom it is about, but for the question word that starts it.
    capitalised = re.findall(r"\b[A-Z][\w’'-]*|\b\d[\w,.]*", question)
    named = stems(" ".join(w for w in capitalised if w.lower() not in slots.TITLES))
    publishers = stems(" ".join(p.chunk.source for p in passages))
    focus = stems(question) - stems(f"{slots.wh_head(question)} name whose per") - named - publishers  # "per the Herald"
    if focus & _LOCATED:
        focus |= stems("based")  # "Where is it headquartered?" and "the Menlo Park-based tech giant"
    if _asks_funding(question):  # "which investors ...?" too, whose "investors" names what is asked
        focus |= stems("investors backed")  # "Who bankrolls it?" and "a community-backed lab with no investors"
    return focus or stems(question) - publishers or stems(question)


def _role_first(question: str, retrieved: list[Retrieved]) -> tuple[str, str]:
    """"Is the CEO of Y X?", "Is Y's CEO X?": the person it ends with (the longest run of its last capitalised
    words the passages name as a person) and the post before; ("", "") when it is not put that way."""
    asked = _ROLE_FIRST.match(" ".join(question.split()))
    if not asked:
        return "", ""
    people = [_name_key(n) for n in slots.persons(" ".join(r.chunk.text for r in retrieved))]
    words = asked.group("names").split()
    for start in range(len(words)):  # the longest first: "Alexandr Wang", not "Wang", of "Midjourney Alexandr Wang"
        role = " ".join([asked.group("role")] + words[:start])
        if _is_person(" ".join(words[start:]), people) and slots.asked_post(f"Who is {role}?"):
            return " ".join(words[start:]), role
    return "", ""


def _nameless(text: str) -> str:
    for name in slots.names(text):
        text = text.replace(name, " ")
    return " ".join(text.split())


def _about_another(sentence: Sentence, claim: str, passages: list[Retrieved]) -> bool:
    """Whether ``sentence`` names someone, none of them the claim's, and neither it nor the sentence before
    it names whom the claim is about: "Midjourney released its video model" for a claim about Meta."""
    titles = stems(" ".join(slots.TITLES))
    wanted = stems(" ".join(slots.names(claim))) - titles - stems(" ".join(p.chunk.source for p in passages))
    theirs = stems(" ".join(slots.names(sentence.text))) - titles
    return bool(wanted) and bool(theirs - wanted) and not wanted & (theirs | _capitalised(sentence.before))


# Words news uses for the same thing, so that "talks that never became an official deal" finds "discussions
# that did not materialize into a formal agreement".
_ALIKE = [stems(group) for group in (
    "deal agreement pact accord partnership alliance collaboration tie team",  # first: see contradicted()
    "talks discussions negotiations",
    "formal official signed binding",
    "tech technology",
    "lead leads led head heads run runs charge helm oversee oversees",
    "earlier previously prior",
    "announced unveiled revealed disclosed",
    "released launched debuted shipped",
    "acquire acquired buy bought purchase purchased",
    "license licensed licensing licence rights permission",
    "rival rivals competitor competitors competing compete",
    "future later upcoming coming",
    "birth born",
    "uncertain unclear murky cloudy hazy doubtful unsure unresolved undecided",
    "financial money monetary cash",
    "remain remains remained stay stays stayed staying",
    "lag lags lagged lagging trail trails trailed trailing behind backseat outpace outpaced outpacing ahead",
    "image images picture pictures photo photos",
    "stake stakes ownership equity own owns",
    "first initial debut",
    "player players partner partners firm firms",
    "bring brings brought deliver delivers delivered",
    "video videos footage clip clips film",
    "industry industries sector sectors",
    "other others additional further",
    "say says said describe described describes stated",  # reported speech: "what did he say" and "Wang described it as"
)]


def _said_alike(unit: str, wanted: set[str]) -> set[str]:
    """The wanted words ``unit`` says in another of news's words for them."""
    own = stems(unit)
    return {w for w in wanted - own for group in _ALIKE if w in group and own & group}


# What kind of date is asked ("birth date", "date of birth", "release date"), when it says.
_DATE_OF = re.compile(r"\b(?!(?:the|a|what|which|exact|specific|particular|certain|given|precise|actual|same|this|that|"
                      r"first|last|week|its|his|her|their)\b)"
                      r"([a-z]+)\s+(?:date|day|year)\b|\b(?:date|year)\s+of\s+(?:the\s+|its\s+|his\s+|her\s+)?([a-z]+)",
                      re.IGNORECASE)
# "When was he born?", "When was it released?": what happened on the date asked for.
_WHEN_DONE = re.compile(r"^when\s+(?:was|were|is|are|will)\s+[^?]+?\s+(?:be\s+)?(born|[a-z]{3,}(?:ed|en))\s*\??$",
                        re.IGNORECASE)
_UNSURE = re.compile(r"\b(?:uncertain|unclear|unknown|unsure|doubt\w*|limbo|not\s+(?:sure|certain|clear)|murky|cloudy|hazy|"
                     r"unresolved|undecided|unsettled|up\s+in\s+the\s+air|in\s+question|in\s+jeopardy|at\s+risk|"
                     r"open\s+question)\b", re.IGNORECASE)


def _asks_what_is_unsure(question: str) -> bool:
    """"Which offering's future is in doubt?": the sentence saying it is uncertain is the answer."""
    return slots.untold(question) or _UNSURE.search(question) is not None

_PRO_WORDS = stems("happen happened occur occurred take place do did done called name give gave given one ones "
                   "outlet article piece report write-up publication site")  # "which ones does the outlet name?"  # "when did that happen?"
_KIND_NOUNS = stems(" ".join(slots.KIND_NOUNS))  # "what is that division called?" asks, it does not describe


_HEAD_WORDS = "ceo chief head boss leader founder runs leads"  # news calls whoever runs a company any of these
_HEADS = stems(_HEAD_WORDS)
_HEAD = rf"(?i:{'|'.join(_HEAD_WORDS.split())})"


_TOP_POST = frozenset("chief executive founder head boss leader president owner chairman".split())
_OFFICER = re.compile(r"\bchief\s+(?!executive\b)[\w-]+(?:\s+[\w-]+)?\s+officer\b", re.IGNORECASE)


_WHAT_HEADED = re.compile(r"\b(?:heads?|leads?|runs?|oversees?|helms?)\s+(?:which|what)\b", re.IGNORECASE)


def _boss_asked(question: str) -> bool:
    """Whether ``question`` asks about whoever runs a company ("the boss of the lab", "its head", "the CEO"),
    not a post such as Chief AI Officer, nor what someone heads ("Wang heads which unit?")."""
    return not _OFFICER.search(question) and re.search(
        r"\b(?:boss|ceo|leader)\b|\b(?:the|its|his|her|their|[\w’']+['’]s)\s+(?:head|chief)\b|"
        r"\b(?:head|chief)\s+of\b", question, re.IGNORECASE) is not None


def _heads(unit: str, question: str, wanted: set[str]) -> set[str]:
    """The question's word for whoever runs a company, when ``unit`` names that post in its own word: "the
    lab's boss" and "Midjourney CEO David Holz"; when the question says whose ("Midjourney's head"), the
    post must be that company's ("Midjourney CEO", not "the Chief AI Officer at Meta"). The only way a
    unit's own "chief" or "CEO" counts."""
    if not wanted & _HEADS:
        return set()
    if _boss_asked(question):
        unit = _OFFICER.sub(" ", unit)  # a Chief AI Officer heads no company: not the lab's boss (he may lead a unit)
    if not stems(unit) & _HEADS:
        return set()
    if _WHAT_HEADED.search(question):  # "Wang heads which lab?" is answered by what he leads, not by his title
        return wanted & _HEADS if re.search(r"\b(?:leads?|led|heads?|headed|runs?|ran|oversees?|helms?)\b", unit) else set()
    owner = re.search(rf"\b([A-Z][\w&.-]*)(?:['’]s)?\s+(?:[\w-]+\s+)?{_HEAD}\b|\b{_HEAD}\s+of\s+([A-Z][\w&.-]*)",
                      question)
    if owner and (owner.group(1) or owner.group(2)).lower() not in slots.TITLES | STOPWORDS:  # not "AI chief"
        name = re.escape(owner.group(1) or owner.group(2))
        if not re.search(rf"\b{name}(?:['’]s)?\s+(?:[\w-]+\s+)?{_HEAD}\b|\b{_HEAD}\w*(?:\s+[\w-]+){{0,2}}\s+(?:of|at)\s+{name}\b", unit):
            return set()
    return wanted & _HEADS


def _rarity(found: int, units: int) -> float:
    """How much a word in ``found`` of ``units`` sentences picks one out: its IDF, scaled to 1 for a word in
    one sentence and 0 for a word in all of them, or in none (a date is in the index, not the text)."""
    if found == 0 or found == units:
        return 0.0
    return math.log(units / found) / math.log(units) if units > 1 else 1.0


def _circumstance(question: str) -> set[str]:
    """Stems of a clause that says when what is asked happened, opening or closing the question: "Before Meta
    came along, ...", "... now that it has teamed up with Meta"."""
    clauses = re.findall(r"^(?:before|after|prior\s+to|since|now\s+that|following|once)\b[^,?]*,|"
                         r"\s(?:before|after|prior\s+to|now\s+that|following|once)\s[^,?]*\??$", question, re.IGNORECASE)
    return stems(" ".join(clauses))


def _worth(wanted: set[str], found: list[set[str]]) -> dict[str, float]:
    """How much each wanted word counts when a sentence has it: as much as it picks sentences out, scaled
    so that the words some sentence has still count as many as they are ("talks" in one sentence of
    twenty outweighs "AI" in twelve). A word no sentence has counts 1, which changes no ranking."""
    rarity = {w: _rarity(sum(w in f for f in found), len(found)) for w in wanted}
    said = [w for w in wanted if any(w in f for f in found)]
    mean = sum(rarity[w] for w in said) / len(said) if said else 0.0
    return {w: rarity[w] / mean if mean and w in said else 1.0 for w in wanted}


def _name_stems(question: str, passages: list[Retrieved]) -> set[str]:
    """Stems of the names ``question`` gives (not titles, not publishers)."""
    capitalised = re.findall(r"\b[A-Z][\w’'-]*", question)
    publishers = stems(" ".join(p.chunk.source for p in passages))
    return stems(" ".join(w for w in capitalised[1:] if w.lower() not in slots.TITLES)) - publishers


_WHAT_MISSING = {slots.PERSON: "a person's name", slots.ORGANISATION: "an organisation's name",
                 slots.PLACE: "a place", slots.NUMBER: "a number", slots.DATE: "a date", slots.THING: "a name",
                 slots.EXPLANATION: "an answer", slots.YES_NO: "an answer"}


def _abstain(question: str, kind: str) -> Draft:
    asked = " ".join(question.strip().split())
    return Draft("", abstained=True,
                 reason=f"no passage holds {_WHAT_MISSING.get(kind, 'an answer')} that answers \u201c{asked}\u201d")


def _cited(text: str, evidence: list[tuple[Retrieved, str]]) -> Draft:
    """``text`` cited to each distinct passage of ``evidence``; each citation quotes the sentence used."""
    citations: list[Citation] = []
    numbers = []
    for passage, sentence in evidence:
        same = next((c for c in citations if c.file == passage.file), None)
        if same is None:
            same = citation_for(len(citations) + 1, passage, sentence)
            citations.append(same)
        numbers.append(same.number)
    numbers = list(dict.fromkeys(numbers))
    body = text.strip().rstrip(".")
    markers = "".join(f"[{n}]" for n in numbers)
    return Draft(f"{body} {markers}." if markers else f"{body}.", citations,
                 [Claim(body, tuple(numbers), bool(numbers), 1.0 if numbers else 0.0)])


def _promoted(holding: list, found: list, share: float) -> list:
    """``holding`` with the first of ``found`` that keeps candidates and scores ``share`` of the best moved first."""
    fit = next(((s, c) for s, c in found if c and s.score >= share * holding[0][0].score), None)
    return holding if fit is None else [fit] + [h for h in holding if h[0] is not fit[0]]


def _described(question: str) -> bool:
    """Whether a question picks its answer out by several things said of it ("Which company, known
    for X, ..., is also Y?"), rather than asking one fact."""
    return len(stems(question)) >= DESCRIBED_WORDS and question.count(",") >= 1


def _strong(evidence: list[tuple[Retrieved, str, float]]) -> list[tuple[Retrieved, str]]:
    """The evidence worth pointing a reader at: each sentence about its part (RELEVANT or closer), or the
    best one when none is."""
    strongest = max((score for _, _, score in evidence), default=0.0)
    return [(p, text) for p, text, score in evidence if score >= min(RELEVANT, strongest)]


def _quoted(evidence: list[tuple[Retrieved, str]]) -> Draft:
    """Sentences quoted from their passages, each with its own citation."""
    citations = [citation_for(n, passage, sentence) for n, (passage, sentence) in enumerate(evidence, start=1)]
    texts = [sentence.strip().rstrip(".") for _, sentence in evidence]
    return Draft(" ".join(f"{text} [{c.number}]." for text, c in zip(texts, citations)), citations,
                 [Claim(text, (c.number,), True, 1.0) for text, c in zip(texts, citations)])


def _parts(query: Query) -> list[Part]:
    """The parts of a question about several articles, each with its publishers and dates; [] for a
    one-part question."""
    if query.is_multi:
        return list(query.parts)
    if len(query.sources) > 1:
        return [Part(query.text, (source,), query.dates) for source in query.sources]
    return []


def _narrowed(retrieved: list[Retrieved], query: Query | None) -> list[Retrieved]:
    """The passages a one-part question is answered from: those of the publishers and dates it names,
    when there are any, else the best ranked."""
    if query is not None:
        fits = [r for r in retrieved if not query.sources or r.chunk.source in query.sources]
        dated = [r for r in fits if any(d.contains(r.chunk.published) for d in query.dates)]
        retrieved = dated or fits or retrieved
    return retrieved[:PASSAGES]


def _part_passages(parts: list[Part], retrieved: list[Retrieved], extra: int = 1):
    """Each part's text with the passages it is answered from: those from its publishers and published
    on its dates, among the articles that lead the ranking when they have any, else the best overall."""
    leading = list(dict.fromkeys(r.file for r in retrieved))[: len(parts) + extra]
    for part in parts:
        fits = [r for r in retrieved if not part.sources or r.chunk.source in part.sources]
        dated = [r for r in fits if any(d.contains(r.chunk.published) for d in part.dates)]
        fits = dated or fits
        own = [r for r in fits if r.file in leading] or fits
        yield part.text, (own or retrieved)[:PASSAGES]


def _claim(text: str) -> str:
    """A part of a yes/no question as a claim: without "Does the X article say that"."""
    text = asking.WHETHER.sub("", re.sub(r"^\s*(?:and\s+)?(?:%s)\s+" % "|".join(asking.AUXILIARY), "",
                                        text.strip(" ,?"), flags=re.I))
    text = re.sub(r"^.*?\b(?:say|says|said|report|reports|reported|claim|claims|suggest|suggests|indicate|indicates|"
                  r"state|states|stated|note|notes|noted|mention|mentions|mentioned)"
                  r"(?:\s+(?:by|in)\s+[^,]{1,60}?)?\s+that\s+", "", text, count=1, flags=re.I) or text  # "reported by both X and Y that"
    # "both reports say the terms were kept quiet", "both pieces quote his phrase": what the reports say.
    reporting = "|".join(_REPORTING)
    # "Gadgets 360 and VentureBeat both say the terms were kept quiet": what they say.
    text = re.sub(rf"^[^,]*?\b(?:both|each)\s+(?:{reporting})\s+(?!(?:{reporting})\b)(?:that\s+)?", "", text, count=1,
                  flags=re.I) or text
    text = re.sub(rf"^(?:(?:(?:both|all|the\s+two|the)\s+)?(?:reports?|articles?|pieces?|stories|story|outlets?|"
                  rf"publications?)|both|they)\s+(?:both\s+)?(?:{reporting})\s+", "", text, count=1, flags=re.I) or text
    # "Is it the case in both reports that ...", "... in both the Herald and Courier articles, isn't it":
    # which reports is for the passages to show; "described as independent" claims it is independent.
    text = re.sub(r"^it\s+(?:true|the\s+case)\b[^,]*?\bthat\s+", "", text, count=1, flags=re.I) or text
    text = re.sub(r",?\s*\b(?:in|by|from|across)\s+both\s+(?:the\s+)?(?:(?!\bthat\b)[^,?]){0,60}?(?=\s*(?:,|$))|,\s*(?:right|"
                  r"(?:isn['’]t|wasn['’]t|aren['’]t|doesn['’]t|didn['’]t|don['’]t|hasn['’]t|won['’]t)\s+(?:it|he|she|they|there))$",
                  "", text, flags=re.I) or text
    text = re.sub(r"(?:\b(is|are|was|were)\s+)?\b(?:described|portrayed|characteri[sz]ed|depicted|presented)\s+as\s+"
                  r"(?:being\s+)?", lambda m: f"{m.group(1)} " if m.group(1) else "", text, flags=re.I)
    # "... with other companies too, not just Midjourney": the one set aside is not whom it is about.
    return _SET_ASIDE.sub("", text) or text


_SET_ASIDE = re.compile(r",?\s+(?:not\s+(?:just|only|merely|simply|solely)|besides|apart\s+from|other\s+than|"
                        r"in\s+addition\s+to|on\s+top\s+of)\s+[A-Z][^,;?]*$")


def _quotations(text: str) -> list[str]:
    """The phrases ``text`` quotes: 'his "all-of-the-above" phrasing' → ["all-of-the-above"]."""
    return [q.strip() for q in re.findall(r"[\"“]([^\"“”]{2,80})[\"”]", text) if q.strip()]


def _untold(sentence: str) -> Draft:
    """A refusal quoting the sentence that says the answer is not known."""
    return Draft("", abstained=True, reason=f"the nearest they come is \u201c{sentence.strip().rstrip('.')}\u201d")


def _untold_claim(claim: str, best: Sentence, passages: list[Retrieved]) -> bool | None:
    """When the best clause's sentence says something was not made known and the claim is about making it
    known: whether the claim says so too ("kept undisclosed": True; "made public": False). Else None."""
    sentence = _sentence_of(best.text, passages[best.passage])
    if best.score < RELEVANT or not slots.untold(sentence):
        return None
    if slots.untold(claim):
        return True
    return False if stems(claim) & _DISCLOSED else None


def _clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence``, and the sentence. A clause that opens by pointing back ("..., though those
    did not materialize") stays with the clause it points to: alone it says nothing of what."""
    split = _CLAUSE.split(sentence)
    separators = [m.group() for m in _CLAUSE.finditer(sentence)]
    pieces = split[:1]
    for separator, piece in zip(separators, split[1:]):
        if re.match(r"(?:those|these|they|it|this|that|which|he|she)\b", piece, re.IGNORECASE):
            pieces[-1] += separator + piece
        else:
            pieces.append(piece)
    pieces = [p for p in pieces if len(stems(p)) >= 2]
    return pieces + [sentence] if len(pieces) > 1 else [sentence]


def _sentence_of(unit: str, passage: Retrieved) -> str:
    """The whole sentence a clause came from, for the quote."""
    return next((s for s in split_sentences(passage.chunk.text) if unit in s), unit)


_QUANTITY = re.compile(r"(\d+(?:[,.]\d+)*)(?:-plus|\+)?\s+([A-Za-z][\w-]*)")


def _recounted(claim: str, clause: str) -> bool:
    """Whether the clause counts what the claim counts with another number: "1,000 receiving yards"
    against "2,000-plus receiving yards"."""
    def counts(text: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for number, unit in _QUANTITY.findall(slots.without_dates(text)):
            for stem in stems(unit):
                found.setdefault(stem, set()).add(number)
        return found

    theirs = counts(clause)
    return any(unit in theirs and not numbers & theirs[unit] for unit, numbers in counts(claim).items())


# "Who funds it?" can be answered "no investors": the askers, and the words that say there are none. "backs" and
# "backed" share their stem with "stays back", so _asks_funding reads them as typed.
_FUNDING = stems("fund funds funded finance finances financed financial bankroll bankrolls backers invest "
                 "invests invested investor investors backer funder sponsor sponsors")


def _owns_a_name(person: str, sentence: str) -> bool:
    """Whether ``sentence`` names something as ``person``'s: "Elon Musk’s xAI"."""
    return re.search(rf"\b{re.escape(person)}['’]s\s+[A-Z\w]", sentence) is not None


def _asks_funding(question: str) -> bool:
    """Whether ``question`` is about who funds something: "who backs it", not "Meta stays back"."""
    return bool(stems(question) & _FUNDING) or re.search(r"\b(?:backs|backed|backing)\b", question,
                                                          re.IGNORECASE) is not None


_NOBODY = re.compile(r"\b(?:no|without(?:\s+any)?)\s+(?:outside\s+|external\s+|other\s+)?(?:investors?|backers?|funders?|"
                     r"shareholders?|owners?|sponsors?)\b|\binvestor-free\b|\bself-funded\b|\bbootstrapped\b", re.IGNORECASE)
_FUNDED = re.compile(r"\b(?:funds?|funded|funding|bankroll\w*|backs|backed|backing|financ\w*|owns?|owned|sponsors?\w*|"
                     r"invests?\w*)\s+(?:in\s+)?(.+?)(?:\s+(?:now|after|that|when|since|as|following)\b|[,?;—–]|\s-\s|$)",
                     re.IGNORECASE)  # whom "Who funds X now that ...?" asks about: X
NOBODY_SENTENCES = 3  # the best sentences read for "no investors"
_LOCATED = stems("headquartered headquarters located")
_WHEN_WILL = re.compile(r"\bwhen\s+(?:will|(?:is|are)\s+(?:\S+\s+){1,5}?(?:expected|set|due|scheduled|going|planned))\b",
                        re.IGNORECASE)
_AHEAD = re.compile(r"\b(?:will|would|expected|expects|plans?|planned|set\s+to|scheduled|due|upcoming|next|later\s+this|"
                    r"coming|starting|from)\b", re.IGNORECASE)
_PLACED = re.compile(rf"\b(on|in|at|from)\s+(?:the\s+)?({slots._NAME_WORD}(?:\s+{slots._NAME_WORD})*)")


def _swapped(claim: str, sentence: str, publishers: set[str]) -> bool:
    """Whether ``sentence`` puts another name where the claim puts one: "a post on X" against "a post on
    Threads"."""
    theirs = {(prep.lower(), name) for prep, name in _PLACED.findall(sentence)}
    for prep, name in _PLACED.findall(claim):
        if name in publishers or slots.occurs_in(name, sentence):
            continue
        if any(p == prep.lower() and other not in publishers and not slots.occurs_in(other, claim) for p, other in theirs):
            return True
    return False


_NAMED_NUMBER = re.compile(r"\b([A-Z][a-z]+)\s+\d+\b")


def _numbers(text: str) -> set[str]:
    """Stems of the numbers in a claim, less its dates (a report's date is in the index, not its text) and
    the numbers that end a name ("Gadgets 360", whose other article never says 360): a claim with a
    number its passages lack is not backed."""
    text = _NAMED_NUMBER.sub(lambda m: m.group() if m.group(1).lower() in STOPWORDS else " ", text)
    return stems(" ".join(slots.numbers(slots.without_dates(text))))


def _matched(wanted: set[str], own: set[str]) -> set[str]:
    """The wanted stems ``own`` has, counting one that is the other with an ending ("found" and "founder",
    "employ" and "employe", "partner" and "partnership") when the shorter has five letters or more; not
    "billion" and "billionair"."""
    return {w for w in wanted if w in own or any(_with_ending(w, o) or _with_ending(o, w) for o in own)}


_ENDINGS = frozenset("e s es er or ee ers ship ships ment ing ed al ion ation ist ism iti ive y li ness itor itors ition "
                     "ant ent anc enc ur ativ".split())


def _with_ending(longer: str, shorter: str) -> bool:
    return len(shorter) >= 5 and longer.startswith(shorter) and longer[len(shorter):] in _ENDINGS


def _capitalised(text: str) -> set[str]:
    return stems(" ".join(re.findall(r"\b[A-Z][\w’'-]*", text)))


def _name_key(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[\w]+", name.replace("’", "'")) if w.lower() not in ("s",))


def _groups(names: list[str], kind: str) -> dict[str, str]:
    """Each name's group: the fullest form of it among ``names`` ("Hill" joins "Tyreek Hill")."""
    return {name: _fullest(name, names, kind) for name in names}


def _fullest(name: str, names: list[str], kind: str) -> str:
    """The most mentioned fuller form of ``name`` among ``names``: a person's given names before it
    ("Sam Bankman-Fried" for "Bankman-Fried"), an organisation's words before it and generic words
    after it ("Golden State Warriors", "Everton Football Club"), never another thing ("Apple TV")."""
    counts: dict[str, int] = {}
    for other in names:
        counts[other] = counts.get(other, 0) + 1
    fuller = [other for other in counts if other != name and _extends(other, name, kind) and len(other.split()) <= 4]
    if not fuller:
        return name
    return max(fuller, key=lambda other: (counts[other], len(other.split())))


def _extends(longer: str, name: str, kind: str) -> bool:
    words, short = longer.split(), name.split()
    for start in range(len(words) - len(short) + 1):
        if words[start : start + len(short)] == short:
            after = words[start + len(short):]
            if kind == slots.PERSON:
                return all(slots.ROMAN.match(w) for w in after)
            return all(w.lower().strip(".") in _GENERIC_SUFFIXES for w in after)
    return False


_GENERIC_SUFFIXES = frozenset("football club fc inc corp corporation company co ltd group plc llc".split())


def _question_names(question: str, retrieved: list[Retrieved]) -> set[str]:
    """Words of names that cannot be the answer: the question's own, and publishers' names."""
    words = {w.lower() for w in re.findall(r"\w+", question)}
    publishers = {w.lower() for r in retrieved for w in re.findall(r"\w+", r.chunk.source)}
    return words | publishers


def _candidates(sentence: str, question: str, kind: str, people: list[frozenset[str]] = (), text: str = "") -> list[str]:
    """The spans of ``sentence`` that could answer ``question``; not a person's name (``people``) when it
    asks for something else; for a place, a name ``text`` puts where places go ("in Leeds", "on X")."""
    return [c for c in slots.spans(sentence, kind)
            if slots.answers_slot(c, sentence, question, kind) and not _is_person(c, people)
            and (kind != slots.PLACE or slots.placed(c, text or sentence, only_places=bool(_GEOGRAPHIC.search(question))))
            and not _opener(c, sentence, text)
            and (kind != slots.PERSON or not slots.placed(c, text or sentence, only_places=True))  # not "Menlo Park"
            and not _owned_only(c, sentence, question, kind)]


def _owned_only(candidate: str, sentence: str, question: str, kind: str) -> bool:
    # A company owns products ("OpenAI's ChatGPT" answers which company); a person's company is the company.
    personal = len(candidate.split()) > 1 and not slots.organisation_like(candidate)
    # A thing is not whose something is: "Meta’s involvement" does not answer "which offering".
    return _owns_what_is_asked(candidate, sentence, question) or (
        (kind == slots.THING or (kind == slots.ORGANISATION and personal)) and _owner_of_name(candidate, sentence)) or (
        kind == slots.THING and bool(_only_owns(candidate, sentence, r"[a-z][\w-]*")))


def _owns_what_is_asked(candidate: str, sentence: str, question: str) -> bool:
    """Whether ``candidate`` stands only as the owner of a post the question names: "Meta’s Chief AI Officer"
    for "The giant's AI chief leads which unit?" is the question's own giant, not the answer; "OpenAI's
    GPT-4 Turbo" for "Which company introduced GPT-4 Turbo?" is."""
    asked = stems(question) - stems(slots.wh_head(question))
    owned = _only_owns(candidate, sentence, r"(?:[\w-]+\s+){0,2}[\w-]+")
    return bool(owned) and all(stems(words) & asked and slots.role(words) for words in owned)


def _owner_of_name(candidate: str, sentence: str) -> bool:
    """Whether ``candidate`` stands only as the owner of another name: "Elon Musk’s xAI" answers "which
    company" with xAI, "Google's Gemini" "which chatbot" with Gemini; not "Meta's Chief AI Officer", a post."""
    owned = _only_owns(candidate, sentence, rf"{slots._NAME_WORD}(?:\s+{slots._NAME_WORD})*")
    return bool(owned) and not any(slots.role(name) for name in owned)


def _only_owns(candidate: str, sentence: str, what: str) -> list[str]:
    """What ``candidate`` owns in ``sentence`` ("Candidate's <what>"), when that is every time the sentence
    names it on its own (not as the start of a longer name: "Meta" in "Meta Superintelligence Labs"); else []."""
    name = re.escape(candidate)
    owned = re.findall(rf"(?<![\w-]){name}['’]s\s+({what})", sentence)
    mentions = len(re.findall(rf"(?<![\w-]){name}(?![\w-]|\s+[A-Z])", sentence))
    return owned if len(owned) == mentions else []


def _opener(word: str, sentence: str, text: str) -> bool:
    """A single capitalised word that opens ``sentence`` and that ``text`` never capitalises elsewhere
    ("Calling it a partnership, ...", "Questions linger ..."): an ordinary word, not a name."""
    if " " in word or not re.match(rf"^\W*{re.escape(word)}\b", sentence):
        return False
    return not re.search(rf"[\w,;:]\s+{re.escape(word)}\b", text or sentence)


def _people(passages: list[Retrieved], kind: str) -> list[frozenset[str]]:
    """The people the passages name, as name keys, when ``kind`` asks for something that is not a person:
    "Which companies will Meta partner with?" is not answered by "Alexandr Wang"."""
    if kind not in (slots.ORGANISATION, slots.PLACE, slots.THING):
        return []
    return [_name_key(n) for n in slots.persons(" ".join(p.chunk.text for p in passages))]


def _is_person(span: str, people: list[frozenset[str]]) -> bool:
    key = _name_key(span)
    return bool(key) and any(key <= person for person in people)


def _owned(candidates: list[str], sentence: str, question: str) -> list[str]:
    """The candidates ``sentence`` gives to the owner a question names right after its "which"/"what"
    ("Which Google AI offering ...?" and "rivals such as Google's Gemini and OpenAI's ChatGPT": Gemini)."""
    asked = re.search(r"\b(?i:which|what)\s+((?:[A-Z][\w’'-]*\s+)+)", question)
    if not asked:
        return []
    owners = [n for n in slots.names(asked.group(1)) if n.lower() not in slots.TITLES]
    return [c for c in candidates for owner in owners
            if re.search(rf"\b{re.escape(owner)}(?:['’]s)?\s+{re.escape(c)}\b", sentence)]


def _wordy(span: str, names: list[str]) -> bool:
    """Whether ``span`` has content words besides ``names``: "AI research lab Midjourney", not "Elon Musk's xAI"."""
    rest = span
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, " ")
    return any(w.islower() and len(w) > 1 and w not in STOPWORDS for w in re.findall(r"[\w-]+", rest))


def _after_preposition(candidates: list[str], sentence: str, question: str) -> list[str]:
    """The candidates ``sentence`` puts after the preposition the question opens with: "On which app ...?"
    and "in a post on Threads"."""
    opening = re.match(r"^\s*(on|in|at|from|via|through|with|for|by)\s+(?:which|what)\b", question, re.IGNORECASE)
    preposition = opening.group(1).lower() if opening else "on" if slots.asked_noun(question) in _MEDIA else None
    if not preposition:
        return []
    if preposition in ("via", "through") or (preposition != "on" and slots.asked_noun(question) in _MEDIA):
        preposition = rf"(?:{preposition}|on)"  # "Through what service did he respond?" and "in a post on X"
    return [c for c in candidates if re.search(rf"\b{preposition}\s+(?:the\s+)?{re.escape(c)}\b", sentence,
                                               re.IGNORECASE)]


_MEDIA = frozenset("platform site website network app service channel outlet forum".split())  # said "on" one


def _beside(candidates: list[str], sentence: str, noun: str) -> list[str]:
    """The candidates ``sentence`` puts right beside ``noun``: "model, V1", "lab Midjourney", "the V1 model"."""
    if not noun:
        return []
    nouns = rf"{re.escape(noun)}(?:s|es)?"
    return [c for c in candidates if re.search(
        rf"\b{nouns},?\s+(?:called\s+|named\s+|dubbed\s+|known\s+as\s+)?{re.escape(c)}\b|\b{re.escape(c)}\s+{nouns}\b",
        sentence, re.IGNORECASE)]


_EXAMPLES = re.compile(r"\b([a-z][\w-]*)\s+(?:such\s+as|like|including)\s+(.+?)(?=[.;:]|\s+(?:which|who|that)\b|$)")


def _examples(candidates: list[str], sentence: str, question: str) -> str:
    """The list a sentence gives of a noun the question uses, in its words or news's others for it ("rivals
    such as Google's Gemini and OpenAI's ChatGPT" for "Which rivals ...?", "Which competing products?"), as
    written, when it holds candidates; else the empty string."""
    for noun, listed in _EXAMPLES.findall(sentence):
        if _matched(stems(question), stems(noun) | _said_alike(noun, stems(question))) and any(c in listed for c in candidates):
            return listed.strip(" ,")
    return ""


def _plural_asked(question: str) -> bool:
    """Whether the question asks for several: "Which rivals", "What products"."""
    asked = re.search(r"\b(?:which|what)\s+(?:[\w’'-]+\s+){0,2}?([a-z][\w-]*s)\b", question, re.IGNORECASE)
    return bool(asked) and not asked.group(1).lower().endswith(("ss", "us", "is"))


def _closest(candidates: list[str], sentence: str, question: str) -> str:
    """The candidate span of ``sentence`` nearest the question's words in it."""
    wanted = stems(question)
    words = re.findall(r"[\w’'-]+", sentence)
    hits = [i for i, w in enumerate(words) if stems(w) & wanted]

    def distance(candidate: str) -> float:
        at = sentence.find(candidate)
        position = len(re.findall(r"[\w’'-]+", sentence[:at]))
        return min((abs(position - h) for h in hits), default=0)

    return min(candidates, key=lambda c: (distance(c), -len(c.split())))  # as near: the fuller name


def _best_fragment(reply: str, sentence: str) -> str | None:
    """The longest run of the reply's words that occurs in ``sentence``, without stray edge words."""
    reply = re.sub(r"\[\d+\]", "", reply.split("\n")[0]).strip(" .\"'“”")
    reply = re.sub(r"^(?:the answer is|answer:?|it is|it was)\s+", "", reply, flags=re.I)
    words = reply.split()
    for size in range(len(words), 0, -1):
        for start in range(0, len(words) - size + 1):
            piece = " ".join(words[start : start + size]).strip(" ,.;:\"'“”()")
            if piece and slots.occurs_in(piece, sentence) and stems(piece):
                return _as_written(piece, sentence)
    return None


def _as_written(piece: str, sentence: str) -> str:
    """``piece`` as ``sentence`` writes it (its case, its apostrophes)."""
    at = sentence.lower().replace("’", "'").find(piece.lower().replace("’", "'"))
    return sentence[at : at + len(piece)] if at >= 0 else piece


def _sentence_case(span: str) -> str:
    """``span`` with a capital first letter, but a name written in its own case stays so ("xAI", "iPhone")."""
    first = span.split()[0] if span.split() else ""
    if any(c.isupper() for c in first[1:]):
        return span
    return span[:1].upper() + span[1:] if span else span
