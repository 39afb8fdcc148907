"""A user ingests the two seed articles and asks the offline model about them."""

import pytest

import rag
from rag import Answer, NewsqaError, ask, ask_stream
from rag.answer import engine_for
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


@pytest.mark.parametrize("question, expected", [
    # Both parts are best said by one sentence; Meta, named everywhere else, is not the answer.
    ("Can you tell me which company talked with Midjourney earlier but never ended up signing an offical deal?", "xAI"),
    # The post is read as the person holding it, the description as the company it describes.
    ("On what website did the CEO of the AI image company post what he thought about the partnershp?", "X"),
    ("Quick one — who heads the image-generation lab Meta just teamed up with, as CEO?", "David Holz"),
    ("Isn't Alexandr Wang Midjourney's chief executive?", "No"),
    # "billionaire" is not "billions"; a company named as someone's answers "which tycoon's company".
    ("which billionaire's ai company was in talks w/ midjourney before meta", "xAI"),
    ("Quick one for the notes: what day of the week did the Facebook giant spill the beans on its Midjourney hookup?",
     "Saturday"),  # idioms in plain words
    # The set-up before the question: its names and words count, the detail the asker doubts does not.
    ("A colleague told me Alexandr Wang broke the Midjourney news in a LinkedIn post. Which platform did he actually "
     "use to announce it?", "Threads"),
    ("Someone at lunch said Meta went public with the Midjourney deal on a Friday. Which day of the week was it really?",
     "Saturday"),
    ("My friend thinks Midjourney is run by Alexandr Wang. Who is actually the company's chief executive?", "David Holz"),
    # Shorthand and speech: "MJ" is Midjourney, "Y/N" asks yes or no, "three sixty" and "c e o" are as written.
    ("Need: MJ CEO name", "David Holz"),
    ("Wang = MJ CEO? Y/N pls confirm", "No"),
    ("who's the guy that gadgets three sixty calls midjourney's c e o and uh venturebeat calls the founder", "David Holz"),
])
def test_questions_typed_the_way_people_type_them_get_the_answer(seeded_settings, question, expected):
    answer = ask(question, settings=seeded_settings)
    assert answer.text.startswith(expected), answer.text


def test_streaming_yields_text_then_the_final_answer(seeded_settings):
    stream = ask_stream("Who is the CEO of Midjourney?", settings=seeded_settings)
    texts = list(stream)

    assert texts and all(isinstance(text, str) for text in texts)
    final = stream.answer()
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
    stream = ask_stream("Who is the CEO of Midjourney?", settings=seeded_settings)
    assert next(iter(stream)).strip()  # progress at once, before any model call
    final = stream.answer()  # reads the rest
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


def test_an_empty_index_says_to_ingest_instead_of_ingesting(settings):
    with pytest.raises(NewsqaError, match="index 'default' is empty: run `newsqa ingest FOLDER`"):
        ask("Who is the CEO of Midjourney?", settings=settings, backend="local")
    assert rag.status(settings).files == 0


def test_one_engine_per_index_whatever_the_question_options(seeded_settings):
    engine = engine_for(seeded_settings)
    assert engine_for(seeded_settings.replace(top_k=3, answer_strategy="single")) is engine
    assert len(ask("Who is the CEO of Midjourney?", settings=seeded_settings, top_k=3).retrieved) == 3
    assert engine_for(seeded_settings) is engine


def test_the_status_says_what_the_index_holds_and_which_llm_answers(seeded_settings):
    now = rag.status(seeded_settings)
    assert now.files == now.articles == 2 and now.chunks == now.vectors > 0
    assert sorted(now.titles) == sorted([MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT])
    assert now.llm.startswith("local:") and now.last_ingested and now.built_with["chunking"] == now.chunking


def test_an_engine_pushed_out_of_the_cache_closes_its_index(tmp_path, monkeypatch):
    import sqlite3

    from rag import Settings, answer

    monkeypatch.setattr(answer, "MAX_OPEN_INDEXES", 1)
    first = engine_for(Settings.load(data_dir=tmp_path / "one"))
    engine_for(Settings.load(data_dir=tmp_path / "two"))
    with pytest.raises(sqlite3.ProgrammingError):
        first.index.db.execute("SELECT 1")


def test_a_stream_whose_engine_was_pushed_out_before_it_started_still_answers(seeded_settings, tmp_path,
                                                                               monkeypatch):
    """ask_stream() returns before its engine counts the answer as running: a retired, closed engine hands
    the question to a fresh one instead of searching a closed index ("index damaged")."""
    from rag import Settings, answer

    monkeypatch.setattr(answer, "MAX_OPEN_INDEXES", 1)
    stream = ask_stream("Who is the CEO of Midjourney?", settings=seeded_settings)
    engine_for(Settings.load(data_dir=tmp_path / "other"))  # pushes the seeds engine out and closes it
    result = stream.answer()
    assert not result.abstained and "Holz" in result.text


def test_an_engine_that_cannot_open_closes_what_it_opened(seeded_settings, monkeypatch):
    from rag import answer

    closed = []
    real_close = answer.Index.close
    monkeypatch.setattr(answer.Index, "close", lambda self: (closed.append(self), real_close(self)))
    with pytest.raises(NewsqaError, match="built with"):
        answer.Engine(seeded_settings.replace(chunk_size=128))
    assert len(closed) == 1
