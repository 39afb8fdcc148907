"""A user asks about the seed articles, then follows up with "he", "it" and "the other article"."""

from __future__ import annotations

import pytest

import rag.answer
from rag import Settings, Turn, ask
from rag.followup import acceptable_rewrite, carried_files, llm_rewrite, needs_context, standalone
from tests.conftest import MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT


def _turn(question: str, text: str, cited: tuple[str, ...] = (), retrieved: tuple[str, ...] = (),
          abstained: bool = False) -> Turn:
    """A finished turn, with the files it cited (numbered 1, 2, ...) and retrieved."""
    return Turn(question, text, tuple(enumerate(cited, start=1)), retrieved, abstained=abstained)


CEO = _turn("Who is the CEO of Midjourney?", "The CEO of Midjourney is David Holz [1].", (MIDJOURNEY_GADGETS,),
            (MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT))
WANG = _turn("Which lab does Alexandr Wang lead at Meta?", "Alexandr Wang leads Meta Superintelligence Labs [1].")
STAKE = _turn("Does the partnership give Meta a stake in Midjourney?",
              "No, it does not give Meta a stake in Midjourney [1][2].",
              ("b.txt", "a.txt"), ("b.txt", "c.txt", "a.txt"))


class ScriptedModel:
    """A chat model that always replies ``reply`` and counts its calls: for the paths around the LLM."""

    name = "scripted"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls = 0

    def stream(self, messages, max_tokens):
        self.calls += 1
        yield self.reply


# -- which questions lean on the chat ----------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Did he say the company stays independent?", "Does the partnership give Meta a stake in it?", "And Meta?",
    "What about them?", "Why?", "What did the other article say?", "What does the second source say about the stake?",
    "Do both articles agree?", "How old is the firm?",
])
def test_follow_ups_are_recognised(question):
    assert needs_context(question)


@pytest.mark.parametrize("question", [
    "Which company had earlier discussions with Midjourney that did not become a formal agreement?",
    "Is there a deal between Meta and Midjourney?",
    "On which platform did Alexandr Wang announce the partnership?",
    "Why did Meta partner with Midjourney?",
])
def test_a_standalone_question_comes_back_unchanged_without_asking_the_model(question):
    model = ScriptedModel("Who is the CEO of Meta?")
    assert standalone(question, [CEO], model) == question
    assert model.calls == 0  # a rewrite costs a model call: only follow-ups pay it
    assert standalone("Did he say more?", [], model) == "Did he say more?"  # nothing to lean on


# -- the rule-based rewrite, the fallback --------------------------------------------------------


@pytest.mark.parametrize(("previous", "question", "rewritten"), [
    (CEO, "Did he say the company stays independent?", "Did David Holz say Midjourney stays independent?"),
    (CEO, "Does the partnership give Meta a stake in his company?",
     "Does the partnership give Meta a stake in David Holz's company?"),
    (CEO, "Does the partnership give Meta a stake in it?", "Does the partnership give Meta a stake in Midjourney?"),
    (WANG, "Where did he announce the partnership?", "Where did Alexandr Wang announce the partnership?"),
    (CEO, "And Meta?", "Who is the CEO of Meta?"),
    (CEO, "Why?", "Who is the CEO of Midjourney? Why?"),
    (STAKE, "What did the other article say?", "Does the partnership give Meta a stake in Midjourney?"),
    (STAKE, "And the second source?", "Does the partnership give Meta a stake in Midjourney?"),
    (CEO, "Is it true that Meta bought Midjourney?", "Is it true that Meta bought Midjourney?"),
    (CEO, "And what did Elon Musk say about the deal?", "And what did Elon Musk say about the deal?"),
])
def test_without_a_model_pronouns_become_the_names_they_mean(previous, question, rewritten):
    assert standalone(question, [previous]) == rewritten


def test_the_rule_based_rewrite_reads_an_abstention_and_an_api_callers_bare_question():
    bare = _turn("Who is the CEO of Midjourney?", "", abstained=True)
    assert standalone("Does the partnership give Meta a stake in it?", [bare]) == (
        "Does the partnership give Meta a stake in Midjourney?")


# -- the model's rewrite, never trusted blindly ------------------------------------------------


@pytest.mark.parametrize("reply", [
    "The CEO of Midjourney is David Holz.",  # the earlier answer, copied
    "Who is the CEO of Midjourney?",  # the earlier question, copied
    "Did he say the company stays independent?",  # unchanged: still leans on the chat
    "Did David Holz say the company stays independent [1]?",  # a source marker
    "Did David Holz say it?",  # lost the user's own words
    "Did he, the CEO of Midjourney, say the company stays independent?",  # still says "he"
    "Did Jane Roe of Acme say the company stays independent?",  # names nobody mentioned
    "Did David Holz say the company stays independent and " + "also " * 20 + "why?",  # rambles
    "",
])
def test_a_bad_rewrite_falls_back_to_the_rule_based_one(reply):
    question = "Did he say the company stays independent?"
    model = ScriptedModel(reply)
    assert standalone(question, [CEO], model) == "Did David Holz say Midjourney stays independent?"
    assert model.calls == 1


def test_a_good_rewrite_is_used_as_the_model_wrote_it():
    model = ScriptedModel('Standalone question: "Did David Holz say the company stays independent?"\nMore text.')
    assert standalone("Did he say the company stays independent?", [CEO], model) == (
        "Did David Holz say the company stays independent?")


# -- the previous answer's articles ----------------------------------------------------------


@pytest.mark.parametrize(("question", "files"), [
    ("What did the other article say?", ["a.txt", "c.txt"]),  # cited, then retrieved; not the first cited
    ("And another source?", ["a.txt", "c.txt"]),
    ("What does the second source say?", ["a.txt"]),  # citation number 2
    ("What does source 1 say about the deal?", ["b.txt"]),
    ("Is that in [2]?", ["a.txt"]),
    ("What else did it say?", ["b.txt"]),
    ("Does that article name the CEO?", ["b.txt"]),
    ("Do both articles agree?", ["b.txt", "a.txt"]),
    ("Who is the CEO of Midjourney?", []),
    ("What do the two companies do?", []),
    ("Does the partnership give Meta a stake in it?", []),  # "it" is Midjourney here, not an article
])
def test_follow_ups_that_point_at_sources_carry_those_files(question, files):
    assert carried_files(question, [CEO, STAKE]) == files


def test_nothing_is_carried_without_an_earlier_answer_that_found_files():
    assert carried_files("What did the other article say?", []) == []
    assert carried_files("What did the other article say?", [WANG]) == []
    ceo_only = _turn(CEO.question, CEO.text, (MIDJOURNEY_GADGETS,), (MIDJOURNEY_GADGETS,))
    assert carried_files("Do both say so?", [ceo_only]) == [MIDJOURNEY_GADGETS]


# -- with the real local model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def local_model():
    pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")
    from rag.llm import get_chat_model

    return get_chat_model(Settings.load(backend="local"))


def test_the_local_model_rewrites_a_follow_up_to_name_its_subject(local_model):
    question = "Where did he announce the partnership?"
    rewrite = llm_rewrite(question, [WANG], local_model)

    assert acceptable_rewrite(rewrite, question, [WANG]), rewrite  # the model's own words, not the fallback
    assert standalone(question, [WANG], local_model) == rewrite
    assert "Alexandr Wang" in rewrite and "partnership" in rewrite and " he " not in rewrite


def test_when_the_local_model_cannot_rewrite_the_rule_based_rewrite_answers(local_model):
    question = "And Meta?"  # SmolLM2 answers it instead of rewriting it
    assert not acceptable_rewrite(llm_rewrite(question, [CEO], local_model), question, [CEO])
    assert standalone(question, [CEO], local_model) == "Who is the CEO of Meta?"


def test_a_follow_up_conversation_over_the_seed_articles(seeded_settings):
    pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")
    first = ask("Who is the CEO of Midjourney?", settings=seeded_settings)
    assert "Holz" in first.text and MIDJOURNEY_GADGETS in first.files, first.text

    follow_up = ask("What did he say about the company's independence?", history=[first], settings=seeded_settings)

    assert follow_up.asked == "What did he say about the company's independence?"
    assert "David Holz" in follow_up.question and "Midjourney" in follow_up.question, follow_up.question
    assert not follow_up.abstained, follow_up.text
    # Both articles report it: "We remain an independent ... lab" (Gadgets 360), "founder David Holz was quick
    # to reaffirm the company's independence" (VentureBeat).
    assert "independen" in follow_up.text and follow_up.files, (follow_up.text, follow_up.files)
    assert set(follow_up.files) <= {MIDJOURNEY_GADGETS, MIDJOURNEY_VENTUREBEAT}, follow_up.files
    assert follow_up.to_dict()["asked"] == follow_up.asked


@pytest.mark.skipif(not hasattr(rag.answer, "carried_files"),
                    reason="Engine.stream does not carry the previous answer's files yet: "
                           "import rag.followup.carried_files in rag/answer.py and add those files' chunks first")
def test_what_did_the_other_article_say(seeded_settings):
    pytest.importorskip("llama_cpp", reason="the local backend needs llama-cpp-python")
    first = ask("Who is the CEO of Midjourney?", settings=seeded_settings)
    assert first.files[:1] == [MIDJOURNEY_GADGETS], first.files

    other = ask("What did the other article say?", history=[first], settings=seeded_settings)

    assert other.asked == "What did the other article say?" and "Midjourney" in other.question
    assert not other.abstained, other.text
    assert other.files == [MIDJOURNEY_VENTUREBEAT], (other.text, other.files)  # founder David Holz
