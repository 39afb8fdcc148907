"""A company described instead of named ("the robot lab") read as the name the passages give it."""

from rag.described import holder_named, named

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
    assert named("Where did the boss of that robot lab post?", TEXTS) == "Where did the boss of Globex post?"


def test_an_owner_picks_the_company_the_passages_give_that_owner():
    assert (named("Did the robot lab's talks with Smith's software firm lead to a deal?", TEXTS)
            == "Did Globex's talks with Initech lead to a deal?")


def test_what_is_asked_vague_words_and_the_passages_own_phrase_stay():
    for question in ("Which robotics lab did Acme team up with?",  # the lab is what is asked for
                     "Did the company pay for it?",  # "the company" could be any
                     "Who funds the drone-making startup?",  # what Acme did ("which has lagged in ...") is not what it is
                     "Acme says one robot lab had talks with Initech; which lab is it?",  # the lab asked for
                     "What is the name of the robot lab that Acme teamed up with?"):
        assert named(question, TEXTS) == question


def test_a_company_found_beside_every_word_of_its_description_is_the_one_meant():
    texts = ["Acme signed a deal on Monday. It will use Initech's advanced drone navigation know-how."]
    assert named("Who funds the navigating drone outfit?", texts) == "Who funds Initech?"


def test_the_passages_own_phrase_keeps_its_words_beside_the_name():
    assert named("Did the robotics research lab take money?", TEXTS) == "Did the robotics research lab Globex take money?"


POSTS = ["Globex CEO Jane Roe posted on Mastodon. Ann Lee, the Chief Data Officer at Acme, posted on Bluesky."]


def test_a_post_the_question_names_becomes_the_person_holding_it_unless_that_is_what_is_asked():
    assert holder_named("Where did the CEO of Globex post?", POSTS) == "Where did the CEO of Globex Jane Roe post?"
    assert holder_named("When was Acme's chief data officer born?", POSTS) == "When was Acme's chief data officer Ann Lee born?"
    assert (holder_named("Is Acme's Chief Data Officer also the top executive at Globex?", POSTS)
            == "Is Acme's Chief Data Officer Ann Lee also the top executive at Globex?")  # the post claimed stays as it is
    assert holder_named("Where did the boss of Globex post?", POSTS) == "Where did the boss of Globex Jane Roe post?"
    assert holder_named("Where did the head of Acme post?", POSTS) == "Where did the head of Acme post?"  # not its data chief
    for kept in ("Who is the CEO of Globex?",  # the person is what is asked
                 "Is Ann Lee the CEO of Globex?",  # the post is what is claimed
                 "Which person does the Herald call Globex's CEO?",
                 "Where did Initech's CEO post?",  # nobody holds it in the passages
                 "What does the lab run by Globex's CEO Jane Roe make?",  # the question names her already
                 "Is Globex's CEO Ann Lee?", "Is the CEO of Globex Ann Lee?"):  # or whom it claims holds it
        assert holder_named(kept, POSTS) == kept


def test_a_company_called_by_a_brand_it_owns_is_the_owner_the_passages_name():
    texts = ["Meta, the Menlo Park-based tech giant, signed a deal with Acme."]
    assert named("Where is the Instagram owner based?", texts) == "Where is Meta based?"
    assert named("Did Acme team up with the company behind WhatsApp?", texts) == "Did Acme team up with Meta?"
    assert named("Who funds Facebook's parent company?", ["Acme signed a deal."]) == "Who funds Facebook's parent company?"
