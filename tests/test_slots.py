"""Answer kinds, candidate spans and the checks on them: plain text rules, no model."""

import pytest

from rag import slots
from rag.text import stems


@pytest.mark.parametrize("question, kind", [
    ("Who founded the bakery chain?", slots.PERSON),
    ("Which executive signed the contract?", slots.PERSON),
    ("Which company bought the shipyard?", slots.ORGANISATION),
    ("Which billionaire's charity paid for the bridge?", slots.ORGANISATION),  # the charity, not the billionaire
    ("Where did the mayor give the speech?", slots.PLACE),
    ("Which city hosts the summit?", slots.PLACE),
    ("How many people attended the rally?", slots.NUMBER),
    ("How much did the new stadium cost?", slots.NUMBER),
    ("What was the club's annual revenue?", slots.NUMBER),
    ("When did the merger close?", slots.DATE),
    ("On what day of the week was the vote held?", slots.DATE),
    ("In which month did the strike end?", slots.DATE),
    ("What is the name of the new tablet?", slots.THING),
    ("Which product did the startup launch first?", slots.THING),
    ("What is the name of the new unit she leads?", slots.ORGANISATION),  # the unit's name
    ("In what area has the carmaker fallen behind?", slots.EXPLANATION),  # a description, not a name
    ("What kind of future does the lab promise?", slots.EXPLANATION),
    ("Quick check: did the board approve the deal?", slots.YES_NO),  # a label before the question
    ("Name the chatbot the report rates highest.", slots.THING),  # an instruction for "which chatbot"
    ("The founder who sold it now runs which charity?", slots.ORGANISATION),  # "who" opens a clause
    ("The firm grew under which person's leadership?", slots.PERSON),
    ("Why did the shares fall?", slots.EXPLANATION),
    ("What did the minister say about the budget?", slots.EXPLANATION),
    ("Did the board approve the deal?", slots.YES_NO),
    ("Has the airline cancelled its flights yet?", slots.YES_NO),
    ("After the first report on the flood, did the second report change its estimate?", slots.YES_NO),
    ("Was the council's account consistent or inconsistent with the police report?", slots.YES_NO),
    ("The bakery held talks with a rival last year — did they end in a deal?", slots.YES_NO),  # after a dash
    ("The chain opened a shop up north - in which month was that?", slots.DATE),
    ("Who owns the mill — is it still independent?", slots.PERSON),  # the dash follows a question
    ("The bakery's founder - what's her name?", slots.PERSON),
    ("What were the chain's quarterly earnings?", slots.NUMBER),
    ("The mayor said the bridge would bring what to the town?", slots.EXPLANATION),  # "what" as the object
    ("Can you tell me which firm bought the mill?", slots.ORGANISATION),  # a polite wrapper, not yes or no
    ("Could you tell me whether the mill has reopened?", slots.YES_NO),
    ("Can you tell me the name of the mill's new owner?", slots.PERSON),
    ("If someone wanted a loaf, how much would it cost?", slots.NUMBER),  # "if" opens a condition here
    ("The mayor spoke about the bridge. Did she say it will open in May?", slots.YES_NO),  # the last sentence asks
    ("What does the bakery charge for a loaf?", slots.NUMBER),  # "does" is a verb, not a plural; "charge" an amount
    ("Which internal org does she run?", slots.ORGANISATION),
    ("What is the current headcount at the bakery?", slots.NUMBER),
    ("Who's the chief exec running the bakery?", slots.PERSON),
])
def test_the_answer_kind_is_read_from_the_question(question, kind):
    assert slots.answer_kind(question) == kind


def test_dates_numbers_and_names_are_found_as_spans():
    text = "On Tuesday, March 5, 2024, Acme Corp said 1,200 staff at Gadgets 360 would test GPT-4 for $3.5 million."
    assert "Tuesday, March 5" in " ".join(slots.spans(text, slots.DATE))
    numbers = slots.spans(text, slots.NUMBER)
    assert "1,200" in numbers and "$3.5 million" in numbers
    assert not any(n in ("360", "4") for n in numbers)  # parts of names, not amounts
    assert slots.spans("It could reach billions of people.", slots.NUMBER) == []  # a magnitude, not an amount
    assert slots.spans("Acme CEO Jane Doe said so.", slots.PERSON) == ["Jane Doe"]
    assert "xAI" in slots.names("talks with Elon Musk's xAI ended")
    assert slots.names("He left. Then Tyreek Hill scored.") == ["Tyreek Hill"]  # no name runs across a full stop


def test_a_span_must_fit_its_kind_be_in_the_text_and_add_to_the_question():
    assert slots.fits("June 2024", slots.DATE) and not slots.fits("the summer", slots.DATE)
    assert slots.fits("40 million", slots.NUMBER) and not slots.fits("many people", slots.NUMBER)
    assert slots.fits("Jane Doe", slots.PERSON) and not slots.fits("the chief executive", slots.PERSON)
    assert slots.occurs_in("Elon Musk's xAI", "talks with Elon Musk’s xAI, though")  # either apostrophe
    assert slots.occurs_in("enterprise API", "its planned enterprise API, previously")
    assert not slots.occurs_in("enterprise APIs", "its planned enterprise API, previously")
    assert not slots.new_to("the Midjourney lab", "Who runs the Midjourney lab?")
    assert slots.new_to("David Holz", "Who runs the Midjourney lab?")


def test_negation_counts_only_near_what_the_claim_says():
    claim = "the partnership gives Meta a stake in the lab"
    shared = stems(claim) & stems("the partnership does not grant Meta a stake, and the lab has no investors")
    assert slots.negated("the partnership does not grant Meta a stake", shared, set())
    # "no" before a word the claim does not use negates nothing it says
    assert not slots.negated("Meta will collaborate with others; this is not a unique deal",
                             stems("Meta will collaborate with others"), set())
    assert slots.negated("the financial terms remain undisclosed", set(), stems("terms were disclosed"))
    assert slots.negated("was there inconsistency in the reports", set(), stems("consistency"))
    # "not just Globex" adds Globex; it negates nothing
    assert not slots.negated("Acme will work with other firms too, not just Globex", stems("work firms Globex"), set())


def test_an_acronym_stands_for_the_question_words_it_abbreviates():
    assert stems("chief executive") <= slots.acronyms("Acme CEO Jane Doe", "Who is the chief executive of Acme?")
    assert slots.acronyms("Acme CEO Jane Doe", "Who painted the fence?") == set()


def test_either_or_questions_name_a_word_and_its_negation():
    assert slots.choices("Is it consistent or inconsistent?") == ("consistent", "inconsistent")
    assert slots.choices("Did they agree or disagree?") == ("agree", "disagree")
    assert slots.choices("Was it from medical conditions or treatments?") is None


def test_names_listed_after_a_span_join_it():
    sentence = "It trails rivals such as Google's Gemini and OpenAI's ChatGPT in image generation."
    assert slots.listed("Google", sentence) == "Google's Gemini and OpenAI's ChatGPT"
    assert slots.listed("Meta", "Meta, on Saturday, said so") == "Meta"
    assert slots.listed("Threads", "In a post on Threads, Alexandr Wang, the Chief AI Officer, said") == "Threads"
    assert slots.listed("Elon Musk", "talks with Elon Musk’s xAI, though") == "Elon Musk’s xAI"


def test_names_leave_out_opening_adverbs_and_lower_case_endings():
    assert slots.names("Notably, in June, Acme released V1.") == ["June", "Acme", "V1"]
    assert slots.names("Meanwhile, Acme said so.") == ["Acme"]
    assert slots.names("Meta, on Saturday, announced it.") == ["Meta", "Saturday"]  # a name set off by a comma stays
    assert slots.names("the Menlo Park-based tech giant") == ["Menlo Park"]
    assert slots.names("Sam Bankman-Fried said") == ["Sam Bankman-Fried"]


def test_people_are_told_from_organisations_by_how_the_text_names_them():
    text = ("Jane Doe, the chief executive of Acme, spoke first. Acme Research Labs said so. Acme CEO John Roe agreed. "
            "Fans in San Francisco, the coach said, were loud.")
    assert slots.persons(text) == {"Jane Doe", "John Roe"}
    assert slots.organisation_like("Acme Research Labs") and not slots.organisation_like("Jane Doe")
    assert slots.spans("Jane Doe leads the new Acme Research Labs.", slots.PERSON) == ["Jane Doe"]


def test_a_sentence_can_say_that_something_is_not_known():
    assert slots.untold("He did not reveal if users will be able to use it.")
    assert slots.untold("Financial terms remain undisclosed.") and slots.untold("It is unclear whether it ships.")
    assert not slots.untold("Meta announced the deal on Saturday.")
    assert slots.untold("Nobody revealed how much money was involved.") and slots.untold("It never disclosed the price.")
    assert slots.untold("No financial details of the deal were made public.") and slots.untold("The price went unrevealed.")
    assert not slots.untold("No one was hurt and no damage was reported.")


def test_who_holds_a_post_is_read_with_whose_post_it_is():
    text = ("Globex CEO John Roe welcomed the deal. Jane Doe, Acme's Chief Science Officer, announced it. "
            "Photo Credit: Acme")
    assert slots.asked_post("Who is Acme's chief executive?") == ("Acme", frozenset({"chief", "executive"}))
    assert slots.asked_post("Who is the CEO of Globex?") == ("Globex", frozenset({"chief", "executive"}))
    assert slots.asked_post("Who founded the bakery?") is None
    assert slots.asked_post("Who is the chief executive heading up Globex, the lab?") == (
        "Globex", frozenset({"chief", "executive"}))
    assert slots.asked_post("Who is the person running Globex as its CEO?") == ("Globex", frozenset({"chief", "executive"}))
    assert slots.holds_post("John Roe", ("Globex", frozenset({"chief", "executive"})), text)
    assert not slots.holds_post("John Roe", ("Acme", frozenset({"chief", "executive"})), text)  # Globex's CEO
    assert not slots.holds_post("Jane Doe", ("Acme", frozenset({"chief", "executive"})), text)  # another post
    assert slots.holds_post("John Roe", slots.asked_post("Who is the head of Globex?"), text)  # its CEO heads it
    assert slots.holds_post("Jane Doe", ("Acme", frozenset({"chief", "science"})), text)
    assert not slots.holds_post("Photo Credit", ("Acme", frozenset({"chief", "executive"})), text)  # not a person


def test_what_the_answer_is_called_beside_it_and_how_fine_a_date_must_be():
    assert slots.asked_noun("What's the name of the startup's debut video model?") == "model"
    assert slots.asked_noun("Which Globex product is a rival?") == "product"
    assert slots.asked_noun("What did the mayor say?") == ""
    assert slots.answers_slot("2021", "founded in 2021", "In what year was it founded?", slots.DATE)
    assert not slots.answers_slot("June", "founded in June", "In what year was it founded?", slots.DATE)
    assert not slots.answers_slot("Saturday", "on Saturday", "On what calendar date was it signed?", slots.DATE)
    assert slots.answers_slot("Saturday", "on Saturday", "On what day of the week was it signed?", slots.DATE)
    assert slots.new_to("X", "Which platform, once called Twitter, did he use?")  # too short for a stem, still new
    assert not slots.new_to("Acme", "What is Acme's new product?")


def test_a_sentence_in_title_case_is_a_headline():
    body = "Acme partners with Globex to license its tech for future models."
    assert slots.headline("Acme Partners with Globex to License Its Tech for Future Models", body)
    assert not slots.headline("Acme CEO Jane Doe and Globex CEO John Roe met in Paris.", body)


def test_this_one_is_a_pronoun_not_a_count():
    text = "Deals like this one are rare; one of them hired 40 people and only one firm won."
    assert slots.spans(text, slots.NUMBER) == ["one", "40", "one"]


def test_the_post_asked_about_may_be_called_a_title_and_its_company_described_first():
    assert slots.asked_post("Who holds the CEO title at the robot maker Globex?") == ("Globex", frozenset({"chief", "executive"}))
    assert slots.asked_post("Who runs Globex?") == ("Globex", frozenset())
    assert slots.asked_post("Who heads Globex, the lab Acme teamed up with, as CEO?") == ("Globex", frozenset({"chief", "executive"}))
    assert slots.asked_post("Who is the person in charge of Globex?") == ("Globex", frozenset())
    assert slots.asked_post("Who is the top executive at Globex?") == ("Globex", frozenset({"executive"}))


def test_the_posts_a_question_names_are_read_with_whose_they_are():
    question = "Did Acme's chief science officer meet the CEO of Globex?"
    found = [(question[start:end], owner, post) for (start, end), owner, post in slots.posts_named(question)]
    assert found == [("Acme's chief science officer", "Acme", frozenset({"chief", "science"})),
                     ("the CEO of Globex", "Globex", frozenset({"chief", "executive"}))]
    (start, _), owner, _ = slots.posts_named("Is Jane Doe Acme's CEO?")[0]
    assert owner == "Acme" and start == len("Is Jane Doe ")  # the person before the owner is not its name



def test_the_person_at_the_helm_of_a_company_asks_for_whoever_runs_it():
    assert slots.asked_post("Which person at the helm of the research lab Globex makes paint?") == ("Globex", frozenset())
    assert slots.asked_post("Which person is in charge of Globex?") == ("Globex", frozenset())
    assert slots.asked_post("Who runs the show at the lab?") is None


def test_a_post_is_read_before_or_after_the_name_it_belongs_to():
    text = "Acme’s Chief AI Officer, Ann Lee, announced it. Globex CEO Jane Roe welcomed it. Bo Li, the CFO of Initech, left."
    assert slots.posts_held("Ann Lee", text) == [("Acme", frozenset({"chief", "ai"}))]
    assert slots.posts_held("Jane Roe", text) == [("Globex", frozenset({"chief", "executive"}))]
    assert slots.posts_held("Bo Li", text) == [("Initech", frozenset({"chief", "financial"}))]
