"""A question typed after sentences that set it up is read as one question: the set-up lends it names
and, where it says too little, words; what the asker heard and doubts is not something to find."""

import pytest

from rag.preamble import read_with_setup

PASSAGES = [
    "Harbour Mills sold its flour mill to Acme Foods on Tuesday. Harbour Mills CEO Dana Reyes said the sale "
    "would bring jobs to the town. Acme had earlier held talks with Globex, which did not lead to a deal.",
    "Acme Foods, led by chief executive Omar Said, said it will not take a stake in the bakery chain.",
]


@pytest.mark.parametrize("typed, read", [
    # the set-up names what "that company" means
    ("My nephew buys bread from a firm called Harbour Mills. Who is the person running that company?",
     "Who is the person running Harbour Mills?"),
    # a detail the asker doubts ("on a Friday", "really") is not carried; the rest of the set-up is
    ("Someone at lunch said Acme bought the mill on a Friday. Which day of the week was it really?",
     "Which day of the week was it really, Acme bought the mill?"),
    # a question that says little takes the set-up's words
    ("A friend said Acme had talked with another company before, but nothing came of it. Which company was that?",
     "Which company was that, Acme had talked with another company before, but nothing came of it?"),
    # "he" is the person the set-up names
    ("I've seen Dana Reyes in the news a lot lately. When was he born?", "When was Dana Reyes born?"),
    # "Is that so?" asks whether what the asker was told holds, without who told it
    ("My coworker says Acme bought part of the bakery chain. Is that so?",
     "Is it true that Acme bought part of the bakery chain?"),
    # a quiz clue, then "Name him.", or after "Name him:"
    ("This man runs the firm that sold its flour mill. Name him.", "Which man runs the firm that sold its flour mill?"),
    ("Name him: one report calls him the CEO, the other the founder.",
     "Who is he, one report calls him the CEO, the other the founder?"),
    ("Name the figure: what did Acme pay for the mill?", "what did Acme pay for the mill?"),
    ("Who am I? One report calls me the CEO of Harbour Mills, the other its founder.",
     "Who is he, one report calls him the CEO of Harbour Mills, the other its founder?"),
    # what the asker is unsure of ("I think ...?") is left out, even when it ends with a question mark
    ("A friend told me Acme bought the mill, I think on a Friday? Which day was it?", "Which day was it, Acme bought the mill?"),
    # a set-up's first word is no name mid-question, unless the passages write it so
    ("Two reports covered the mill sale. Who signed it?", "Who signed it, two reports covered the mill sale?"),
    ("Acme bought the mill. Who signed it?", "Who signed it, Acme bought the mill?"),
    # the asker's own hopes are not the story's
    ("With all this news from Acme, I'm hoping they show more at the next fair. Which city is hosting it?",
     "Which city is hosting it, with all this news from Acme?"),
    # "over there" is the one company the set-up names
    ("I was told Acme Foods is hiring. Who's the boss over there?", "Who's the boss at Acme Foods?"),
])
def test_a_question_after_its_set_up_is_read_as_one_question(typed, read):
    assert read_with_setup(typed, PASSAGES) == read


def test_a_yes_no_question_keeps_its_own_claim_not_the_one_it_doubts():
    typed = "My coworker says Acme bought part of the bakery chain. Does Acme actually own a stake in it?"
    assert "bought part" not in read_with_setup(typed, PASSAGES)


def test_names_the_articles_never_use_stay_when_nothing_doubts_them():
    # They are what the question is about, and say that the articles cannot answer it.
    typed = "My uncle keeps saying England won the 2023 Rugby World Cup final. Who won it?"
    read = read_with_setup(typed, PASSAGES)
    assert "England" in read and "Rugby World Cup" in read


@pytest.mark.parametrize("typed", [
    "Who runs Harbour Mills?",  # no set-up
    "Did Acme buy the mill? Who sold it?",  # two questions: asking.as_asked reads those
    "Acme bought the mill. Harbour Mills sold it.",  # nothing asked
    "Mr. Reyes runs Harbour Mills?",  # "Mr." ends no sentence
])
def test_text_without_a_set_up_and_a_question_is_left_as_typed(typed):
    assert read_with_setup(typed, PASSAGES) == typed
