"""A company described instead of named ("the robot lab") read as the name the passages give it."""

from rag.described import named

TEXTS = ["Acme, on Monday, announced a partnership with the robotics research lab Globex. Globex remains an "
         "independent, family-owned lab. Ann Lee leads Acme Vision Labs, set up in May. Earlier, Globex held talks "
         "with Jon Smith's Initech, though no deal followed. The tech giant Acme did not say what it paid. Acme, which "
         "has lagged in drone making, hopes to catch up."]


def test_a_description_becomes_the_name_the_passages_call_that_way():
    assert named("Who runs the robot lab that Acme teamed up with?", TEXTS) == "Who runs Globex that Acme teamed up with?"
    assert named("When did the family-run lab's talks end?", TEXTS) == "When did Globex's talks end?"
    assert named("Did Acme's new robotics partner sign a deal?", TEXTS) == "Did Globex sign a deal?"
    assert named("Who heads the independent, family-run robot lab?", TEXTS) == "Who heads Globex?"
    assert named("Where did the boss of the robot lab post?", TEXTS) == "Where did the boss of Globex post?"


def test_an_owner_picks_the_company_the_passages_give_that_owner():
    assert (named("Did the robot lab's talks with Smith's software firm lead to a deal?", TEXTS)
            == "Did Globex's talks with Initech lead to a deal?")


def test_what_is_asked_vague_words_and_the_passages_own_phrase_stay():
    for question in ("Which robotics lab did Acme team up with?",  # the lab is what is asked for
                     "Did the company pay for it?",  # "the company" could be any
                     "Who funds the drone-making startup?",  # what Acme did ("which has lagged in ...") is not what it is
                     "Acme says one robot lab had talks with Initech; which lab is it?"):  # the lab asked for
        assert named(question, TEXTS) == question


def test_the_passages_own_phrase_keeps_its_words_beside_the_name():
    assert named("Did the robotics research lab take money?", TEXTS) == "Did the robotics research lab Globex take money?"
