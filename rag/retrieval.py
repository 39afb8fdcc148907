"""Hybrid retrieval: dense (Chroma) and keyword (BM25) candidates, fused by weighted scores,
then arranged so that every part of a question, and every publisher it names, has evidence.

News questions are full of names that embeddings blur and BM25 matches exactly,
so the keyword side carries the larger weight. A question that names publishers
is also searched within each publisher's articles, part by part, and the best
article of each part gets a boost; later chunks of an article already ranked
count for less, so that ten chunks cover more than two or three articles.
HybridRetriever.retrieve runs the stages in order: search (each search fuses its two lists), boost,
rerank (a hook, empty for now), arrange (pinning what leads), collapse duplicates.
bench/retrieval.py measures every weight here; the README has the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chunking import Chunk
from .query import Part, Publishers, Query, analyse, parse_published
from .settings import Settings
from .store import Index


@dataclass(frozen=True)
class Retrieved:
    """One ranked chunk: the passage, its fused score, and the two scores it came from."""

    chunk: Chunk
    score: float
    dense: float | None  # cosine similarity, when the dense search found it
    lexical: float | None  # BM25 score, when the keyword search found it
    duplicates: tuple[Chunk, ...] = ()  # the same text in other articles (a wire story under two publishers)
    # Why it was moved to the front rather than ranked there: "lead" (the whole question's best),
    # "latest" or "earliest" (the date pick), "carried" (a follow-up's article); "" when it was ranked.
    pinned: str = ""

    @property
    def file(self) -> str:
        return self.chunk.file

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def metadata(self) -> dict:
        return self.chunk.metadata


@dataclass
class Candidates:
    """What the searches found: each chunk's dense, keyword and fused scores (a part's fused score where it is
    higher), the whole question's own fused scores, each part's leading chunks and the carried files' best."""

    dense: dict[str, float]
    lexical: dict[str, float]
    fused: dict[str, float]
    whole_question: dict[str, float]
    leaders: list[str]
    carried: list[str]


class HybridRetriever:
    def __init__(self, index: Index, embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self._publishers: tuple[tuple, Publishers] | None = None

    def analyse(self, question: str) -> Query:
        """The question's publishers, dates and parts, against this corpus's publishers and years."""
        profile = self.index.profile()
        key = tuple(profile["sources"])
        if self._publishers is None or self._publishers[0] != key:
            self._publishers = (key, Publishers(list(profile["sources"])))
        return analyse(question, self._publishers[1], tuple(profile["years"]))

    def retrieve(self, question: str, k: int | None = None, mode: str = "hybrid",
                 query: Query | None = None, files: tuple[str, ...] = ()) -> list[Retrieved]:
        """The ``k`` best chunks for ``question``, best first.

        ``mode`` "hybrid" (the default) uses the question's publishers, dates and parts; "fused", "dense"
        and "lexical" are the plain searches it builds on, for comparison. ``files`` (a follow-up's
        earlier sources) are searched on their own too, and their best passage leads.
        """
        k = k or self.settings.top_k
        n = max(self.settings.candidates, k)
        if mode != "hybrid":
            return self._plain(question, k, n, mode)
        query = query or self.analyse(question)
        found = self._search_all(question, query, files, n)  # each search fuses its dense and keyword scores
        chunks = self.index.chunks(list(found.fused))
        boosts = self._boost(found, chunks, query)
        scores = self._rerank(question, {cid: found.fused[cid] + boost for cid, boost in boosts.items()}, chunks)
        order, pinned = self._arrange(scores, found, boosts, chunks, query, files)
        top, duplicates = collapse_duplicates(order, chunks, k)
        return self._results(top, scores, found.dense, found.lexical, duplicates, chunks, pinned)

    def _plain(self, question: str, k: int, n: int, mode: str) -> list[Retrieved]:
        """One search of the whole question, "dense", "lexical" or "fused", without the question's structure."""
        weights = {"dense": (1.0, 0.0), "lexical": (0.0, 1.0),
                   "fused": (self.settings.dense_weight, self.settings.lexical_weight)}[mode]
        dense, lexical, fused = self._search(question, None, n, (), weights)
        top = sorted(fused, key=fused.get, reverse=True)[:k]
        return self._results(top, fused, dense, lexical)

    def _search_all(self, question: str, query: Query, files: tuple[str, ...], n: int) -> Candidates:
        """Searches the whole question, then each part within each publisher it names, then the carried files."""
        groups = _search_groups(query)
        # Each part gets its own vector: searching a part with the whole question's costs MRR@10 0.03.
        texts = list(dict.fromkeys([question] + [part.text for part, _ in groups]))
        vector_of = dict(zip(texts, self.embedder.embed(texts)))
        weights = (self.settings.dense_weight, self.settings.lexical_weight)
        found = self._search(question, vector_of[question], n, (), weights)
        whole_question = dict(found[2])  # before the parts' scores join in
        leaders: list[str] = []
        for part, sources in groups:
            leaders += self._search_part(part, vector_of[part.text], weights, found, sources=sources)
        carried = self._search_part(Part(question), vector_of[question], weights, found,
                                    files=tuple(files), leaders=len(files)) if files else []
        return Candidates(*found, whole_question, leaders, carried)

    def _boost(self, found: Candidates, chunks: dict[str, Chunk], query: Query) -> dict[str, float]:
        """What each candidate gains for a publisher the question names, a date range it names, or leading a part."""
        named = set(query.sources)
        boosts = {
            cid: (self.settings.publisher_boost if named and chunks[cid].source in named else 0.0)
            + self._date_bonus(chunks[cid], query)
            for cid in found.fused if cid in chunks
        }
        for cid in set(found.leaders) & set(boosts):
            boosts[cid] += self.settings.part_leader_boost
        return boosts

    def _rerank(self, question: str, scores: dict[str, float], chunks: dict[str, Chunk]) -> dict[str, float]:
        """A reranker goes here: rescore the boosted candidates (a cross-encoder, say); none yet, so unchanged."""
        return scores

    def _arrange(self, scores: dict[str, float], found: Candidates, boosts: dict[str, float],
                 chunks: dict[str, Chunk], query: Query, files: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
        """Best first with articles spread out, then the pinned to the front: the lead, then the carried files'."""
        order = diversify(scores, chunks, self.settings.same_article_decay)
        pinned: dict[str, str] = {}
        lead, why = self._lead(scores, found.whole_question, boosts, chunks, query)
        if lead is not None:
            order = [lead] + [cid for cid in order if cid != lead]
            pinned[lead] = why
        if found.carried:
            # The follow-up's articles lead, in the order it named them ("the other article", "both").
            rank = {file: i for i, file in enumerate(files)}
            carried = sorted((c for c in found.carried if c in scores), key=lambda c: rank.get(chunks[c].file, len(rank)))
            order = carried + [cid for cid in order if cid not in carried]
            pinned.update(dict.fromkeys(carried, "carried"))
        return order, pinned

    def _lead(self, scores: dict[str, float], whole_question: dict[str, float], boosts: dict[str, float],
              chunks: dict[str, Chunk], query: Query) -> tuple[str | None, str]:
        """The passage to put first and why: for "latest" ("earliest") the date pick, else the whole question's best."""
        if query.order:  # "the latest article about X": the newest of the clearly relevant ones
            pick = by_date(scores, chunks, query.order)
            if pick:
                return pick, query.order
        # The passage that best matches the whole question leads, the parts' evidence follows:
        # MRR@10 0.795 -> 0.810 on the public pack, the rest unchanged (bench/retrieval.py).
        return max((c for c in whole_question if c in boosts), key=lambda c: whole_question[c] + boosts[c],
                   default=None), "lead"

    def _search_part(self, part: Part, vector, weights, found: tuple[dict, dict, dict],
                     sources: tuple[str, ...] = (), files: tuple[str, ...] = (), leaders: int = 0) -> list[str]:
        """Searches one part within ``sources`` or ``files``, adds what it finds to the ``found`` (dense,
        lexical, fused) scores, and returns its best chunk in each of its first ``leaders`` articles
        (``part_leaders`` unless given)."""
        dense, lexical, fused = found
        part_dense, part_lexical, part_fused = self._search(
            part.text, vector, self.settings.part_candidates, sources, weights, files)
        for cid, score in part_fused.items():
            fused[cid] = max(fused.get(cid, 0.0), score * self.settings.part_weight)
            dense.setdefault(cid, part_dense.get(cid))
            lexical.setdefault(cid, part_lexical.get(cid))
        chunks = self.index.chunks(list(part_fused))
        ranked = sorted((c for c in part_fused if c in chunks),
                        key=lambda c: part_fused[c] + self._date_bonus(chunks[c], part), reverse=True)
        return first_of_each_article(ranked, lambda cid: chunks[cid].file)[: leaders or self.settings.part_leaders]

    def _search(self, text: str, vector, n: int, sources: tuple[str, ...], weights: tuple[float, float],
                files: tuple[str, ...] = ()):
        dense_weight, lexical_weight = weights
        dense = dict(self.index.dense_search(
            vector if vector is not None else self.embedder.embed([text])[0], n, sources, files)) if dense_weight else {}
        lexical = dict(self.index.lexical_search(text, n, sources, files)) if lexical_weight else {}
        return dense, lexical, fuse(dense, lexical, dense_weight, lexical_weight)

    def _date_bonus(self, chunk: Chunk | None, about: Part | Query) -> float:
        """A boost for a chunk published in a date range the question (or one of its parts) names."""
        if chunk is None or not any(r.contains(chunk.published) for r in about.dates):
            return 0.0
        return self.settings.date_boost

    def _results(self, top, scores, dense, lexical, duplicates=None, chunks=None, pinned=None) -> list[Retrieved]:
        chunks = chunks or self.index.chunks(top)
        duplicates = duplicates or {}
        pinned = pinned or {}
        return [
            Retrieved(chunks[cid], scores[cid], dense.get(cid), lexical.get(cid), tuple(duplicates.get(cid, ())),
                      pinned.get(cid, ""))
            for cid in top if cid in chunks
        ]


def _search_groups(query: Query) -> list[tuple[Part, tuple[str, ...]]]:
    """The restricted searches a question needs: each part within each publisher it names."""
    if not query.sources and not query.is_multi:
        return []
    parts = query.parts if query.is_multi else (Part(query.text, query.sources, query.dates),)
    groups = []
    for part in parts:
        # "The Guardian article focuses on his performance": the part needs the question's names.
        missing = [name for name in query.names if name.lower() not in part.text.lower()]
        searched = Part(" ".join([part.text, *missing]), part.sources, part.dates)
        for source in part.sources or query.sources or ("",):
            groups.append((searched, (source,) if source else ()))
    return list(dict.fromkeys(groups))


def first_of_each_article(ranked: list, file_of) -> list:
    """The first of ``ranked`` from each article (``file_of`` names an item's file), in order."""
    first: dict[str, object] = {}
    for item in ranked:
        first.setdefault(file_of(item), item)
    return list(first.values())


def by_date(scores: dict[str, float], chunks: dict[str, Chunk], order: str) -> str | None:
    """For "latest" ("earliest"): the newest (oldest) chunk among those scoring at least half the best."""
    if not scores:
        return None
    floor = ORDER_RELEVANCE * max(scores.values())
    days = {cid: parse_published(chunks[cid].published) for cid, score in scores.items() if score >= floor}
    days = {cid: day for cid, day in days.items() if day is not None}
    if not days:
        return None
    pick = max if order == "latest" else min
    return pick(days, key=lambda cid: (days[cid], scores[cid] if order == "latest" else -scores[cid]))


ORDER_RELEVANCE = 0.5


def fuse(dense: dict[str, float], lexical: dict[str, float], dense_weight: float, lexical_weight: float) -> dict[str, float]:
    """Weighted sum of the two lists' scores, each first scaled so that its best is 1.

    Cosine similarities are scaled min-max over the candidates (their floor is
    arbitrary); BM25 scores are divided by the best one (their floor is zero).
    A chunk missing from a list gets 0 from it.
    """
    fused: dict[str, float] = {}
    for scores, weight, floor in ((dense, dense_weight, None), (lexical, lexical_weight, 0.0)):
        if not scores or weight == 0:
            continue
        top = max(scores.values())
        bottom = min(scores.values()) if floor is None else floor
        for cid, score in scores.items():
            scaled = (score - bottom) / (top - bottom) if top > bottom else 1.0
            fused[cid] = fused.get(cid, 0.0) + weight * scaled
    return fused


def diversify(scores: dict[str, float], chunks: dict[str, Chunk], decay: float) -> list[str]:
    """Chunk ids best first, each further chunk of an already-ranked article scored ``decay`` times lower."""
    remaining = dict(scores)
    seen: dict[str, int] = {}
    order = []
    while remaining:
        best = max(remaining, key=lambda c: remaining[c] * decay ** seen.get(chunks[c].file, 0))
        order.append(best)
        seen[chunks[best].file] = seen.get(chunks[best].file, 0) + 1
        del remaining[best]
        if len(order) >= 64:  # nobody reads further
            break
    return order


_SHINGLE_WORD = re.compile(r"\w+")
NEAR_DUPLICATE = 0.8  # share of shared word triples: one story, two publishers


def collapse_duplicates(order: list[str], chunks: dict[str, Chunk], k: int) -> tuple[list[str], dict[str, list[Chunk]]]:
    """The first ``k`` chunks of ``order`` whose text no better-ranked chunk of another article already has;
    the ones dropped are returned under the chunk they copy."""
    kept: list[tuple[str, set]] = []
    duplicates: dict[str, list[Chunk]] = {}
    for cid in order:
        if cid not in chunks:
            continue
        words = _SHINGLE_WORD.findall(chunks[cid].text.lower())
        shingles = {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
        twin = next((kid for kid, other in kept if chunks[kid].file != chunks[cid].file
                     and len(shingles & other) >= NEAR_DUPLICATE * min(len(shingles), len(other))), None)
        if twin is not None:
            duplicates.setdefault(twin, []).append(chunks[cid])
            continue
        if len(kept) < k:
            kept.append((cid, shingles))
        elif len(kept) >= k:
            break
    return [cid for cid, _ in kept], duplicates


def evidence_gaps(query: Query, index: Index) -> list[str]:
    """What the question rests on that no indexed article has: a publisher the corpus lacks, or a name
    that no article mentions. Any gap means the articles cannot answer it, however close the passages."""
    profile = index.profile()
    # Publishers are only known where most articles say who published them; elsewhere a named
    # publisher is just a name to look for in the text.
    knows_publishers = sum(profile["sources"].values()) >= 0.5 * max(profile["articles"], 1)
    gaps = [f"no indexed article is from {name}" for name in query.unknown_publishers if knows_publishers]
    named = " ".join(query.unknown_publishers).lower() if knows_publishers else ""
    for name in query.names:
        if name.lower() not in named and not _mentioned(name, index):
            gaps.append(f"no indexed article mentions {name}")
    return gaps


def _mentioned(name: str, index: Index) -> bool:
    """Whether some article mentions ``name``, or the two names it may be ("Is Alexandr Wang Midjourney's CEO?")."""
    def said(part: str) -> bool:
        return any(index.mentions(form) for form in _name_forms(part))

    words = name.split()
    if said(name):
        return True
    # Two names side by side have three words at least; "Ellie" and "Leach" apart are not "Ellie Leach".
    return len(words) > 2 and any(said(" ".join(words[:i])) and said(" ".join(words[i:])) for i in range(1, len(words)))


_GENERIC = frozenset("club football fc inc corp corporation company co ltd group team university league the of".split())


def _name_forms(name: str) -> list[str]:
    """``name``, and without the generic words articles often leave out ("Chelsea" for "Chelsea Football Club")."""
    core = " ".join(w for w in name.split() if w.lower() not in _GENERIC)
    return [name, core] if core and core != name else [name]
