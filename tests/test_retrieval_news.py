"""News-aware retrieval over a small corpus built here: two publishers, distractors, a wire copy."""

from pathlib import Path

import pytest

import rag
from rag.embeddings import get_embedder
from rag.retrieval import HybridRetriever, evidence_gaps
from rag.store import Index

ARTICLES = {
    "verge-battery.txt": ("The Verge", "2023-11-02", "Lumo phone battery review",
                          "The Lumo X2 phone lasted two full days in our battery test. Its charger fills it in 40 minutes."),
    "techcrunch-funding.txt": ("TechCrunch", "2023-11-20", "Lumo raises money",
                               "Lumo, the phone maker, raised 80 million dollars from Orchard Ventures to open a factory."),
    "techcrunch-other.txt": ("TechCrunch", "2023-10-01", "Robot vacuums compared",
                             "Robot vacuums from three companies were compared for battery life and suction."),
    "verge-other.txt": ("The Verge", "2023-10-05", "Headphones with long battery life",
                        "These headphones last 60 hours on battery, longer than any phone we tested."),
    "engadget-wire.txt": ("Engadget", "2023-11-20", "Lumo raises money",
                          "Lumo, the phone maker, raised 80 million dollars from Orchard Ventures to open a factory."),
}


@pytest.fixture(scope="module")
def news_settings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("news")
    for name, (source, published, title, body) in ARTICLES.items():
        (folder / name).write_text(f"Title: {title}\nSource: {source}\nPublished: {published}T09:00:00+00:00\n"
                                   f"URL: https://example.com/{name}\n\n{body}\n")
    settings = rag.Settings.load(data_dir=tmp_path_factory.mktemp("data"), corpus=folder, top_k=3, candidates=10)
    rag.ingest(Path(folder), settings=settings, progress=False)
    return settings


@pytest.fixture(scope="module")
def retriever(news_settings):
    return HybridRetriever(Index(news_settings), get_embedder(news_settings), news_settings)


def test_a_two_publisher_question_retrieves_both_articles(retriever):
    question = ("Does The Verge say the Lumo X2 battery lasts two days, "
                "while TechCrunch reports who invested in Lumo?")
    files = [r.file for r in retriever.retrieve(question, k=3)]
    assert "verge-battery.txt" in files
    assert "techcrunch-funding.txt" in files or "engadget-wire.txt" in files


def test_a_wire_copy_is_collapsed_into_the_result_it_copies(retriever):
    results = retriever.retrieve("How much did Lumo raise from Orchard Ventures?", k=3)
    files = [r.file for r in results]
    assert len({"techcrunch-funding.txt", "engadget-wire.txt"} & set(files)) == 1
    kept = next(r for r in results if r.file in ("techcrunch-funding.txt", "engadget-wire.txt"))
    assert {d.file for d in kept.duplicates} == {"techcrunch-funding.txt", "engadget-wire.txt"} - {kept.file}


def test_a_named_date_favours_the_article_published_then(retriever):
    top = retriever.retrieve("What did The Verge publish about battery life on October 5, 2023?", k=1)
    assert top[0].file == "verge-other.txt"


def test_evidence_gaps_name_what_the_corpus_lacks(retriever):
    gaps = evidence_gaps(retriever.analyse("What did a Bloomberg article say about Lumo's Zephyrine phone?"),
                         retriever.index)
    assert "no indexed article is from Bloomberg" in gaps
    assert "no indexed article mentions Zephyrine" in gaps
    assert evidence_gaps(retriever.analyse("What did TechCrunch say about Lumo?"), retriever.index) == []
    # Two names side by side are two names the corpus has, not one it lacks.
    assert evidence_gaps(retriever.analyse("Why is Orchard Ventures Lumo's biggest investor?"), retriever.index) == []
    assert evidence_gaps(retriever.analyse("Why is Orchard Zephyrine Lumo's investor?"), retriever.index) != []


def test_ask_abstains_with_the_reason_when_a_publisher_is_missing(news_settings):
    answer = rag.ask("According to a Reuters report, how much did Lumo raise?", settings=news_settings)
    assert answer.abstained
    assert "Reuters" in answer.text


def test_a_follow_ups_earlier_files_are_searched_and_lead(retriever):
    question = "Who put money into it?"
    plain = [r.file for r in retriever.retrieve(question, k=2)]
    carried = retriever.retrieve(question, k=2, files=("verge-battery.txt",))
    assert plain[0] != "verge-battery.txt"
    assert carried[0].file == "verge-battery.txt"


def test_an_answer_from_a_wire_copy_cites_both_articles(news_settings):
    answer = rag.ask("How much did Lumo raise from Orchard Ventures?", settings=news_settings)
    assert not answer.abstained
    assert {"techcrunch-funding.txt", "engadget-wire.txt"} <= set(answer.files)
    numbers = {c.number for c in answer.citations if c.file in ("techcrunch-funding.txt", "engadget-wire.txt")}
    assert len(numbers) == 1  # one passage, one marker, two files


def test_a_question_about_a_date_is_answered_with_the_dates_it_rests_on(news_settings):
    answer = rag.ask("What did The Verge publish about battery life on October 5, 2023?", settings=news_settings)
    assert not answer.abstained
    assert "(Published: [1] 2023-10-05" in answer.text


def test_latest_favours_the_newest_of_the_matching_articles(retriever):
    latest = retriever.retrieve("What is the latest The Verge article about battery life?", k=1)
    earliest = retriever.retrieve("What is the earliest The Verge article about battery life?", k=1)
    assert latest[0].file == "verge-battery.txt"  # 2023-11-02
    assert earliest[0].file == "verge-other.txt"  # 2023-10-05
