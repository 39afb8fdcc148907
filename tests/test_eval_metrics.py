"""eval.metrics, each against values worked out by hand."""

from __future__ import annotations

import pytest

from eval import metrics as m

A, B, C, D = "a.txt", "b.txt", "c.txt", "d.txt"


# --- retrieval, file level ------------------------------------------------------------------

def test_duplicate_files_keep_their_first_rank():
    # chunks from a, a, b, a, c: the distinct files rank a=1, b=2, c=3
    files = [A, A, B, A, C]
    assert m.ranked_files(files) == [A, B, C]
    assert m.file_hit_at(files, [C], 2) == 0.0  # c is the 3rd distinct file, though the 5th chunk
    assert m.file_hit_at(files, [C], 3) == 1.0
    assert m.file_mrr_at(files, [B, C]) == pytest.approx(1 / 2)
    assert m.file_all_gold_at(files, [B, C], 2) == 0.0
    assert m.file_all_gold_at(files, [B, C], 3) == 1.0
    assert m.file_recall_at(files, [B, C, D], 3) == pytest.approx(2 / 3)
    assert m.file_recall_at(files, [B, C, D], 2) == pytest.approx(1 / 3)


def test_file_metrics_without_gold_sources_or_retrieved_files():
    assert m.file_hit_at([A, B], [], 4) == 0.0
    assert m.file_all_gold_at([A, B], [], 4) == 0.0
    assert m.file_recall_at([A], [], 4) == 0.0
    assert m.file_mrr_at([], [A]) == 0.0
    assert m.file_mrr_at([B, C, D, A], [A], k=3) == 0.0  # a is 4th, outside MRR@3
    assert m.file_mrr_at([B, C, D, A], [A], k=10) == pytest.approx(0.25)


# --- retrieval, chunk level (MultiHop-RAG) --------------------------------------------------

def test_chunk_hits_ignore_whitespace():
    fact = "Midjourney released its first  video\ngeneration model, V1."
    chunks = ["nothing here", "In June, Midjourney released its first video generation model, V1. More.", "x"]
    assert m.chunk_hits(chunks, [fact]) == [False, True, False]
    assert m.chunk_hit_at(chunks, [fact], 1) == 0.0
    assert m.chunk_hit_at(chunks, [fact], 4) == 1.0
    assert m.chunk_mrr_at(chunks, [fact]) == pytest.approx(0.5)


def test_chunk_metrics_without_facts():
    assert m.chunk_hits(["a", "b"], []) == [False, False]
    assert m.chunk_hits(["a"], ["   "]) == [False]  # a blank fact would match everything once squeezed
    assert m.chunk_hit_at(["a"], [], 4) == 0.0
    assert m.chunk_mrr_at([], ["fact"]) == 0.0


# --- answers --------------------------------------------------------------------------------

def test_normalize_drops_case_markers_punctuation_articles_and_possessives():
    assert m.normalize("The  CEO of Midjourney's lab [1], David Holz!") == "ceo of midjourney lab david holz"
    assert m.normalize("") == ""


@pytest.mark.parametrize("answer, golds, expected", [
    ("No, it does not [1].", ["No"], 1.0),
    ("no.", ["No"], 1.0),
    ("Yes. Meta will license the technology.", ["Yes"], 1.0),
    ("Yes, but it does not say no.", ["No"], 0.0),  # read from the first word, not searched for
    ("It does not, no.", ["No"], 0.0),  # no leading yes/no: not read as an answer
    ("Nobody knows.", ["No"], 0.0),
    ("The CEO is David Holz [1].", ["David Holz", "Holz"], 1.0),
    ("Holz runs it.", ["David Holz", "Holz"], 1.0),  # an alias
    ("David Holzman runs it.", ["David Holz"], 0.0),  # whole words only
    ("It was announced on Threads.", ["Threads"], 1.0),
    ("It was on X (formerly Twitter).", ["X"], 1.0),
    ("", ["Threads"], 0.0),  # empty answer
    ("Google's Gemini and OpenAI's ChatGPT", ["Google's Gemini and OpenAI's ChatGPT"], 1.0),
    ("the articles say Consistent", ["Consistent"], 1.0),
])
def test_strict_correct(answer, golds, expected):
    assert m.strict_correct(answer, golds) == expected


@pytest.mark.parametrize("answer, gold, expected", [
    ("The partnership does not grant Meta a stake in Midjourney [1].", "No", 1.0),  # restates, negated
    ("The partnership gives Meta a stake in Midjourney.", "No", 0.0),
    ("The partnership gives Meta a stake in Midjourney.", "Yes", 0.0),  # a parrot of the question: not read
    ("Meta has no stake.", "No", 0.0),  # repeats 2 of the 5 content words: not read
    ("Wang posted on Threads.", "No", 0.0),  # does not restate the question: not read at all
    ("Wang posted on Threads.", "Yes", 0.0),
    ("The answer to this question is no [1]. Meta holds nothing.", "No", 1.0),
    ("", "No", 0.0),
])
def test_yes_no_read_from_a_restated_question(answer, gold, expected):
    question = "Does the partnership give Meta a stake in Midjourney?"
    # content words of the question: partnership, give, meta, stake, midjourney (5; half is 2.5)
    assert m.strict_correct(answer, [gold], question) == expected


def test_polarity_negations_cancel_out():
    question = "Were the financial terms of the deal not disclosed?"  # negated once
    assert m.polarity("The financial terms of the deal were not disclosed.", question) is None  # a parrot
    assert m.polarity("The financial terms of the deal were disclosed.", question) == "no"
    assert m.polarity("The financial terms were never not disclosed.", question) == "no"  # twice: disclosed
    assert m.polarity("Yes, but the terms were not disclosed.", question) == "yes"  # a leading word wins
    assert m.polarity("The financial terms were not disclosed.") is None  # no question, no leading word


def test_yes_no_golds_are_a_bare_yes_or_no():
    assert m.yes_no_gold("No.") == "no" and m.yes_no_gold(" YES ") == "yes"
    assert m.yes_no_gold("No, it does not") is None  # searched for as text, not read as a polarity
    assert m.yes_no_gold("Nobody") is None
    assert m.is_yes_no(["Meta", "Yes"]) and not m.is_yes_no(["Insufficient information."]) and not m.is_yes_no([])


def test_token_f1_by_hand():
    # "No, it does not" -> [no, it, does, not] vs [no]: P = 1/4, R = 1, F1 = 2*(1/4)/(5/4) = 0.4
    assert m.token_f1("No, it does not", ["No"]) == pytest.approx(0.4)
    # [ceo, is, david, holz] vs [david, holz]: P = 2/4, R = 1, F1 = 2/3
    assert m.token_f1("The CEO is David Holz.", ["David Holz"]) == pytest.approx(2 / 3)
    # the best of gold and aliases: [holz] vs [holz] = 1
    assert m.token_f1("Holz", ["David Holz", "Holz"]) == pytest.approx(1.0)
    # repeated tokens count once per match: [x, x, y] vs [x, z]: common 1, P = 1/3, R = 1/2, F1 = 0.4
    assert m.token_f1("x x y", ["x z"]) == pytest.approx(0.4)
    assert m.token_f1("", ["Threads"]) == 0.0  # empty answer
    assert m.token_f1("", [""]) == 1.0
    assert m.token_f1("Threads", []) == 0.0  # no gold


def test_lenient_is_any_shared_word():
    assert m.lenient_correct("Meta announced it on Threads", ["Threads"]) == 1.0
    assert m.lenient_correct("The articles say no", ["No"]) == 1.0
    assert m.lenient_correct("It is the lab", ["The Verge"]) == 1.0  # shares only "the": lenient indeed
    assert m.lenient_correct("Saturday", ["Sunday"]) == 0.0
    assert m.lenient_correct("", ["Threads"]) == 0.0  # empty answer


# --- citations and abstention ---------------------------------------------------------------

def test_citation_precision_and_recall_by_hand():
    assert m.citation_precision([A, B], [A]) == pytest.approx(0.5)
    assert m.citation_recall([A, B], [A]) == pytest.approx(1.0)
    assert m.citation_precision([A, A, B], [A, C]) == pytest.approx(0.5)  # a cited twice counts once
    assert m.citation_recall([A, A, B], [A, C]) == pytest.approx(0.5)
    assert m.citation_precision([], [A]) is None  # cited nothing: precision undefined
    assert m.citation_recall([], [A]) == 0.0
    assert m.citation_recall([A], []) is None  # no gold sources: recall undefined
    assert m.citation_precision([A], []) == 0.0


def test_abstention_scores_by_hand():
    abstained = [True, True, False, True, False]
    should = [True, False, True, True, False]
    # TP 2 (q1, q4), FP 1 (q2, an answerable question), FN 1 (q3)
    assert m.abstention_scores(abstained, should) == {
        "precision": pytest.approx(2 / 3), "recall": pytest.approx(2 / 3), "abstained": 3, "unanswerable": 3}
    none = m.abstention_scores([False, False], [False, False])
    assert none["precision"] is None and none["recall"] is None
    assert m.abstention_scores([], []) == {"precision": None, "recall": None, "abstained": 0, "unanswerable": 0}


# --- aggregates -----------------------------------------------------------------------------

def test_percentile_interpolates_like_numpy():
    values = [1.0, 2.0, 3.0, 4.0]
    assert m.percentile(values, 50) == pytest.approx(2.5)
    assert m.percentile(values, 95) == pytest.approx(3.85)  # 3 + 0.85 * (4 - 3)
    assert m.percentile([4.0, 1.0], 0) == 1.0
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None


def test_mean_skips_none():
    assert m.mean([1.0, None, 0.0]) == pytest.approx(0.5)
    assert m.mean([None]) is None
    assert m.mean([]) is None
