"""A user ingests the two seed articles and asks the offline model about them."""

import pytest

from rag import Answer, ask, ask_stream
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT

pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")

# (question, the seed file that holds the answer)
ANSWERABLE = [
    ("On which platform did Alexandr Wang announce the partnership?", MIDJOURNEY_GADGETS),
    ("When did Midjourney release its first video generation model?", MIDJOURNEY_GADGETS),
    ("Who is the CEO of Midjourney?", MIDJOURNEY_GADGETS),
    ("Which company had earlier discussions with Midjourney that did not become a formal agreement?", MIDJOURNEY_VENTUREBEAT),
    ("Which lab does Alexandr Wang lead at Meta?", MIDJOURNEY_VENTUREBEAT),
    ("Does the partnership give Meta a stake in Midjourney?", None),  # both articles say so
]
UNANSWERABLE = [
    "What is the capital of Australia?",
    "How many goals did Erling Haaland score last season?",
]


@pytest.mark.parametrize("question,gold_file", ANSWERABLE)
def test_answer_cites_the_seed_file_that_holds_it(seeded_settings, question, gold_file):
    answer = ask(question, settings=seeded_settings)

    assert not answer.abstained, answer.text
    assert answer.text.strip()
    assert answer.citations, "every answer that is not an abstention cites a source"
    if gold_file:
        assert gold_file in answer.files, (answer.text, answer.files)
    for citation in answer.citations:
        assert f"[{citation.number}]" in answer.text
        assert citation.quote and citation.title
        retrieved_files = {r.file for r in answer.retrieved}
        assert citation.file in retrieved_files


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_question_the_articles_do_not_answer_abstains(seeded_settings, question):
    answer = ask(question, settings=seeded_settings)

    assert answer.abstained
    assert answer.text.startswith("The articles don't say")
    assert answer.citations == []


def test_streaming_yields_text_then_the_final_answer(seeded_settings):
    items = list(ask_stream("Who is the CEO of Midjourney?", settings=seeded_settings))

    assert all(isinstance(item, str) for item in items[:-1]) and len(items) > 1
    final = items[-1]
    assert isinstance(final, Answer)
    assert final.timings["first_token_s"] <= final.timings["total_s"]
    assert {"retrieval_s", "generation_s", "total_s"} <= set(final.timings)


def test_retrieved_chunks_carry_scores_and_metadata(seeded_settings):
    answer = ask("Who is the CEO of Midjourney?", settings=seeded_settings)

    assert answer.retrieved
    scores = [r.score for r in answer.retrieved]
    assert scores == sorted(scores, reverse=True)
    top = answer.retrieved[0]
    assert {"file", "title", "start", "end", "position"} <= set(top.metadata)
    article = (seeded_settings.corpus / top.file).read_text(encoding="utf-8")
    assert article[top.metadata["start"]:top.metadata["end"]] == top.text


def test_questions_from_several_threads_at_once_all_get_cited_answers(seeded_settings):
    from concurrent.futures import ThreadPoolExecutor

    questions = [q for q, _ in ANSWERABLE[:4]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda q: ask(q, settings=seeded_settings), questions))

    for (question, gold_file), answer in zip(ANSWERABLE, answers):
        assert answer.question == question
        assert not answer.abstained and gold_file in answer.files


def test_the_offline_model_answers_stepwise_and_says_what_was_asked(seeded_settings):
    items = list(ask_stream("Who is the CEO of Midjourney?", settings=seeded_settings))
    assert isinstance(items[0], str) and items[0].strip()  # progress at once, before any model call
    final = items[-1]
    assert (final.kind, final.strategy) == ("person", "stepwise")
    assert final.text == "David Holz [1]." and final.files == [MIDJOURNEY_GADGETS]
    assert final.to_dict()["kind"] == "person" and final.to_dict()["strategy"] == "stepwise"
    refused = ask("How many employees does Midjourney have?", settings=seeded_settings)
    assert refused.abstained and refused.kind == "number" and "a number" in refused.text


def test_the_single_prompt_strategy_still_answers_with_checked_citations(seeded_settings):
    import dataclasses

    answer = ask("Who is the CEO of Midjourney?", settings=dataclasses.replace(seeded_settings, answer_strategy="single"))
    assert answer.strategy == "single" and not answer.abstained
    assert answer.citations and all(f"[{c.number}]" in answer.text for c in answer.citations)
