"""Citations are attached and verified in code; the model's own markers are only hints."""

import pytest

from rag.chunking import Chunk
from rag.citations import Claim, cite, support
from rag.retrieval import Retrieved, fuse
from rag.text import split_sentences


def source(file: str, text: str, title: str = "A headline", score: float = 1.0) -> Retrieved:
    chunk = Chunk(f"{file}:0", file, 0, text, 100, 100 + len(text), title, "Wire", "2023-10-01", "")
    return Retrieved(chunk, score, 0.5, 1.0)


THREADS = source("gadgets.txt", "In a post on Threads, Alexandr Wang announced the partnership. Photos by Meta.")
XAI = source("venturebeat.txt", "Earlier talks between Midjourney and Elon Musk's xAI did not produce an agreement.")


def test_a_correct_marker_is_kept():
    text, citations, _ = cite("Wang announced it on Threads [1].", [THREADS, XAI])
    assert text == "Wang announced it on Threads [1]."
    assert [c.file for c in citations] == ["gadgets.txt"]


def test_a_marker_pointing_nowhere_is_dropped_and_the_right_source_cited():
    text, citations, _ = cite("Wang announced it on Threads [7].", [THREADS, XAI])
    assert "[7]" not in text and "[1]" in text
    assert [c.number for c in citations] == [1]


def test_a_marker_on_the_wrong_source_is_moved_to_the_supporting_one():
    text, citations, _ = cite("Midjourney had talks with xAI that produced no agreement [1].", [THREADS, XAI])
    assert text.endswith("[1].")
    assert [c.file for c in citations] == ["venturebeat.txt"]


def test_an_answer_without_markers_still_cites_its_best_source():
    text, citations, _ = cite("Yes.", [THREADS, XAI], question="Did Midjourney talk to Elon Musk's xAI?")
    assert [c.file for c in citations] == ["venturebeat.txt"]
    assert text == "Yes [1]."


def test_citations_are_numbered_in_order_of_first_use():
    text, citations, _ = cite("Talks with xAI produced no agreement [2]. Wang announced it on Threads [1].", [THREADS, XAI])
    assert text == "Talks with xAI produced no agreement [1]. Wang announced it on Threads [2]."
    assert [(c.number, c.file) for c in citations] == [(1, "venturebeat.txt"), (2, "gadgets.txt")]


def test_quotes_are_located_in_the_article():
    _, [citation], _ = cite("Wang announced it on Threads [1].", [THREADS, XAI])
    assert citation.quote == "In a post on Threads, Alexandr Wang announced the partnership."
    assert (citation.start, citation.end) == (100, 100 + len(citation.quote))


def test_no_sources_means_no_citations_no_markers_and_nothing_supported():
    assert cite("Something [1].", []) == ("Something.", [], [Claim("Something.", (), False, 0.0)])


def test_support_matches_word_forms():
    assert support("Wang announces the partnership", "Wang announced a partnership") == 1.0
    assert support("", "anything") == 0.0


def test_sentences_split_at_full_stops_and_line_breaks():
    assert split_sentences("Headline\n– A bullet. Then this! And that?") == ["Headline", "A bullet.", "Then this!", "And that?"]


def test_fusion_weights_each_list_after_scaling_it():
    fused = fuse({"a": 0.9, "b": 0.5}, {"b": 12.0, "c": 3.0}, dense_weight=0.2, lexical_weight=0.8)
    assert fused == pytest.approx({"a": 0.2, "b": 0.8, "c": 0.2})
    assert fuse({"only": 0.4}, {}, 1.0, 0.0) == {"only": 1.0}
