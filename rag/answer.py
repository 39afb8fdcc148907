"""Questions in, cited answers out: retrieve, prompt, generate, verify citations."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .asking import respelled, truecased
from .chunking import chunking_id
from .citations import Citation, Claim, cite, embed_cached
from .embeddings import embedder_id, get_embedder
from .errors import NewsqaError
from .followup import Turn, carried_files, standalone
from .preamble import read_with_setup
from .llm import chat_backend, get_chat_model
from .query import Query
from .retrieval import HybridRetriever, Retrieved, evidence_gaps, first_of_each_article
from .settings import Settings, check_question
from .slots import answer_kind
from .stepwise import Draft, Stepwise
from .store import Index
from .text import query_terms, split_sentences, stems

ABSTAIN_PREFIX = "The articles don't say"
SYSTEM_PROMPT = (
    "You answer questions about news articles using only the numbered sources given. "
    "Answer in one to three short sentences and put the source number in brackets after each fact, like [1]. "
    f"If the sources do not answer the question, reply exactly: {ABSTAIN_PREFIX}."
)
LOCAL_SOURCE_RATIO = 0.35  # of the best fused score
_REFUSAL = re.compile(
    r"articles don.?t say|(sources?|articles?|context|text|passages?) (do|does) not (say|mention|contain|provide|specify|state)"
    r"|(sources?|articles?|context|text|passages?) (don.?t|doesn.?t) (say|mention|contain|provide|specify|state)"
    r"|no information|not (mentioned|provided|specified|stated) in|i (do not|don.?t) know|cannot (answer|determine)",
    re.IGNORECASE,
)


@dataclass
class Answer:
    """What :func:`ask` returns; the CLI prints it, the UI renders it, the eval scores it."""

    question: str  # the standalone question answered: a follow-up rewritten from the chat history
    text: str
    citations: list[Citation]
    abstained: bool
    retrieved: list[Retrieved]
    timings: dict[str, float] = field(default_factory=dict)
    model: str = ""
    asked: str = ""  # what the user typed; "" when it is ``question`` itself
    claims: list[Claim] = field(default_factory=list)  # each answer sentence, its citations, and whether they support it
    kind: str = ""  # what the question asks for: yes_no, person, organisation, place, number, date, thing, explanation
    strategy: str = ""  # how it was answered: "single" (one prompt) or "stepwise" (rag/stepwise.py)

    @property
    def files(self) -> list[str]:
        """The distinct cited files, in citation order."""
        return list(dict.fromkeys(c.file for c in self.citations))

    def turn(self) -> Turn:
        """This answer as an earlier turn of a chat, for a follow-up to lean on."""
        return Turn(self.question, self.text, tuple((c.number, c.file) for c in self.citations),
                    tuple(r.file for r in self.retrieved), self.asked, self.abstained)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "asked": self.asked or self.question,
            "text": self.text,
            "claims": [vars(c) for c in self.claims],
            "abstained": self.abstained,
            "kind": self.kind,
            "strategy": self.strategy,
            "citations": [vars(c) for c in self.citations],
            "retrieved": [
                {"file": r.file, "score": round(r.score, 4), "dense": r.dense, "lexical": r.lexical,
                 "text": r.text, "metadata": r.metadata}
                for r in self.retrieved
            ],
            "timings": self.timings,
            "model": self.model,
        }


class Engine:
    """An opened index and its retriever. :func:`ask` keeps one per index (:func:`engine_for`); the rest of
    the settings (top-k, backend, model, strategy) come with each question."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings  # those it was opened with: the default for each question's
        self.index = Index(settings)
        try:
            self.index.check_signature(_signature(settings))
            self.retriever = HybridRetriever(self.index, get_embedder(settings), settings)
        except BaseException:
            self.index.close()  # an engine that never opens is never cached, so nothing else would
            raise
        self._lock = threading.Lock()
        self._streams = 0  # answers in progress; a retired engine closes its index after the last one
        self._retired = False
        self._closed = False

    def retriever_for(self, settings: Settings) -> HybridRetriever:
        if settings == self.settings:
            return self.retriever
        return HybridRetriever(self.index, get_embedder(settings), settings)

    def stream(self, question: str, history: Sequence[Answer | Turn] = (),
               settings: Settings | None = None) -> Iterator[str | Answer]:
        """The answer's text as it is written, then the :class:`Answer` (:class:`AnswerStream` wraps this)."""
        with self._lock:
            usable = not self._closed
            self._streams += usable
        if not usable:  # retired and closed between ask_stream() and the first read of its stream
            yield from engine_for(self.settings).stream(question, history, settings)
            return
        try:
            yield from self._answer(question, [h.turn() if isinstance(h, Answer) else h for h in history],
                                    settings or self.settings)
        finally:
            with self._lock:
                self._streams -= 1
            self._close_if_idle()

    def retire(self) -> None:
        """Closes the index now, or after the answers in progress."""
        with self._lock:
            self._retired = True
        self._close_if_idle()

    def _close_if_idle(self) -> None:
        with self._lock:
            idle = self._retired and not self._streams and not self._closed
            self._closed = self._closed or idle
        if idle:
            self.index.close()

    def _search(self, retriever: HybridRetriever, question: str, carried: list[str]) -> tuple[Query, list[str], list[Retrieved]]:
        query = retriever.analyse(question)
        return query, evidence_gaps(query, self.index), retriever.retrieve(question, query=query, files=tuple(carried))

    def _answer(self, question: str, history: list[Turn], settings: Settings) -> Iterator[str | Answer]:
        if self.index.is_empty():
            raise NewsqaError(f"index {settings.index!r} is empty: run `newsqa ingest FOLDER`")
        self.index.check_signature(_signature(settings))
        retriever = self.retriever_for(settings)
        started = time.perf_counter()
        asked = question.strip()
        chat = get_chat_model(settings) if history else None
        question = standalone(asked, history, chat)
        # The typed words say which earlier article a follow-up means ("the other article"); the rewrite may not.
        carried = carried_files(asked, history)
        query, gaps, retrieved = self._search(retriever, question, carried)
        texts = [r.chunk.text for r in retrieved]
        cased = read_with_setup(truecased(respelled(truecased(question, texts), texts), texts), texts)
        if cased != question:
            # "is alexandr wang midjourneys ceo", "the partnershp", "My nephew uses Midjourney. Who runs that
            # company?": read and searched again with the names and words as the articles write them
            question = cased
            query, gaps, retrieved = self._search(retriever, question, carried)
        timings = {"retrieval_s": time.perf_counter() - started}
        kind = answer_kind(question)
        best_dense = max((r.dense for r in retrieved if r.dense is not None), default=0.0)
        if gaps or not retrieved or best_dense < settings.min_relevance:
            timings["total_s"] = time.perf_counter() - started
            yield abstention(question, retrieved, timings, asked=_asked(asked, question), gaps=gaps, kind=kind)
            return
        model = chat or get_chat_model(settings)  # one per answer: NEWSQA_LLM_TIMEOUT_S bounds all its calls
        if settings.resolved_strategy == "stepwise":
            yield from self._stepwise(settings, retriever, model, question, asked, query, retrieved, carried, kind,
                                      timings, started)
            return
        small = chat_backend(settings.resolved_backend).small
        sources = self.evidence(query, retrieved, carried, settings)
        bodies = None
        if small:
            # A question about dates or order was ranked by them; re-ranking by words would undo that.
            # Asked of the query, not of Retrieved.pinned: a date range ranks by boosts, which pin nothing.
            reorder = not (query.dates or query.order or carried)
            sources, bodies = focus(sources, question, retriever.embedder, keep=3, reorder=reorder)
        messages = build_messages(question, sources, bodies)
        pieces: list[str] = []
        generation_started = time.perf_counter()
        for piece in model.stream(messages, settings.max_answer_tokens):
            if not pieces:
                timings["first_token_s"] = time.perf_counter() - started
            pieces.append(piece)
            yield piece
        timings["generation_s"] = time.perf_counter() - generation_started
        reply = without_repeats("".join(pieces).strip())
        if not reply or _REFUSAL.search(reply):
            timings["total_s"] = time.perf_counter() - started
            yield abstention(question, retrieved, timings, model.name, _asked(asked, question), kind=kind,
                             strategy="single")
            return
        text, citations, claims = cite(reply, sources, question, retriever.embedder)
        citations = with_duplicates(citations, sources)
        text += dates_note(query, citations) + coverage_note(query, sources)
        timings["total_s"] = time.perf_counter() - started
        yield Answer(question, text, citations, False, retrieved, timings, model.name, _asked(asked, question), claims,
                     kind, "single")

    def _stepwise(self, settings: Settings, retriever: HybridRetriever, model, question: str, asked: str,
                  query: Query, retrieved: list[Retrieved], carried: list[str], kind: str, timings: dict,
                  started: float) -> Iterator[str | Answer]:
        """Answers through rag/stepwise.py: progress lines while it works, then the Answer. ``model`` is asked,
        at most, for the words of one sentence."""
        passages = self.evidence(query, retrieved, carried, settings) if carried else retrieved
        draft = None
        generation_started = time.perf_counter()
        for item in Stepwise(model, retriever.embedder).answer(question, query, passages, kind, bool(carried)):
            if isinstance(item, Draft):
                draft = item
            else:
                timings.setdefault("first_token_s", time.perf_counter() - started)
                yield item
        timings["generation_s"] = time.perf_counter() - generation_started
        timings["total_s"] = time.perf_counter() - started
        if draft is None or draft.abstained:
            yield abstention(question, retrieved, timings, model.name, _asked(asked, question),
                             gaps=[draft.reason] if draft and draft.reason else None, kind=kind, strategy="stepwise")
            return
        citations = with_duplicates(draft.citations, passages)
        text = draft.text + dates_note(query, citations)
        yield Answer(question, text, citations, False, retrieved, timings, model.name, _asked(asked, question),
                     draft.claims, kind, "stepwise")

    def evidence(self, query: Query, retrieved: list[Retrieved], carried: list[str],
                 settings: Settings | None = None) -> list[Retrieved]:
        """The passages the model is shown, best first."""
        settings = settings or self.settings
        small = chat_backend(settings.resolved_backend).small
        if carried:
            # "What did the other article say?": answer from the articles it points at, and only those.
            pointed = [r for r in retrieved if r.file in carried]
            if pointed:
                return (first_of_each_article(pointed, lambda r: r.file) if small else pointed)[: settings.context_chunks]
        if query.is_multi or len(query.sources) > 1:
            # Several stories: each part's best passage, from distinct articles where it can.
            sources = evidence_per_part(query, retrieved)
            if not small:
                sources += [r for r in first_of_each_article(retrieved, lambda r: r.file) if r not in sources]
            return sorted(sources[: settings.context_chunks], key=retrieved.index)
        sources = retrieved[: settings.context_chunks]
        if small:
            # A tiny model copies from whatever it is shown: show it only the clear leaders.
            sources = [s for s in sources if s.score >= LOCAL_SOURCE_RATIO * sources[0].score]
        return sources


def build_messages(question: str, sources: list[Retrieved], bodies: list[str] | None = None) -> list[dict]:
    """The chat prompt: numbered sources (their chunk text, or ``bodies``), then the question."""
    blocks = []
    for number, source in enumerate(sources, start=1):
        chunk = source.chunk
        about = ", ".join(part for part in (chunk.source, chunk.published[:10]) if part)
        head = f"[{number}] {chunk.title}" + (f" ({about})" if about else "")
        blocks.append(f"{head}\n{bodies[number - 1] if bodies else chunk.text}")
    user = "Sources:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\nAnswer:"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def focus(sources: list[Retrieved], question: str, embedder, keep: int,
          reorder: bool = True) -> tuple[list[Retrieved], list[str]]:
    """The sources, each cut to its ``keep`` sentences that best match the question, best source first
    (unless ``reorder`` is false: then in the order given).

    A tiny model answers better from less text, and leans on the first source.
    Sentences are ranked by shared words plus embedding similarity, which links
    "platform" to "a post on Threads".
    """
    per_source = [split_sentences(s.chunk.text) or [s.chunk.text] for s in sources]
    flat = [sentence for sentences in per_source for sentence in sentences]
    sentence_vectors, (question_vector,) = embed_cached(embedder, flat, also=[question])
    similarity = sentence_vectors @ question_vector
    wanted = stems(question)
    focused, offset = [], 0
    for source, sentences in zip(sources, per_source):
        def rank(i: int) -> float:
            overlap = len(wanted & stems(sentences[i])) / max(len(wanted), 1)
            return overlap + float(similarity[offset + i])

        best = sorted(range(len(sentences)), key=rank, reverse=True)[:keep]
        focused.append((rank(best[0]), source, " ".join(sentences[i] for i in sorted(best))))
        offset += len(sentences)
    if reorder:
        focused.sort(key=lambda item: item[0], reverse=True)
    return [source for _, source, _ in focused], [body for _, _, body in focused]


def without_repeats(reply: str) -> str:
    """The reply with sentences that repeat an earlier one removed; small models loop."""
    kept: list[str] = []
    seen: list[set[str]] = []
    for sentence in split_sentences(reply):
        words = set(query_terms(sentence))
        if any(words and len(words & other) >= 0.8 * len(words) for other in seen):
            continue
        kept.append(sentence)
        seen.append(words)
    return " ".join(kept)


def _asked(asked: str, question: str) -> str:
    return asked if asked != question else ""


def evidence_per_part(query: Query, retrieved: list[Retrieved]) -> list[Retrieved]:
    """For each part of the question (each publisher, when one part names several), its best-ranked passage
    from a publisher it names, in an article no earlier part took when there is one."""
    wants = [part.sources for part in query.parts] if query.is_multi else [(s,) for s in query.sources]
    chosen: list[Retrieved] = []
    for sources in wants:
        fits = [r for r in retrieved if r not in chosen and (not sources or r.chunk.source in sources)]
        fresh = [r for r in fits if r.file not in {c.file for c in chosen}]
        if fresh or fits:
            chosen.append((fresh or fits)[0])
    return chosen or retrieved[:1]


def with_duplicates(citations: list[Citation], sources: list[Retrieved]) -> list[Citation]:
    """The citations, plus the same number for each other article that carries a cited passage word for word."""
    by_file = {s.file: s for s in sources}
    out = list(citations)
    for citation in citations:
        for twin in getattr(by_file.get(citation.file), "duplicates", ()):
            out.append(dataclasses.replace(citation, file=twin.file, title=twin.title, source=twin.source,
                                           published=twin.published, url=twin.url, start=-1, end=-1))
    return out


def dates_note(query: Query, citations: list[Citation]) -> str:
    """For a question about dates or order, the publication dates the answer rests on, from the index."""
    if not (query.dates or query.order) or not citations:
        return ""
    dated = {c.number: c.published[:10] for c in citations if c.published}
    if not dated:
        return ""
    return " (Published: " + ", ".join(f"[{n}] {day}" for n, day in sorted(dated.items())) + ".)"


def coverage_note(query: Query, sources: list[Retrieved]) -> str:
    """Says which publishers the question names that no passage shown to the model came from."""
    shown = {s.chunk.source for s in sources}
    missing = [" or ".join(part.sources) for part in query.parts if part.sources and not set(part.sources) & shown]
    if not query.is_multi or not missing:
        return ""
    return f" (No passage from {', '.join(dict.fromkeys(missing))} was found for its part of the question.)"


def abstention(question: str, retrieved: list[Retrieved], timings: dict, model: str = "", asked: str = "",
               gaps: list[str] | None = None, kind: str = "", strategy: str = "") -> Answer:
    reason = "; ".join(gaps) if gaps else "none of the indexed articles answers this question"
    text = f"{ABSTAIN_PREFIX}: {reason}."
    return Answer(question, text, [], True, retrieved, timings, model, asked, kind=kind, strategy=strategy)


def _signature(settings: Settings) -> dict:
    """What an index must have been built with to answer with ``settings``."""
    return {"embedder": embedder_id(settings), "chunking": chunking_id(settings.chunk_size, settings.chunk_overlap)}


MAX_OPEN_INDEXES = 4  # engines kept open; the least recently used one beyond them is closed
_engines: OrderedDict[tuple, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def engine_for(settings: Settings) -> Engine:
    """The open engine for the index ``settings`` names (data folder, index name, Chroma server)."""
    key = (settings.data_dir, settings.index, settings.chroma_url)
    with _engines_lock:
        if key in _engines:
            _engines.move_to_end(key)
            return _engines[key]
        engine = _engines[key] = Engine(settings)
        retired = [_engines.popitem(last=False)[1] for _ in range(len(_engines) - MAX_OPEN_INDEXES)]
    for old in retired:
        old.retire()
    return engine


class AnswerStream:
    """An answer as it is written. Iterate it for the text as it comes (the model's draft, or the stepwise
    strategy's progress lines); :meth:`answer` then gives the :class:`Answer`, reading whatever is left."""

    def __init__(self, items: Iterator[str | Answer]) -> None:
        self._items = items
        self._answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, Answer):
                self._answer = item
            else:
                yield item

    def answer(self) -> Answer:
        for _ in self:
            pass
        if self._answer is None:
            raise RuntimeError("the answer stream ended without an Answer")  # a bug, not a user error
        return self._answer


def ask_stream(question: str, *, history: Sequence[Answer | Turn] | None = None, settings: Settings | None = None,
               **overrides) -> AnswerStream:
    """Starts answering ``question``: iterate the stream for the text as it is written, then call
    ``.answer()`` for the :class:`Answer`. Arguments as for :func:`ask`.

    An empty or overlong question is a :class:`ConfigError`, as on the command line and the page."""
    settings = settings.replace(**overrides) if settings else Settings.load(**overrides)
    question = check_question(question, settings)
    return AnswerStream(engine_for(settings).stream(question, history or (), settings))


def ask(question: str, *, history: Sequence[Answer | Turn] | None = None, settings: Settings | None = None,
        **overrides) -> Answer:
    """Answers ``question`` from the indexed articles, citing the files it rests on.

    ``history`` is the chat so far, oldest first (earlier Answers, or :class:`Turn` s): a follow-up ("what did
    the other article say?") is rewritten into a standalone question from it. Keyword arguments override
    settings, e.g. ``ask(q, backend="local", top_k=5)``. An empty index is a :class:`NewsqaError`: ingest first.
    """
    return ask_stream(question, history=history, settings=settings, **overrides).answer()
