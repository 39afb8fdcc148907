"""Typed questions read as the plain questions they stand for: requests, openers, bare noun
phrases, words typed without apostrophes, and names typed in lower case."""

import pytest

from rag import slots
from rag.asking import as_asked, respelled, tail_question, truecased


@pytest.mark.parametrize("question, kind", [
    ("Could you confirm the weekday on which the mill reopened?", slots.DATE),  # a request for a noun phrase
    ("Could you confirm whether the mill has reopened?", slots.YES_NO),
    ("Could you confirm the mill has reopened?", slots.YES_NO),  # a request about a clause
    ("Please state the annual revenue of the bakery.", slots.NUMBER),
    ("I'd like to know which firm bought the mill.", slots.ORGANISATION),
    ("Any idea who owns the mill?", slots.PERSON),
    ("So who's actually in charge at the mill?", slots.PERSON),  # an opener before the question
    ("Wait, does the bakery own the mill now?", slots.YES_NO),
    ("mill owner?", slots.PERSON),  # a bare noun phrase naming what is wanted
    ("weekday the mill reopened", slots.DATE),
    ("maria lopez date of birth", slots.DATE),
    ("headcount at the bakery chain", slots.NUMBER),
    ("firm whose talks with the bakery fizzled out", slots.ORGANISATION),
    ("both reports say the terms werent disclosed?", slots.YES_NO),  # a statement with a question mark
    ("Now that the mill has reopened, who owns it?", slots.PERSON),  # a clause first, not a noun phrase
    ("The owner sold the mill. Did she keep the shop?", slots.YES_NO),  # a statement, then the question
    ("Tell me about the deal", slots.EXPLANATION),
    ("What is the size of the bakery's workforce?", slots.NUMBER),
    ("Considering both reports, which striker, signed in May, is related to the coach?", slots.PERSON),
    ("what does it run you per month to join the club?", slots.NUMBER),  # a price
    ("What's the new unit that the bakery's owner is in charge of?", slots.ORGANISATION),  # not a charge
    ("bakery get ownership share in the mill from the deal?", slots.YES_NO),  # a verb: not a noun phrase
    ("The baker says the deal will bring what thing to the town?", slots.EXPLANATION),
    ("Whose firm held talks with the mill before the chain did?", slots.ORGANISATION),  # not a bare phrase
    ("According to the mayor, what would the bridge give the town?", slots.EXPLANATION),
    ("When the owner spoke about the sale, what did she say it would bring the town?", slots.EXPLANATION),  # not when
    ("With the bakery now in the picture, which firm does the mill still supply?", slots.ORGANISATION),
    ("Isn't Maria Lopez the bakery's chief executive?", slots.YES_NO),
    ("True or false: the bakery bought the mill.", slots.YES_NO),  # a worksheet's claim
    ("According to the articles, state the bakery's annual revenue.", slots.NUMBER),
    ("Wasn't there something about the mill's new oven? What was it called?", slots.EXPLANATION),
    ("The bakery bought a mill — which one was it, I forget?", slots.THING),
    ("bakery chain first shop opening month", slots.DATE),  # keywords: the last noun of the run says what is asked
    ("bakery mill deal announced day of week", slots.DATE),
    ("I'd like to know on which social site the mill's owner gave his take.", slots.ORGANISATION),  # not "owner"
    ("Do you know whether the chief executive of the mill is Maria Lopez?", slots.YES_NO),
    ("the image lab was in talks with whose firm before the chain came along", slots.ORGANISATION),  # not keywords
    ("The mill held talks with a firm belonging to which wealthy businessman?", slots.PERSON),
])
def test_typed_questions_are_read_for_what_they_ask(question, kind):
    assert slots.answer_kind(question) == kind


def test_words_typed_without_apostrophes_or_cut_short_are_spelled_out():
    asked = slots.as_asked("did the bakery say itll team up w/ other firms? the terms werent disclosed")
    assert "it will team up with other firms" in asked
    assert "were not disclosed" in asked  # the negation survives
    assert slots.as_asked("where'd the owner post it").startswith("Where did the owner post it")
    assert slots.as_asked("Were the terms kept under wraps?") == "Were the terms not disclosed?"
    assert slots.as_asked("When did the mill break the news of the sale?") == "When did the mill announce the sale?"
    assert slots.as_asked("Who gives money to the mill?") == "Who funds the mill?"


def test_a_negative_question_asks_what_the_positive_one_asks():
    assert slots.as_asked("Isn't Maria Lopez the bakery's chief executive?") == "Is Maria Lopez the bakery's chief executive?"
    assert slots.as_asked("Didn't the talks end in a signed deal?") == "Did the talks end in a signed deal?"
    assert slots.as_asked("Won't the mill reopen?") == "Will the mill reopen?"
    assert slots.as_asked("isnt lopez the ceo") == "Is lopez the ceo"


def test_a_clause_setting_the_question_up_is_read_after_it():
    assert (slots.as_asked("When the owner spoke about the sale, what did she say it would bring?")
            == "What did she say it would bring, when the owner spoke about the sale?")
    # With a dash the question is in two pieces already: left as typed.
    typed = "Now that it has reopened, where does the mill's money come from — who backs it?"
    assert slots.as_asked(typed) == typed


def test_who_asks_and_why_before_a_dash_is_not_part_of_the_question():
    assert slots.as_asked("Quick one — who owns the mill?") == "Who owns the mill?"
    assert (slots.as_asked("I'm writing a piece on the Leeds mill — which firm bought it?")
            == "Which firm bought it, about the Leeds mill?")  # what the piece is about still counts
    for kept in ("I read that the mill was sold — who bought it?",  # what the asker read is part of it
                 "Acme and Globex — who announced the deal?"):  # a lead-in naming something
        assert slots.as_asked(kept) == kept


def test_what_the_asker_says_of_their_memory_is_not_part_of_the_question():
    assert slots.as_asked("I think the bakery bought the mill — which one was it, I forget?") == (
        "The bakery bought the mill — which one was it?")
    assert slots.as_asked("Both reports say the price was kept quiet — is that right?") == (
        "Whether Both reports say the price was not disclosed?")
    assert slots.as_asked("So who funds the mill now? I think nobody?") == "Who funds the mill now?"
    assert slots.as_asked("Wasn't there a new oven at the mill? What was it called?") == (
        "What was it called, wasn't there a new oven at the mill?")  # the question asking for something first


def test_idioms_and_an_embedded_question_read_as_plain_words():
    assert slots.as_asked("The bakery went public with the sale on what day?") == "The bakery announced the sale on what day?"
    assert slots.as_asked("Which app did she use to break news of the sale?") == "Which app did she use to announce the sale?"
    assert (slots.as_asked("Did the bakery spill the beans on its hookup with the mill?")
            == "Did the bakery announce its partnership with the mill?")
    assert slots.as_asked("Which tycoon came knocking on the mill's door?") == "Which billionaire held talks with the mill?"
    assert slots.as_asked("Who's the top dog at the mill?") == "Who is the chief at the mill?"
    assert (slots.as_asked("Did their talks ever get a ring on it?") == "Did their talks ever sign a formal agreement?")
    assert (slots.as_asked("Can you tell me who the person in charge of the mill is, like the boss?")
            == "Who is the person in charge of the mill, like the boss?")


def test_a_misspelt_word_is_spelled_as_the_passages_or_the_common_word_it_is_one_slip_from():
    assert respelled("Who owns the bakrey chain?", TEXTS) == "Who owns the bakery chain?"  # two letters swapped
    assert respelled("Did they sign an offical deal?", TEXTS) == "Did they sign an official deal?"
    assert respelled("Who bankrolls the mill?", TEXTS) == "Who bankrolls the mill?"  # rare, not misspelt
    assert respelled("Is Crumb Holdngs the owner?", TEXTS) == "Is Crumb Holdings the owner?"
    assert respelled("the terms werent disclosed", ["They weren't told."]) == "the terms werent disclosed"  # typed short
    assert respelled("Is erasing it hard?", ["Prices are easing."]) == "Is erasing it hard?"  # "erase" + "ing"


def test_a_name_written_another_way_takes_the_passages_way_of_writing_it():
    texts = ["Maria Lopez, the CEO of Crumbworks, spoke to Gadgets 360. The mood was mid-range."]
    assert respelled("Did Mari Lopez speak to Gadgets360?", texts) == "Did Maria Lopez speak to Gadgets 360?"
    assert respelled("Who runs Crumb-works?", texts) == "Who runs Crumbworks?"
    assert respelled("Was the mood mid-range?", texts) == "Was the mood mid-range?"  # written so already


def test_a_short_form_of_a_name_is_the_name_the_passages_give_it():
    texts = ["Crumbworks and Harbour Mill Foods agreed a deal, Crumbworks CEO Maria Lopez said."]
    assert respelled("Need: CW CEO name", texts) == "Need: Crumbworks CEO name"  # letters of the word's parts
    assert respelled("Did HMF sign?", texts) == "Did Harbour Mill Foods sign?"  # initials
    assert respelled("Did the CEO of CW sign?", texts) == "Did the CEO of Crumbworks sign?"  # "CEO" is written so
    assert respelled("Who won the NBA title?", texts) == "Who won the NBA title?"  # nothing it could be
    assert respelled("Did VB report it?", ["VentureBeat reported it."]) == "Did VentureBeat report it?"  # its capitals
    assert respelled("did venture beat and G360 report it", ["VentureBeat and Gadgets 360 reported it."]) == (
        "did VentureBeat and Gadgets 360 report it")  # said apart, or a letter and a number


def test_spoken_letters_numbers_and_fillers_read_as_written():
    texts = ["Crumbworks spoke to Radio 360 about its AI plans, CEO Maria Lopez said."]
    assert respelled("did radio three sixty talk to the c e o about a i", texts) == "did radio 360 talk to the CEO about AI"
    assert respelled("is it one or two of them", texts) == "is it one or two of them"  # no number they write
    assert respelled("Is the Big Ten worried?", ["The Big Ten has 18 teams; 10 of them spoke."]) == (
        "Is the Big Ten worried?")  # a name, not a number said aloud
    assert slots.as_asked("who is um the uh the CEO") == "Who is the CEO"
    assert slots.as_asked("is the mill still like open") == "Is the mill still open"


def test_shorthand_and_formal_requests_ask_what_they_stand_for():
    assert slots.as_asked("Bakery owns a stake in the mill? Y/N pls confirm") == "Whether Bakery owns a stake in the mill?"
    assert slots.as_asked("Quick check — mill reopened yet?") == "Whether mill reopened yet?"
    assert slots.as_asked("Lopez — birth date?") == "What is the birth date of Lopez?"
    assert slots.as_asked("Lopez — runs which firm? Need exact name") == "Lopez runs which firm?"
    assert slots.as_asked("Mill buyer per both reports — who?") == "Who, Mill buyer per both reports?"
    assert slots.as_asked("Lopez = bakery CEO?") == "Whether Lopez is bakery CEO?"
    assert slots.as_asked("Acme x Globex deal done?") == "Whether Acme and Globex deal done?"
    assert slots.as_asked("Did the gen-AI shop ship a video gen model?") == "Did the gen-AI shop ship a video generation model?"
    assert slots.as_asked("Did Lopez's X post go viral?") == "Did Lopez's X post go viral?"  # a name, not "x"
    assert slots.as_asked("Mill sold on which day? Mon/Tue/Wed?") == "Mill sold on which day?"  # choices offered
    assert (slots.as_asked("Please indicate whether Maria Lopez holds the office of chief executive of the bakery.")
            == "Is Maria Lopez the chief executive of the bakery.")
    assert (slots.as_asked("Quiz, yes or no: at the time of the sale, had the bakery already reopened?")
            == "Had the bakery already reopened?")  # the claim is the bakery's, not the sale's
    assert slots.answer_kind("When was Lopez born, do we know?") == slots.DATE  # a question, not a clause before one
    assert (slots.as_asked("Please confirm whether, as of the sale, the bakery had reopened.")
            == "Whether the bakery had reopened, as of the sale")  # the aside is not the claim
    assert (slots.as_asked("With respect to the sale, please identify the buyer of the mill.")
            == "Which buyer of the mill?")
    assert (slots.as_asked("With respect to the Acme and Globex talks, please confirm whether they signed.")
            == "Whether they signed, about Acme and Globex?")  # background: only its names stay
    assert (slots.as_asked("With reference to Acme's funding, please state who its investors are.")
            == "Who are Acme's investors, about Acme?")
    assert slots.as_asked("Kindly state the day the mill reopened.") == "What is the day the mill reopened."
    assert (slots.as_asked("Fill in the blank: the bakery reopened in ______.")
            == "The bakery reopened in what?")
    assert slots.as_asked("Fill in the blank: the mill employs ____ people.") == "The mill employs how many people?"
    assert slots.as_asked("Fill in the blank: it reopened on a ____ (a day of the week).") == (
        "It reopened on which day of the week?")
    assert slots.as_asked("Fill in the blank: Lopez runs Acme ____ Labs.") == "Lopez runs Acme what Labs?"
    assert slots.as_asked("Has the bakery put out a new loaf?") == "Has the bakery released a new loaf?"
    assert slots.as_asked("Will the bakery put out a loaf?") == "Will the bakery release a loaf?"


@pytest.mark.parametrize("question, kind", [
    ("Bakery owns a stake in the mill? Y/N", slots.YES_NO),
    ("Lopez — birth date? pls confirm", slots.DATE),
    ("Lopez — runs which firm?", slots.ORGANISATION),
    ("Please confirm whether, pursuant to the deal, the bakery will license the recipe.", slots.YES_NO),
    ("I should be grateful if you could identify the chief executive of the bakery.", slots.PERSON),
    ("Do you happen to know which month they reopened the mill?", slots.DATE),
    ("Lopez's bakery ties up with which co.?", slots.ORGANISATION),
    ("Bakery buys mill? y/n - need for the board", slots.YES_NO),  # a note after the tag
    ("Lopez dob? pls", slots.DATE),
    ("Bakery headcount - # employees?", slots.NUMBER),
    ("What is the release month of the loaf?", slots.DATE),  # a compound's last noun
    ("Lopez 1st bakery opened -> month? need for the deck", slots.DATE),  # an arrow for a dash, a note after
])
def test_shorthand_and_formal_requests_are_read_for_what_they_ask(question, kind):
    assert slots.answer_kind(question) == kind


def test_a_question_after_a_full_stop_is_found_when_typed_in_lower_case():
    assert tail_question("the mill reopened. did the owner attend?") == "did the owner attend?"


TEXTS = ["The Mill Reopens Under New Owners\nCrumb Holdings bought the mill on Tuesday. Its CEO, Maria Lopez, said "
         "the mill will reopen. Heavy rain delayed the work, said Crumb Holdings, which also runs a bakery in Leeds."]


def test_lower_case_names_take_the_case_the_passages_write_them_in():
    assert truecased("is maria lopez crumbs ceo", TEXTS) == "is Maria Lopez Crumb's CEO"
    assert truecased("when did crumb holdings buy the mill in leeds", TEXTS) == "when did Crumb Holdings buy the mill in Leeds"


def test_words_the_passages_write_in_lower_case_or_only_at_a_start_or_in_a_title_stay_as_typed():
    assert truecased("did heavy rain delay the mill", TEXTS) == "did heavy rain delay the mill"  # "Heavy" opens a sentence
    assert truecased("who reopens it under new owners", TEXTS) == "who reopens it under new owners"  # the title's case
    assert truecased("Is Maria Lopez the CEO?", TEXTS) == "Is Maria Lopez the CEO?"


@pytest.mark.parametrize("typed, asked", [
    ("Do you know whether the chief executive of Globex is Jane Roe?", "Is Jane Roe the chief executive of Globex?"),
    ("Can you confirm whether Globex's CEO is Jane Roe?", "Is Jane Roe Globex's CEO?"),
    ("Do you know whether the mill is open?", "Whether the mill is open?"),  # no name claimed: left as it is
    ("bakery mill deal announced day of week", "What is the bakery mill deal announced day of week"),
    ("Does Ann Lee serve as the top boss of Globex?", "Is Ann Lee the chief of Globex?"),
    ("Has Acme come out with a video model?", "Has Acme released a video model?"),
    ("Within Acme, the unit under Ann Lee's leadership is called what?",
     "What is the unit under Ann Lee's leadership called, within Acme?"),
    ("The bakery made its deal with the mill public on what day?", "The bakery announced its deal with the mill on what day?"),
    ("The bakery sold its mill?", "Whether The bakery sold its mill?"),  # a statement, not keywords
])
def test_a_post_claimed_of_a_named_person_is_asked_name_first(typed, asked):
    assert as_asked(typed, slots.KIND_NOUNS) == asked
