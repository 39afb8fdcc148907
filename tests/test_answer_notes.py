"""The notes an answer gets in code: the dates it rests on, and the parts nothing covered."""

from rag.answer import coverage_note, dates_note
from rag.chunking import Chunk
from rag.citations import Citation
from rag.query import Publishers, analyse
from rag.retrieval import Retrieved

PUBLISHERS = Publishers(["TechCrunch", "The Verge"])


def passage(file: str, source: str) -> Retrieved:
    chunk = Chunk(f"{file}:0", file, 0, "Some text.", 0, 10, "A title", source, "2023-11-02T09:00:00+00:00", "")
    return Retrieved(chunk, 1.0, 0.5, 1.0)


def test_dates_note_lists_each_cited_articles_date_only_for_questions_about_dates():
    citations = [Citation(1, "a.txt", "A", "q", 1.0, "TechCrunch", "2023-12-05T10:00:00+00:00"),
                 Citation(2, "b.txt", "B", "q", 1.0, "The Verge", "2023-12-07T10:00:00+00:00")]
    dated = analyse("Did TechCrunch report it before December 6, 2023?", PUBLISHERS)
    assert dates_note(dated, citations) == " (Published: [1] 2023-12-05, [2] 2023-12-07.)"
    assert dates_note(analyse("Did TechCrunch report it?", PUBLISHERS), citations) == ""


def test_coverage_note_names_the_part_whose_publisher_no_passage_came_from():
    query = analyse("Does TechCrunch say the launch slipped, while The Verge reports record sales?", PUBLISHERS)
    assert coverage_note(query, [passage("a.txt", "TechCrunch")]) == (
        " (No passage from The Verge was found for its part of the question.)")
    assert coverage_note(query, [passage("a.txt", "TechCrunch"), passage("b.txt", "The Verge")]) == ""


def test_each_part_gets_its_own_evidence_from_a_distinct_article():
    from rag.answer import evidence_per_part

    query = analyse("Does the TechCrunch report say the launch slipped, while the other TechCrunch report says "
                    "sales doubled, and The Verge reports record sales?", PUBLISHERS)
    ranked = [passage("tc1.txt", "TechCrunch"), passage("tc1.txt", "TechCrunch"), passage("verge.txt", "The Verge"),
              passage("tc2.txt", "TechCrunch")]
    ranked[1] = Retrieved(ranked[1].chunk.__class__(**{**vars(ranked[1].chunk), "id": "tc1.txt:1"}), 0.9, 0.5, 1.0)
    assert [r.file for r in evidence_per_part(query, ranked)] == ["tc1.txt", "tc2.txt", "verge.txt"]
