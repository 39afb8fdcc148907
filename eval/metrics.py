"""Per-question metrics: retrieval (file and chunk level), answers, citations, abstention; and aggregates.

Each function scores one question; :func:`mean` and :func:`percentile` aggregate.
"""

from __future__ import annotations

import re

from rag.text import MARKER

_WHITESPACE = re.compile(r"\s+")


def ranked_files(files: list[str]) -> list[str]:
    """File ids in order of first appearance: a file's rank is that of its best chunk."""
    return list(dict.fromkeys(files))


def file_hit_at(files: list[str], gold: list[str], k: int) -> float:
    """1 when any gold file is among the first ``k`` distinct files."""
    return float(bool(set(ranked_files(files)[:k]) & set(gold))) if gold else 0.0


def file_all_gold_at(files: list[str], gold: list[str], k: int) -> float:
    """1 when every gold file is among the first ``k`` distinct files."""
    return float(set(gold) <= set(ranked_files(files)[:k])) if gold else 0.0


def file_mrr_at(files: list[str], gold: list[str], k: int = 10) -> float:
    """Reciprocal rank of the first gold file among the first ``k`` distinct files."""
    for rank, file in enumerate(ranked_files(files)[:k], start=1):
        if file in gold:
            return 1.0 / rank
    return 0.0


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def chunk_hits(chunks: list[str], facts: list[str]) -> list[bool]:
    """For each retrieved chunk, whether it contains a gold fact (whitespace removed), as MultiHop-RAG counts."""
    squeezed_facts = [_squeeze(f) for f in facts if f.strip()]
    return [any(f in _squeeze(chunk) for f in squeezed_facts) for chunk in chunks]


def hit_at(hits: list[bool], k: int) -> float:
    """1 when any of the first ``k`` ranks is a hit."""
    return float(any(hits[:k]))


def reciprocal_rank_at(hits: list[bool], k: int = 10) -> float:
    """1 / the rank of the first hit among the first ``k``; 0 without one."""
    return next((1.0 / rank for rank, hit in enumerate(hits[:k], start=1) if hit), 0.0)


def chunk_hit_at(chunks: list[str], facts: list[str], k: int) -> float:
    """MultiHop-RAG's Hits@k: 1 when any of the first ``k`` chunks contains a gold fact."""
    return hit_at(chunk_hits(chunks[:k], facts), k)


def chunk_mrr_at(chunks: list[str], facts: list[str], k: int = 10) -> float:
    """MultiHop-RAG's MRR@k: reciprocal rank of the first chunk containing a gold fact."""
    return reciprocal_rank_at(chunk_hits(chunks[:k], facts), k)


def file_recall_at(files: list[str], gold: list[str], k: int) -> float:
    """Share of the gold files among the first ``k`` distinct files."""
    return len(set(ranked_files(files)[:k]) & set(gold)) / len(set(gold)) if gold else 0.0


# ---------------------------------------------------------------------------------------------
# Answers

_PUNCTUATION = re.compile(r"[^\w\s]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_POSSESSIVE = re.compile(r"'s\b")
YES, NO = "yes", "no"


def normalize(text: str) -> str:
    """Lower case, without citation markers, punctuation, articles (a, an, the) and extra spaces."""
    text = MARKER.sub(" ", text.lower().replace("’", "'"))
    text = _PUNCTUATION.sub(" ", _POSSESSIVE.sub("", text).replace("'", ""))
    return " ".join(_ARTICLES.sub(" ", text).split())


def tokens(text: str) -> list[str]:
    return normalize(text).split()


_NEGATIONS = {"not", "no", "never", "neither", "nor", "none", "nothing", "cannot", "without", "dont", "doesnt",
              "didnt", "isnt", "wasnt", "arent", "werent", "wont", "hasnt", "havent", "hadnt", "cant", "couldnt",
              "shouldnt", "wouldnt"}
_STOPWORDS = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "is",
              "are", "was", "were", "be", "been", "do", "does", "did", "has", "have", "had", "will", "would", "can",
              "could", "should", "it", "its", "this", "that", "these", "those", "their", "there", "yet", "also",
              "1", "2", "3", "4", "5", "6", "7", "8", "9"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SAYS = re.compile(r"\banswer (?:to (?:this|the|your) question )?is (yes|no)\b")
RESTATES = 0.5  # share of the question's content words an answer must repeat to be read as yes or no


def _content(words: list[str]) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words
            if w not in _STOPWORDS and w not in _NEGATIONS}


def polarity(text: str, question: str | None = None) -> str | None:
    """"yes" or "no" as the text answers a yes/no question, else None.

    Read, in order: a leading yes or no ("No, it does not" is "no"); "the answer is
    no"; and, given the ``question``, a first sentence that restates at least half of
    the question's content words with the opposite negation: "The partnership does
    not grant Meta a stake" answers "Does the partnership give Meta a stake?" with
    "no". A restatement with the question's own negation is not read as "yes": a
    model that parrots the question would score on every Yes question.
    """
    words = tokens(text)
    if words and words[0] in (YES, NO):
        return words[0]
    said = _SAYS.search(" ".join(words))
    if said:
        return said.group(1)
    if question is None or not words:
        return None
    first = tokens(_SENTENCE_END.split(text.strip(), maxsplit=1)[0])
    wanted = _content(tokens(question))
    if not wanted or len(wanted & _content(first)) < RESTATES * len(wanted):
        return None
    negations = sum(w in _NEGATIONS for w in first) - sum(w in _NEGATIONS for w in tokens(question))
    return NO if negations % 2 else None


def yes_no_gold(gold: str) -> str | None:
    """"yes" or "no" when the gold answer is that one word: :func:`strict_correct` reads it, not searches for it."""
    words = tokens(gold)
    return words[0] if len(words) == 1 and words[0] in (YES, NO) else None


def is_yes_no(golds: list[str]) -> bool:
    """Whether a question is a yes/no question: one of its gold answers is a bare yes or no."""
    return any(yes_no_gold(g) for g in golds)


def strict_correct(answer: str, golds: list[str], question: str | None = None) -> float:
    """1 when the answer holds a gold answer or alias, normalised, as whole words.

    Yes/no golds are read, not searched for (see :func:`polarity`): "No, it does
    not" matches "No", and "Yes ... not" does not.
    """
    normalized = f" {normalize(answer)} "
    for gold in golds:
        wanted_polarity = yes_no_gold(gold)
        if wanted_polarity is not None:
            if polarity(answer, question) == wanted_polarity:
                return 1.0
            continue
        wanted = normalize(gold)
        if wanted and f" {wanted} " in normalized:
            return 1.0
    return 0.0


def token_f1(answer: str, golds: list[str]) -> float:
    """SQuAD token F1 between the normalised answer and its best gold answer or alias."""
    best = 0.0
    predicted = tokens(answer)
    for gold in golds:
        wanted = tokens(gold)
        if not predicted or not wanted:
            best = max(best, float(predicted == wanted))
            continue
        common = sum(min(predicted.count(t), wanted.count(t)) for t in set(predicted) & set(wanted))
        if common:
            precision, recall = common / len(predicted), common / len(wanted)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def lenient_correct(answer: str, golds: list[str]) -> float:
    """LENIENT: the MultiHop-RAG paper's scorer; 1 when answer and gold share any word (lower case).

    Very generous ("The articles say no" scores 1 against "No", and so does any
    answer that shares "the" with the gold); report it only beside the strict score.
    """
    said = set(_PUNCTUATION.sub(" ", answer.lower()).split())
    return float(any(said & set(_PUNCTUATION.sub(" ", gold.lower()).split()) for gold in golds))


# ---------------------------------------------------------------------------------------------
# Citations and abstention


def citation_precision(cited: list[str], gold: list[str]) -> float | None:
    """Share of the distinct cited files that are gold; None when nothing is cited."""
    cited_set = set(cited)
    return len(cited_set & set(gold)) / len(cited_set) if cited_set else None


def citation_recall(cited: list[str], gold: list[str]) -> float | None:
    """Share of the gold files that are cited; None when there are no gold files."""
    gold_set = set(gold)
    return len(set(cited) & gold_set) / len(gold_set) if gold_set else None


def abstention_scores(abstained: list[bool], should_abstain: list[bool]) -> dict[str, float | None]:
    """Precision and recall of abstaining, the unanswerable questions being the positives.

    An abstention on an answerable question is a false positive (and a miss for
    that question's answer scores); None where a denominator is zero.
    """
    pairs = list(zip(abstained, should_abstain))
    true_pos = sum(1 for a, s in pairs if a and s)
    predicted = sum(1 for a, _ in pairs if a)
    actual = sum(1 for _, s in pairs if s)
    return {
        "precision": true_pos / predicted if predicted else None,
        "recall": true_pos / actual if actual else None,
        "abstained": predicted,
        "unanswerable": actual,
    }


# ---------------------------------------------------------------------------------------------
# Aggregates


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linearly interpolated as numpy's default; None when empty."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values) -> float | None:
    """The mean of the values that are not None; None when there are none."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None
