"""The scores an eval reports, one :class:`Metric` entry each, and the scoring of one answered question.

A new metric is one entry in :data:`METRICS`: each answered question gets its
score, summary.json the mean over the answerable questions, the terminal table,
report.html and ``--compare`` a column (unless ``column`` is False), and
``newsqa eval --min`` a floor by its key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import baselines
from . import metrics as m
from .pack import Question

Score = Callable[[Question, dict], "float | None"]


@dataclass(frozen=True)
class Metric:
    key: str  # in each row's scores and in summary.json's aggregates
    title: str  # the column's title
    legend: str  # the report's explanation; "" where an earlier entry's legend covers this one
    score: Score  # one answered question's score; None where it does not apply
    column: bool = True  # a column in the terminal table, report.html and --compare
    needs_evidence: bool = False  # a column only when the pack has evidence.jsonl


# ---------------------------------------------------------------------------------------------
# One answered question's scores


def _file_score(score_at: Callable[[list[str], list[str], int], float], k: int) -> Score:
    """A file-level retrieval score at ``k``; None for a question without gold files."""
    def score(question: Question, row: dict) -> float | None:
        gold = list(question.sources)
        return score_at([r["file"] for r in row["retrieved"]], gold, k) if gold else None
    return score


def _chunk_score(score_at: Callable[[list[bool], int], float], k: int) -> Score:
    """A chunk-level retrieval score at ``k`` from the row's chunk hits; None without gold facts or for unanswerable."""
    def score(question: Question, row: dict) -> float | None:
        hits = row.get("chunk_hits")
        return score_at(hits, k) if hits is not None and question.facts and question.answerable else None
    return score


def _answer_score(correct: Callable[[str, Question], float]) -> Score:
    """An answer score; an abstention scores 0 on an answerable question and 1 on an unanswerable one."""
    def score(question: Question, row: dict) -> float:
        if not question.answerable:
            return float(row["abstained"])
        # An abstention on an answerable question is a miss, whatever words it shares with the gold.
        return 0.0 if row["abstained"] else correct(row["answer"] or "", question)
    return score


def _citation_score(score_of: Callable[[list[str], list[str]], "float | None"]) -> Score:
    def score(question: Question, row: dict) -> float | None:
        return score_of(row["cited_files"], list(question.sources)) if question.answerable else None
    return score


def _claims_supported(question: Question, row: dict) -> float | None:
    claims = row.get("claims") or []
    return sum(c["supported"] for c in claims) / len(claims) if claims and not row["abstained"] else None


FILE_LEGEND = "hit@4, allgold@10, MRR@10: file-level retrieval (distinct files of the retrieved chunks)."
CHUNK_LEGEND = "Hits@4c, Hits@10c, MRR@10c: chunk level as in the MultiHop-RAG paper (a chunk holds a gold fact)."

METRICS = (
    Metric("file_hit@1", "hit@1", "", _file_score(m.file_hit_at, 1), column=False),
    Metric("file_hit@4", "hit@4", FILE_LEGEND, _file_score(m.file_hit_at, 4)),
    Metric("file_hit@10", "hit@10", "", _file_score(m.file_hit_at, 10), column=False),
    Metric("file_all_gold@10", "allgold@10", "", _file_score(m.file_all_gold_at, 10)),
    Metric("file_recall@10", "recall@10", "", _file_score(m.file_recall_at, 10), column=False),
    Metric("file_mrr@10", "MRR@10", "", _file_score(m.file_mrr_at, 10)),
    Metric("chunk_hits@4", "Hits@4c", CHUNK_LEGEND, _chunk_score(m.hit_at, 4), needs_evidence=True),
    Metric("chunk_hits@10", "Hits@10c", "", _chunk_score(m.hit_at, 10), needs_evidence=True),
    Metric("chunk_mrr@10", "MRR@10c", "", _chunk_score(m.reciprocal_rank_at, 10), needs_evidence=True),
    Metric("strict", "strict",
           "strict: the normalised gold answer or an alias is in the answer (a yes/no gold is read from a leading "
           "yes or no, or from a restatement of the question).",
           _answer_score(lambda text, q: m.strict_correct(text, q.golds, q.question))),
    Metric("lenient", "lenient*", "lenient*: the paper's scorer, any shared word; generous, shown only beside strict.",
           _answer_score(lambda text, q: m.lenient_correct(text, q.golds))),
    Metric("f1", "F1", "F1: token F1.", _answer_score(lambda text, q: m.token_f1(text, q.golds))),
    Metric("citation_precision", "citeP", "citeP/citeR: cited files against gold files.",
           _citation_score(m.citation_precision)),
    Metric("citation_recall", "citeR", "", _citation_score(m.citation_recall)),
    Metric("claims_supported", "backed",
           "backed: the share of an answer's sentences that the passages they cite support (claim verification).",
           _claims_supported),
)
# Scores over all questions rather than the answerable ones, which --min may name beside the metrics.
OVERALL_SCORES = ("strict_all", "abstention_precision", "abstention_recall", "judge")


def score_row(question: Question, row: dict) -> dict:
    """The scores of one answered question; None where a score does not apply."""
    abstained = row["abstained"]
    scores: dict = {"answerable": question.answerable, "abstained": abstained, "yes_no": m.is_yes_no(question.golds),
                    "correct_abstention": abstained == (not question.answerable)}
    scores |= {metric.key: metric.score(question, row) for metric in METRICS}
    scores["failed"] = not (scores["strict"] == 1.0 and scores["correct_abstention"])
    scores["baselines"] = baselines.scores(question, row.get("baselines") or {})
    return scores


def columns(has_evidence: bool) -> list[Metric]:
    """The metrics shown as columns for a pack with or without evidence.jsonl."""
    return [metric for metric in METRICS if metric.column and (has_evidence or not metric.needs_evidence)]


def legend() -> str:
    """What each column means, in table order."""
    return " ".join(metric.legend for metric in METRICS if metric.legend)
