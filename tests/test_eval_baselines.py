"""eval.baselines on a hand-made set whose scores are worked out by hand; no LLM, no index."""

from __future__ import annotations

import pytest

from eval import baselines as b
from eval.pack import Question
from eval.report import format_table, render_html
from eval.run import summarize
from eval import scores
from eval.cli import floor_names
from eval.scores import Metric, score_row

SOURCE = ("a.txt",)


def _q(qid, qtype, question, answer, sources=SOURCE):
    return Question(id=qid, question=question, answer=answer, sources=sources, type=qtype)


# (question, the engine's answer, whether it abstained, the retrieved passages (None: an answer saved before
# baselines existed), the engine's answer kind)
HAND_MADE = [
    (_q("f1", "factoid", "On which platform did Wang announce the partnership?", "Threads"), "Threads.", False,
     ["Meta shares rose. Wang announced the partnership on Threads on Saturday."], "place"),
    (_q("f2", "factoid", "On what day did Meta announce the deal?", "Saturday"), "Sunday.", False,
     ["The deal was announced on Saturday by Meta."], "date"),
    (_q("f3", "factoid", "Where did Wang post the news?", "threads"), "", True, [], "place"),
    (_q("y1", "yes_no", "Does the partnership give Meta a stake in Midjourney?", "No"), "No, it does not.", False,
     ["Midjourney remains independent."], "yes_no"),
    (_q("y2", "yes_no", "Did Meta license Midjourney's technology?", "Yes"), "Yes.", False,
     ["Meta will license Midjourney's technology."], "yes_no"),  # a restatement is not read as yes
    (_q("y3", "yes_no", "Is Midjourney profitable?", "Yes"), "No.", False,
     ["Midjourney is profitable, the report says."], "yes_no"),
    (_q("m1", "multi_article", "Did both articles name the same CEO?", "No"), "No.", False,
     ["Both articles name David Holz."], "yes_no"),
    (_q("m2", "multi_article", "Who is the CEO of Midjourney?", "David Holz"), "Holz.", False, None, "person"),
    (_q("n1", "null_query", "Who won the Rugby World Cup?", "Insufficient information.", sources=()),
     "The articles don't say.", True, [], None),
]
# Strict by hand, answerable questions only (n1 is not):
#   engine      f1 1, f2 0, f3 0 (abstained), y1 1, y2 1, y3 0, m1 1, m2 0 ("Holz" is not "David Holz")
#   always-Yes  y1 0, y2 1, y3 1, m1 0; no answer to the others
#   majority    factoid "threads" (2 of 3), yes_no "yes" (2 of 3), multi_article "no" ("no" and "david holz" tie:
#               the first seen wins): f1 1, f2 0, f3 1, y1 0, y2 1, y3 1, m1 1, m2 0
#   extractive  f1 1, f2 1, f3 0 (no passage: abstains), y1-y3 0, m1 0 (a restatement), m2 None (no passage text)


@pytest.fixture
def rows() -> list[dict]:
    majority = b.majority_answers([q for q, *_ in HAND_MADE])
    out = []
    for question, answer, abstained, passages, kind in HAND_MADE:
        row = {"id": question.id, "type": question.type, "kind": kind, "question": question.question,
               "gold": question.to_dict() | {"answerable": question.answerable}, "answer": answer,
               "abstained": abstained, "cited_files": [], "claims": [], "chunk_hits": None, "timings": {},
               "retrieved": [{"file": "a.txt", "score": 1.0} for _ in passages or ()],
               "baselines": b.answers(question, majority, passages)}
        row["scores"] = score_row(question, row)
        out.append(row)
    return out


def _summary(rows: list[dict]) -> dict:
    settings = {"backend": "local", "model": "m", "model_used": "local:m", "embedder": "minilm", "k": 10,
                "chunking": {"size": 256, "overlap": 32}, "commit": "abc", "dirty": False, "corpus": "corpus"}
    return {"pack": "hand", "questions": len(rows), "of": len(rows), "reused": 0, "settings": settings,
            "corpus_files": 1, "corpus_chunks": 1, "has_evidence": False, "judge": None,
            "started": "2025-01-01T00:00:00+00:00", "wall_s": 1.0, "metrics": summarize(rows)}


def test_majority_is_the_most_common_normalised_gold_per_type_first_seen_on_a_tie():
    majority = b.majority_answers([q for q, *_ in HAND_MADE])
    assert majority == {"factoid": "threads", "yes_no": "yes", "multi_article": "no"}  # null_query: unanswerable


def test_extractive_picks_the_sentence_sharing_most_stemmed_words_and_abstains_without_passages():
    passage = "Shares rose. Wang announced it on Threads.\nMeta announced a partnership with Wang."
    assert b.best_sentence(passage, "Where did Wang announce the partnership?") == \
        "Meta announced a partnership with Wang."  # announce, partnership, wang: 3 stems
    assert b.best_sentence(passage, "Did Wang announce it?") == "Wang announced it on Threads."  # a tie: the earlier
    assert b.extractive("Where?", []) == ""
    assert b.extractive("Where?", None) is None


def test_each_row_keeps_the_baselines_answers(rows):
    by_id = {r["id"]: r for r in rows}
    assert by_id["y1"]["baselines"] == {"always_yes": "Yes", "majority": "yes",
                                        "extractive": "Midjourney remains independent."}
    assert by_id["f1"]["baselines"]["always_yes"] is None
    assert by_id["f1"]["baselines"]["extractive"] == "Wang announced the partnership on Threads on Saturday."
    assert by_id["f3"]["baselines"]["extractive"] == ""  # abstained with nothing retrieved
    assert by_id["m2"]["baselines"] == {"always_yes": None, "majority": "no", "extractive": None}
    assert by_id["n1"]["scores"]["baselines"] == {"always_yes": None, "majority": None, "extractive": None}
    assert [r["scores"]["yes_no"] for r in rows] == [False] * 3 + [True] * 4 + [False] * 2


def test_baseline_scores_deltas_and_beats_by_hand(rows):
    found = summarize(rows)["baselines"]
    assert set(found) == {"all", "by_type", "yes_no"}
    assert set(found["by_type"]) == {"factoid", "yes_no", "multi_article"}  # null_query has nothing answerable

    factoid = found["by_type"]["factoid"]
    assert factoid["engine"] == {"strict": pytest.approx(1 / 3), "n": 3}
    assert factoid["always_yes"] == {"strict": None, "n": 0, "engine": None, "delta": None, "beats": None}
    assert factoid["majority"] == {"strict": pytest.approx(2 / 3), "n": 3, "engine": pytest.approx(1 / 3),
                                   "delta": pytest.approx(-1 / 3), "beats": False}
    assert factoid["extractive"]["strict"] == pytest.approx(2 / 3) and factoid["extractive"]["beats"] is False

    yes_no_type = found["by_type"]["yes_no"]
    assert yes_no_type["always_yes"]["strict"] == pytest.approx(2 / 3)
    assert yes_no_type["always_yes"]["delta"] == 0 and yes_no_type["always_yes"]["beats"] is False  # a tie: not beaten
    assert yes_no_type["extractive"] == {"strict": 0.0, "n": 3, "engine": pytest.approx(2 / 3),
                                         "delta": pytest.approx(2 / 3), "beats": True}

    multi = found["by_type"]["multi_article"]
    assert multi["always_yes"] == {"strict": 0.0, "n": 1, "engine": 1.0, "delta": 1.0, "beats": True}  # m1 only
    assert multi["majority"]["strict"] == 0.5 and multi["majority"]["beats"] is False
    assert multi["extractive"]["n"] == 1  # m2 has no passage text: left out, for the engine too

    total = found["all"]
    assert total["engine"] == {"strict": 0.5, "n": 8}
    assert total["always_yes"] == {"strict": 0.5, "n": 4, "engine": 0.75, "delta": 0.25, "beats": True}
    assert total["majority"] == {"strict": 5 / 8, "n": 8, "engine": 0.5, "delta": pytest.approx(-1 / 8),
                                 "beats": False}
    assert total["extractive"] == {"strict": pytest.approx(2 / 7), "n": 7, "engine": pytest.approx(4 / 7),
                                   "delta": pytest.approx(2 / 7), "beats": True}

    # The yes/no questions of every type (y1-y3 and m1): the target is the engine 0.15 above always-Yes.
    yes_no = found["yes_no"]
    assert yes_no["engine"] == {"strict": 0.75, "n": 4}
    assert yes_no["always_yes"]["delta"] == 0.25 and yes_no["always_yes"]["beats"] is True
    assert yes_no["majority"]["strict"] == 0.75 and yes_no["majority"]["beats"] is False


def test_strict_by_the_engines_answer_kind(rows):
    by_kind = summarize(rows)["by_kind"]
    assert list(by_kind) == ["date", "person", "place", "yes_no"]  # n1 has no kind: left out
    assert by_kind["place"]["questions"] == 2 and by_kind["place"]["strict"] == 0.5
    assert by_kind["yes_no"]["strict"] == 0.75 and by_kind["person"]["strict"] == 0.0


def test_the_terminal_table_shows_the_baselines_block(rows):
    lines = format_table(_summary(rows)).splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("baselines"))
    assert lines[head].split() == ["baselines", "n", "engine", "always-Yes", "majority", "extractive"]
    block = {line.split()[0]: line.split()[1:] for line in lines[head + 1:] if line and line[0].isalpha()}
    assert block["factoid"] == ["3", "0.33", "-", "0.67!", "0.67!"]
    assert block["yes_no"] == ["3", "0.67", "0.67!", "0.67!", "0.00"]
    assert block["all"] == ["8", "0.50", "0.50", "0.62!", "0.29"]
    assert block["yes/no"] == ["4", "0.75", "0.50", "0.75!", "0.00"]
    assert any(line.startswith("! the engine does not beat") for line in lines)


def test_results_older_than_the_baselines_still_print(rows):
    summary = _summary(rows)
    del summary["metrics"]["baselines"], summary["metrics"]["by_kind"]
    assert "always-Yes" not in format_table(summary)
    page = render_html(summary, rows)
    assert "No baselines in these results" in page and "carry no kind" in page


def test_the_html_report_shows_the_baselines_and_the_kinds(rows):
    page = render_html(_summary(rows), rows)
    table = page.split('<table id="baselines">')[1].split("</table>")[0]
    for title in ("engine strict", "always-Yes", "majority", "extractive", "yes/no"):
        assert title in table
    assert table.count('class="num bad"') == 7  # the ! cells of the terminal table, 7 in all
    assert '<td class="num bad" title="over 3 question(s), engine 0.33 on them, delta -0.33">0.67!</td>' in table
    kinds = page.split('<table id="kinds">')[1].split("</table>")[0]
    assert "<td>place</td>" in kinds and "<td>person</td>" in kinds


def test_a_new_metric_is_one_entry_in_the_registry(rows, monkeypatch):
    words = Metric("answer_words", "words", "words: the answer's length in words.",
                   lambda question, row: float(len(row["answer"].split())))
    monkeypatch.setattr(scores, "METRICS", (*scores.METRICS, words))
    for row in rows:
        row["scores"] = score_row(next(q for q, *_ in HAND_MADE if q.id == row["id"]), row)
    summary = _summary(rows)

    assert rows[0]["scores"]["answer_words"] == 1.0  # "Threads."
    assert summary["metrics"]["all"]["answer_words"] == pytest.approx(10 / 8)  # over the 8 answerable questions
    table = format_table(summary).splitlines()
    all_row = next(line for line in table if line.startswith("all "))
    assert table[3].split()[-1] == "words" and all_row.split()[-1] == "1.25"  # the last column
    page = render_html(summary, rows)
    assert '<th class="num">words</th>' in page and "words: the answer&#x27;s length in words." in page
    assert "answer_words" in floor_names()
