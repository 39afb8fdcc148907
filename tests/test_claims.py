"""Each sentence of an answer is checked against the passages it cites, by shared words and by meaning."""

import re

import pytest

from rag import Settings
from rag.citations import cite, specifics
from rag.embeddings import get_embedder
from test_citations import source

GADGETS = source(
    "gadgets.txt",
    "In a post on Threads, Alexandr Wang, the Chief AI Officer at Meta, announced the partnership with Midjourney. "
    "Notably, in June, Midjourney released its first video generation model, V1. "
    "Midjourney CEO David Holz said the partnership does not grant Meta a stake in the company.",
    title="Meta teams up with Midjourney",
)
VENTUREBEAT = source(
    "venturebeat.txt",
    "The announcement came from Alexandr Wang, who leads the newly established Meta Superintelligence Labs. "
    "This move follows earlier discussions between Midjourney and Elon Musk's xAI, though those did not "
    "materialize into a formal agreement.",
    title="Meta Partners with Midjourney to License AI Tech",
)
SOURCES = [GADGETS, VENTUREBEAT]


@pytest.fixture(scope="module")
def embedder():
    return get_embedder(Settings.load())


def test_a_sentence_its_passage_states_is_a_supported_claim(embedder):
    text, citations, [claim] = cite("Midjourney released its first video model, V1, in June [1].", SOURCES, "", embedder)
    assert text == "Midjourney released its first video model, V1, in June [1]."
    assert claim.text == "Midjourney released its first video model, V1, in June."
    assert (claim.citations, claim.supported) == ((1,), True)
    assert claim.support > 0.9
    assert [c.file for c in citations] == ["gadgets.txt"]


@pytest.mark.parametrize("invented", [
    "The deal is worth $2 billion [1].",  # a number no passage has
    "The partnership will make image generation cheaper for everyone [1].",  # on topic, but nobody said it
])
def test_an_invented_sentence_beside_a_true_one_is_unsupported_and_loses_its_marker(embedder, invented):
    text, citations, claims = cite(f"Wang announced the partnership on Threads [1]. {invented}", SOURCES, "", embedder)
    assert text == f"Wang announced the partnership on Threads [1]. {invented.replace(' [1]', '')}"
    assert [(c.citations, c.supported) for c in claims] == [((1,), True), ((), False)]
    assert claims[1].support < 0.6
    assert [c.file for c in citations] == ["gadgets.txt"]


def test_an_invented_date_or_name_sinks_a_sentence_that_otherwise_matches_word_for_word(embedder):
    for answer in ("Notably, in June 2019, Midjourney released its first video generation model, V1.",
                   "Midjourney CEO Alexei Petrov said the partnership does not grant Meta a stake in the company."):
        _, _, [claim] = cite(answer, SOURCES, "", embedder)
        assert not claim.supported, answer
        assert claim.support > 0.6  # words and meaning alone would have passed it


def test_a_paraphrase_is_supported_through_its_meaning_not_its_words(embedder):
    answer = "Midjourney's founder stressed that Meta gains no stake in the company."
    _, _, [by_words] = cite(answer, SOURCES)
    _, _, [by_meaning] = cite(answer, SOURCES, "", embedder)
    assert not by_words.supported
    assert by_meaning.supported and by_meaning.citations == (1,)


def test_a_sentence_joining_two_articles_cites_both(embedder):
    text, citations, [claim] = cite(
        "Alexandr Wang, who leads Meta Superintelligence Labs, announced the partnership on Threads.", SOURCES, "", embedder)
    assert claim.supported and claim.citations == (1, 2)
    assert text.endswith("Threads [1][2].")
    assert {c.file for c in citations} == {"gadgets.txt", "venturebeat.txt"}


def test_a_bare_no_rests_on_the_passage_that_answers_the_question(embedder):
    # We cannot check a yes or no against the passage; we check that the passage answers the question.
    text, citations, [claim] = cite("No.", SOURCES, "Did the talks between Midjourney and xAI lead to a formal agreement?",
                                    embedder)
    assert text == "No [1]."
    assert claim.supported and claim.citations == (1,)
    assert [c.file for c in citations] == ["venturebeat.txt"]


def test_an_answer_nothing_backs_still_cites_its_closest_passage_but_stays_unsupported(embedder):
    text, citations, [claim] = cite("Midjourney was founded in Paris in 2012.", SOURCES, "Where was Midjourney founded?",
                                    embedder)
    assert text == "Midjourney was founded in Paris in 2012 [1]."
    assert claim.citations == (1,) and not claim.supported
    assert len(citations) == 1


def test_a_marker_to_a_source_that_does_not_exist_is_replaced_by_the_one_that_backs_it(embedder):
    text, citations, [claim] = cite("Talks between Midjourney and xAI produced no formal agreement [7].", SOURCES, "",
                                    embedder)
    assert text == "Talks between Midjourney and xAI produced no formal agreement [1]."
    assert claim.citations == (1,) and claim.supported
    assert [c.file for c in citations] == ["venturebeat.txt"]


def test_specifics_are_the_numbers_and_the_names_after_the_first_word():
    assert specifics("1. Notably, in June 2019, Meta paid $2 billion to Alexei Petrov.") == {
        "june", "2019", "meta", "2", "alexei", "petrov"}


def test_verification_embeds_once_per_answer_and_remembers_the_passages(embedder):
    calls: list[list[str]] = []

    class Counting:
        def embed(self, texts):
            calls.append(list(texts))
            return embedder.embed(texts)

    counting = Counting()
    cite("Wang announced it on Threads [1]. Holz said Meta gets no stake [2].", SOURCES, "", counting)
    cite("Midjourney released V1 in June.", SOURCES, "", counting)
    assert len(calls) == 2
    assert calls[1] == ["Midjourney released V1 in June."]  # the passages' sentences came from memory


# The invariant: every [n] in the text names a citation, every citation is named by a marker,
# and each claim's citations are exactly the markers its sentence carries.
CASES = [
    ("Wang announced the partnership on Threads [7].", ""),
    ("Wang announced the partnership on Threads [1]. The deal is worth $2 billion [2].", ""),
    ("Wang announced it on Threads [1][1]. Holz said Meta gets no stake [1, 1, 2].", ""),
    ("[3] [1]. Yes [2][2].", "Did Midjourney talk to Elon Musk's xAI?"),
    ("Midjourney was founded in Paris in 2012 [1].", "Where was Midjourney founded?"),
    ("Talks with xAI produced no agreement [2]. Wang announced it on Threads [1]. Wang posted on Threads [2].", ""),
    ("Meta paid [sic] nothing [4]\nMidjourney released V1 in June [2]", ""),
    ("", ""),
]


@pytest.mark.parametrize("answer,question", CASES)
@pytest.mark.parametrize("with_embedder", [False, True])
def test_markers_citations_and_claims_always_agree(answer, question, with_embedder, embedder):
    text, citations, claims = cite(answer, SOURCES, question, embedder if with_embedder else None)
    numbers = [c.number for c in citations]
    assert numbers == list(range(1, len(citations) + 1))
    assert set(map(int, re.findall(r"\[(\d+)\]", text))) == set(numbers)
    cursor = 0
    for claim in claims:
        at = text.index(claim.text.rstrip(".!?"), cursor)
        cursor = at + len(claim.text.rstrip(".!?"))
        markers = re.match(r"\s*((?:\[\d+\])*)", text[cursor:]).group(1)
        assert tuple(map(int, re.findall(r"\d+", markers))) == claim.citations
        assert len(set(claim.citations)) == len(claim.citations)
        assert claim.supported <= bool(claim.citations)
    assert text.strip() == "" or citations  # a non-empty answer always cites something
    assert sum(bool(c.citations) and not c.supported for c in claims) <= (0 if any(c.supported for c in claims) else 1)


def test_a_sentence_contrasting_two_articles_cites_each_for_its_own_clause(embedder):
    answer = ("Gadgets says Midjourney released its first video generation model in June, "
              "while VentureBeat says discussions between Midjourney and xAI did not materialize into a formal agreement [1].")
    text, citations, [claim] = cite(answer, SOURCES, "", embedder)
    assert {c.file for c in citations} == {"gadgets.txt", "venturebeat.txt"}
    assert claim.supported and len(claim.citations) == 2


def test_a_contrast_with_one_invented_clause_keeps_the_backed_citation_but_is_not_supported(embedder):
    answer = ("Gadgets says Midjourney released its first video generation model in June, "
              "while VentureBeat says the deal is worth 2 billion dollars.")
    _, citations, [claim] = cite(answer, SOURCES, "", embedder)
    assert [c.file for c in citations] == ["gadgets.txt"]
    assert claim.citations == (1,) and not claim.supported
