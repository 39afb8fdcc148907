"""The stepwise answerer on hand-made passages: spans checked in code, entities the parts agree on,
yes/no from evidence, abstention when the slot is empty. The embedder is the real MiniLM; the model
is a stand-in that replies what each test says, since what is tested is what code does with a reply.
The real SmolLM2 goes through the same path in the seeds eval (test_eval_run.py)."""

import pytest

from rag import Settings, slots
from rag.chunking import Chunk
from rag.embeddings import get_embedder
from rag.query import Publishers, analyse
from rag.retrieval import Retrieved
from rag.stepwise import Draft, Sentence, Stepwise, _asks_funding, _boss_asked, _claim, _said_alike, focus_words
from rag.text import stems


def passage(file: str, text: str, source: str = "Wire", published: str = "2024-03-01", title: str = "News") -> Retrieved:
    return Retrieved(Chunk(f"{file}:0", file, 0, text, 0, len(text), title, source, published, ""), 1.0, 0.5, 1.0)


class Replies:
    """A chat model that answers every prompt with ``reply`` and records the prompts."""

    name = "test:replies"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[list[dict]] = []

    def stream(self, messages, max_tokens):
        self.prompts.append(messages)
        yield self.reply


@pytest.fixture(scope="module")
def embedder():
    return get_embedder(Settings.load())


BAKERY = passage("bakery.txt", "The bakery chain opened its first shop in Leeds in 1998. "
                               "Its founder, Maria Lopez, sold the company to Crumb Holdings on Tuesday. "
                               "The chain employs 1,450 people across the north.")
WEATHER = passage("weather.txt", "Heavy rain closed two roads in the valley. Forecasters expect sunshine next week.")


def answer(embedder, question: str, passages: list[Retrieved], reply: str = "", sources=()) -> tuple[Draft, list]:
    model = Replies(reply)
    query = analyse(question, Publishers(list(sources)))
    items = list(Stepwise(model, embedder).answer(question, query, passages, slots.answer_kind(question)))
    assert all(isinstance(item, str) for item in items[:-1]) and items[0].strip()  # progress comes first
    return items[-1], model.prompts


def test_the_models_span_is_kept_when_it_is_in_the_sentence_and_of_the_right_kind(embedder):
    draft, prompts = answer(embedder, "Who founded the bakery chain?", [WEATHER, BAKERY], reply="Maria Lopez")
    assert draft.text == "Maria Lopez [1]." and not draft.abstained
    assert [c.file for c in draft.citations] == ["bakery.txt"]  # the passage that holds the span
    assert "Maria Lopez" in draft.citations[0].quote
    assert "Maria Lopez" in prompts[0][-1]["content"]  # the model saw the one sentence, not the passages


def test_a_span_the_sentence_lacks_is_replaced_by_the_sentences_own_candidate(embedder):
    draft, _ = answer(embedder, "Who founded the bakery chain?", [BAKERY], reply="John Smith, the baker")
    assert draft.text == "Maria Lopez [1]."


def test_a_number_nobody_wrote_is_never_output(embedder):
    draft, _ = answer(embedder, "How many people does the bakery chain employ?", [BAKERY], reply="5,000 people")
    assert draft.text.startswith("1,450")
    assert "5,000" not in draft.text


@pytest.mark.parametrize("question, kind", [
    ("How many shops does the bakery chain have in London?", "a number"),
    ("When was Maria Lopez born?", "a date"),
    ("How much did Crumb Holdings pay for the bakery chain?", "a number"),
])
def test_a_question_whose_slot_no_passage_fills_is_refused_with_what_is_missing(embedder, question, kind):
    draft, _ = answer(embedder, question, [BAKERY, WEATHER], reply="1998")
    assert draft.abstained and draft.citations == []
    assert kind in draft.reason


def test_yes_or_no_follows_the_evidence_and_its_negation(embedder):
    deal = passage("deal.txt", "Crumb Holdings said the purchase does not give it control of the recipes. "
                               "The deal will also bring the bakery chain to Scotland.")
    no, _ = answer(embedder, "Does the purchase give Crumb Holdings control of the recipes?", [deal], reply="Yes")
    assert no.text.startswith("No") and [c.file for c in no.citations] == ["deal.txt"]
    yes, _ = answer(embedder, "Will the deal bring the bakery chain to Scotland?", [deal], reply="No")
    assert yes.text.startswith("Yes")
    flipped, _ = answer(embedder, "Does the purchase not give Crumb Holdings control of the recipes?", [deal])
    assert flipped.text.startswith("Yes")
    invented, _ = answer(embedder, "Will the deal bring 40 bakeries to Scotland?", [deal])
    assert invented.text.startswith("No")  # a number the passage lacks is not backed


def test_a_one_claim_question_needs_what_it_claims_happened_not_just_whom_it_names(embedder):
    supply = passage("supply.txt", "Oven Group signed a supply partnership with Crumb Holdings last month.")
    bought, _ = answer(embedder, "Did Oven Group buy Crumb Holdings?", [supply])
    assert bought.text.startswith("No")  # the names match, what happened does not
    signed, _ = answer(embedder, "Did Oven Group sign a partnership with Crumb Holdings?", [supply])
    assert signed.text.startswith("Yes")


def test_a_claim_that_counts_something_with_another_number_is_contradicted(embedder):
    report = passage("shop.txt", "The shop sold 2,000 loaves on Saturday. Its rival sold 1,000 cakes.")
    right, _ = answer(embedder, "Did the shop sell 2,000 loaves on Saturday?", [report])
    assert right.text.startswith("Yes")
    wrong, _ = answer(embedder, "Did the shop sell 1,000 loaves on Saturday?", [report])
    assert wrong.text.startswith("No")  # "1,000" is in the article, but not as loaves


def test_is_x_the_role_of_y_is_checked_against_who_the_passages_name(embedder):
    model_free, _ = answer(embedder, "Is Crumb Holdings the founder of the bakery chain?", [BAKERY])
    assert model_free.text.startswith("No") and "Maria Lopez" in model_free.text
    same, _ = answer(embedder, "Is Maria Lopez the founder of the bakery chain?", [BAKERY], reply="Maria Lopez")
    assert same.text.startswith("Yes")


def test_a_question_about_two_reports_answers_with_the_option_the_evidence_takes(embedder):
    first = passage("first.txt", "The Herald said the bridge will reopen in May after repairs.", source="The Herald")
    second = passage("second.txt", "The Courier reported the bridge reopening in May, once repairs end.",
                     source="The Courier")
    question = ("Was The Herald's report that the bridge will reopen in May consistent or inconsistent with "
                "The Courier's report on the bridge reopening?")
    draft, _ = answer(embedder, question, [first, second], sources=["The Herald", "The Courier"])
    assert draft.text.startswith("Consistent")


def test_the_entity_several_parts_agree_on_wins_and_each_part_cites_its_article(embedder):
    herald = passage("herald.txt", "Crumb Holdings bought the bakery chain on Tuesday, said analyst Tom Reed.",
                     source="The Herald")
    courier = passage("courier.txt", "Crumb Holdings also owns three flour mills, according to Greta Nilsen.",
                      source="The Courier")
    decoy = passage("decoy.txt", "Oven Group sells ovens to bakeries.", source="The Courier")
    question = ("Which company, reported by The Herald to have bought the bakery chain, "
                "and by The Courier to own flour mills, is expanding?")
    draft, _ = answer(embedder, question, [herald, courier, decoy], sources=["The Herald", "The Courier"])
    assert draft.text.startswith("Crumb Holdings")
    assert {c.file for c in draft.citations} == {"herald.txt", "courier.txt"}


def test_a_question_for_an_organisation_is_not_answered_with_a_persons_name(embedder):
    partners = passage("partners.txt", "Acme's chief, Jane Doe, said the firm will partner with others. "
                                       "Jane Doe, the chief executive of Acme, spoke on Monday.")
    draft, _ = answer(embedder, "Which companies will Acme partner with next?", [partners], reply="Jane Doe")
    assert draft.abstained  # the only name the sentence holds is a person's
    draft, _ = answer(embedder, "Which company will Acme partner with?",
                      [passage("b.txt", "Acme will partner with Globex, Jane Doe, the chief executive of Acme, said.")],
                      reply="Jane Doe")
    assert draft.text.startswith("Globex")


def test_a_date_from_another_sentence_does_not_answer_what_the_best_sentence_says_is_unknown(embedder):
    launch = passage("launch.txt", "Acme announced the tablet on Saturday. "
                                   "Acme did not reveal when customers will be able to buy the new tablet.")
    draft, _ = answer(embedder, "When will customers be able to buy the new tablet?", [launch], reply="Saturday")
    assert draft.abstained and "did not reveal" in draft.reason


def test_a_claim_that_something_was_made_known_is_checked_against_a_sentence_saying_it_was_not(embedder):
    terms = passage("terms.txt", "Acme bought the mill on Monday. The price and the timeline of the deal remain "
                                 "undisclosed, and the mill's owners declined to say more.")
    for question, verdict in [("Has the timeline of the deal been made public?", "No"),
                              ("Was the price of the deal disclosed?", "No"),
                              ("Do both reports say the deal's price was kept undisclosed?", "Yes")]:
        draft, _ = answer(embedder, question, [terms])
        assert draft.text.startswith(verdict), question


def test_what_both_reports_say_is_the_claim():
    from rag.stepwise import _claim
    assert _claim("Do both reports say the price was kept quiet?") == "the price was kept quiet"
    assert _claim("Do Planet 24 and Wire both say the price was not shared?") == "the price was not shared"
    assert _claim("Do both pieces quote his phrase?") == "his phrase"
    assert _claim("Did the state of the economy improve?") == "the state of the economy improve"  # "state" is a noun


def test_a_short_fact_is_a_name_not_a_post_and_the_owner_the_question_names_picks_among_a_list(embedder):
    unit = passage("unit.txt", "The memo came from Jane Doe, Acme's Chief Science Officer, who leads the newly "
                               "formed Acme Robotics Group.")
    draft, _ = answer(embedder, "What is the name of the newly formed unit that Jane Doe leads?", [unit],
                      reply="Acme's Chief Science Officer")
    assert draft.text.startswith("Acme Robotics Group")
    rivals = passage("rivals.txt", "Acme trails rivals such as Globex's Nimbus and Initech's Zephyr in sales.")
    draft, _ = answer(embedder, "Which Globex product is a rival that Acme trails in sales?", [rivals], reply="Zephyr")
    assert draft.text.startswith("Nimbus")


def test_do_both_articles_say_it_needs_it_in_each_of_the_two(embedder):
    first = passage("first.txt", "Acme now owns the mill after buying it on Monday. Earlier talks between Acme and "
                                 "Globex ended without a deal.")
    second = passage("second.txt", "The mill's new owner, Acme, plans to hire 40 people. Acme said the mill "
                                   "will reopen in spring.")
    no, _ = answer(embedder, "Do both articles mention the earlier talks between Acme and Globex?", [first, second])
    assert no.text.startswith("No")
    yes, _ = answer(embedder, "Do both articles say that Acme now owns the mill?",
                    [first, passage("third.txt", "Acme now owns the mill, which it bought on Monday.")])
    assert yes.text.startswith("Yes")


def test_a_phrase_a_short_question_quotes_must_be_in_the_article_as_written(embedder):
    speech = passage("speech.txt", "The mayor promised a \u201cgreener, fairer city\u201d in her speech on Monday.")
    yes, _ = answer(embedder, 'Did the mayor promise a "greener, fairer city"?', [speech])
    assert yes.text.startswith("Yes")
    no, _ = answer(embedder, 'Did the mayor promise a "cleaner, safer city"?', [speech])
    assert no.text.startswith("No")


def test_who_is_the_chief_of_one_company_is_not_answered_with_anothers(embedder):
    chiefs = passage("chiefs.txt", "Globex CEO John Roe welcomed the deal with Acme. "
                                   "Jane Doe, Acme's Chief Science Officer, announced it.")
    draft, _ = answer(embedder, "Who is Acme's chief executive?", [chiefs], reply="John Roe")
    assert draft.abstained
    draft, _ = answer(embedder, "Who is the CEO of Globex?", [chiefs], reply="John Roe")
    assert draft.text.startswith("John Roe")


def test_the_name_beside_the_noun_the_question_asks_for_answers(embedder):
    launch = passage("launch.txt", "In June, the Acme lab released its first video model, V1. "
                                   "Acme said the model was built in Leeds.")
    draft, _ = answer(embedder, "What is the name of the image lab's first video model?", [launch], reply="Acme")
    assert draft.text.startswith("V1")


def test_a_rare_name_of_the_question_counts_in_ranking_a_name_in_every_sentence_does_not(embedder):
    posts = passage("posts.txt", "Acme's founder shared his reaction on Threads. Acme's founder shared his reaction "
                                 "on X, formerly Twitter. Acme sells bread.")
    question = "Where did Acme's founder, on the site once called Twitter, share his reaction?"
    wanted = focus_words(question, [posts])
    named = Stepwise(None, embedder).ranked(question, [posts], wanted=wanted)
    plain = {s.text: s.score for s in Stepwise(None, embedder).ranked(question, [posts], wanted=wanted, names=False)}
    assert "Twitter" in named[0].text
    twitter, threads = (next(s.score for s in named if key in s.text) for key in ("Twitter", "Threads"))
    assert twitter - threads > max(plain.values()) - min(plain[t] for t in plain if "Threads" in t)


def test_yes_no_refuses_what_the_article_says_is_not_known_and_catches_a_swapped_place(embedder):
    launch = passage("launch.txt", "In a post on Threads, Jane Doe announced the tablet. Acme did not reveal whether "
                                   "customers in Europe will be able to buy the tablet this year.")
    unknown, _ = answer(embedder, "Will customers in Europe be able to buy the tablet this year?", [launch])
    assert unknown.abstained and "did not reveal" in unknown.reason
    swapped, _ = answer(embedder, "Did Jane Doe announce the tablet in a post on X?", [launch])
    assert swapped.text.startswith("No")
    kept, _ = answer(embedder, "Did Jane Doe announce the tablet in a post on Threads?", [launch])
    assert kept.text.startswith("Yes")


def test_when_will_is_not_answered_by_a_date_in_the_past(embedder):
    shipped = passage("shipped.txt", "In June, Acme shipped its first tablet to shops in Leeds.")
    draft, _ = answer(embedder, "When will Acme ship its tablet to shops in Paris?", [shipped], reply="June")
    assert draft.abstained
    planned = passage("planned.txt", "Acme will ship the tablet to shops in Paris in March.")
    draft, _ = answer(embedder, "When will Acme ship its tablet to shops in Paris?", [planned], reply="March")
    assert draft.text.startswith("March")


def test_a_sentences_opening_word_is_not_a_name_and_the_opening_preposition_picks_the_answer(embedder):
    opening = passage("opening.txt", "Calling it a fine deal, Jane Doe announced it in a post on Threads. "
                                     "Jane Doe later met Acme staff in Leeds.")
    draft, _ = answer(embedder, "On which app did Jane Doe announce the deal?", [opening])
    assert draft.text.startswith("Threads")
    draft, _ = answer(embedder, "Which company did Jane Doe call a fine deal?", [opening], reply="Calling")
    assert not draft.text.startswith("Calling")


def test_who_funds_it_can_be_answered_nobody_when_the_article_says_so(embedder):
    lab = passage("lab.txt", "The lab remains independent and community-backed, with no outside investors. "
                             "Its founder, Jane Doe, started it in Leeds.")
    draft, _ = answer(embedder, "Who funds the lab now?", [lab], reply="Jane Doe")
    assert draft.text.startswith("No outside investors") and [c.file for c in draft.citations] == ["lab.txt"]
    draft, _ = answer(embedder, "Who founded the lab?", [lab], reply="Jane Doe")
    assert draft.text.startswith("Jane Doe")  # not a question of who pays
    draft, _ = answer(embedder, "Who are the lab's investors?", [lab], reply="Jane Doe")
    assert draft.text.startswith("No outside investors")  # "investors" asks who pays too


def test_a_name_in_its_own_case_is_not_capitalised():
    from rag.stepwise import _sentence_case
    assert _sentence_case("xAI") == "xAI" and _sentence_case("iPhone 15") == "iPhone 15"
    assert _sentence_case("no outside investors") == "No outside investors"


def test_a_number_that_ends_a_name_is_not_a_count_the_claim_makes(embedder):
    report = passage("report.txt", "The mill remains independent, its owners said.")
    named, _ = answer(embedder, "Does the Daily Planet 24 article say the mill remains independent?", [report])
    assert named.text.startswith("Yes")  # "24" ends a publisher's name; the article need not say it
    counted, _ = answer(embedder, "Did the mill hire 24 people?", [report])
    assert counted.text.startswith("No")


def test_the_x_and_y_articles_both_say_is_checked_in_each(embedder):
    first = passage("first.txt", "The mill remains independent, its owners said.")
    second = passage("second.txt", "The mill was sold to Acme on Monday.")
    no, _ = answer(embedder, "Do the Planet and Wire articles both say the mill remains independent?",
                   [first, second])
    assert no.text.startswith("No")


def test_a_claim_about_one_company_is_not_checked_against_a_sentence_about_another(embedder):
    report = passage("report.txt", "In June, Globex released its first AI video generation model, V1. "
                                   "So far, the Ohio-based firm Acme has no video model of its own.")
    no, _ = answer(embedder, "Does Acme already have a released AI video generation model?", [report])
    assert no.text.startswith("No")  # Globex's model is not Acme's


def test_a_claim_in_other_words_is_said_and_a_no_does_not_reach_past_despite(embedder):
    report = passage("report.txt", "The bakery will also be licensing the mill's recipes for its future breads and cakes. "
                                   "The mill remains an independent, family-run business with no outside investors "
                                   "despite the new deal.")
    licensed, _ = answer(embedder, "As part of the tie-up, is the bakery going to license the mill's recipes for use "
                                   "in its upcoming breads and cakes?", [report])
    assert licensed.text.startswith("Yes")
    independent, _ = answer(embedder, "Does the mill stay independent despite the deal?", [report])
    assert independent.text.startswith("Yes")  # "no outside investors" says nothing against the deal


def test_an_owner_is_not_the_answer_when_the_question_names_what_it_owns_or_asks_for_what_is_owned(embedder):
    report = passage("report.txt", "The deal came from Ana Ruiz, Acme’s Chief Data Officer, who leads the newly formed "
                                   "Acme Robotics Lab. Earlier talks between the mill and Jon Park’s Globex ended "
                                   "without a deal.")
    unit, _ = answer(embedder, "The giant's Chief Data Officer leads which recently formed unit?", [report], "Acme")
    assert unit.text.startswith("Acme Robotics Lab")  # "Acme’s" is the question's own giant
    firm, _ = answer(embedder, "Which company held earlier talks with the mill that ended without a deal?", [report],
                     "Jon Park")
    assert firm.text.startswith("Globex")  # Jon Park owns it; the company is Globex


def test_who_bankrolls_it_finds_the_sentence_saying_nobody_and_it_must_be_about_whom_is_asked(embedder):
    lab = passage("lab.txt", "The lab partnered with Acme on Saturday. The lab's team praised Acme. "
                             "The lab's partner Acme is based in Leeds. "
                             "The lab remains independent and community-backed, with no outside investors.")
    draft, _ = answer(embedder, "Who is bankrolling the image generation lab after it partnered with Acme?", [lab])
    assert draft.text.startswith("No outside investors")
    told = passage("told.txt", "Jane Doe told Acme that the lab has no outside investors.")
    draft, _ = answer(embedder, "Who funds Acme?", [told])
    assert not draft.text.startswith("No outside investors")  # the sentence is about the lab, not Acme


def test_a_sentence_close_in_meaning_answers_a_short_fact_in_other_words(embedder):
    news = passage("news.txt", "Acme, on Saturday, announced a partnership with the research lab Globex. "
                               "Globex makes image tools for Acme. Acme makes phones with Globex. "
                               "Acme and Globex will share research.")
    draft, _ = answer(embedder, "Acme went public with the Globex tie-up on which weekday?", [news], reply="Saturday")
    assert draft.text.startswith("Saturday")
    draft, _ = answer(embedder, "When was Acme's chief executive born?", [news], reply="Saturday")
    assert draft.abstained


def test_when_is_it_expected_needs_a_date_ahead_and_uncertain_means_not_known(embedder):
    news = passage("news.txt", "In June, Acme shipped its first tablet. The future of Acme's planned phone is now "
                               "uncertain given the deal.")
    draft, _ = answer(embedder, "When is Acme's planned phone now expected to launch?", [news], reply="June")
    assert draft.abstained and "uncertain" in draft.reason


def test_which_rivals_gets_the_list_the_sentence_gives_and_a_platform_is_the_name_said_on(embedder):
    news = passage("news.txt", "Acme has fallen behind rivals such as Globex's Orbit and Initech's Pulse in phones. "
                               "Acme's founder said the lab is proud. "
                               "In a post on Chirp (formerly known as Tweeter), Globex CEO Jane Doe said the deal helps.")
    rivals, _ = answer(embedder, "Which rivals is Acme behind in phones?", [news])
    assert rivals.text.startswith("Globex's Orbit and Initech's Pulse")
    backseat = passage("backseat.txt", "The deal could be a big move for Acme, which has taken a backseat in phone "
                                       "making compared to rivals such as Globex's Orbit and Initech's Pulse.")
    for question in ("Which competing products does Acme trail in phone making?",  # news's other words for them
                     "The Herald says Acme has fallen behind a couple of competitors in phones — which ones?",
                     "According to the Herald, which rival handsets have left Acme lagging when it comes to phones?"):
        listed, _ = answer(embedder, question, [backseat], reply="Acme", sources=["The Herald"])
        assert listed.text.startswith("Globex's Orbit and Initech's Pulse"), question
    site, _ = answer(embedder, "Which site did Globex's head use to comment on the deal?", [news], reply="Globex")
    assert site.text.startswith("Chirp")


def test_whose_head_is_asked_picks_the_sentence_with_that_companys_post(embedder):
    news = passage("news.txt", "In a post on Chirp, Ann Lee, the Chief Data Officer at Acme, announced the deal with "
                               "Globex, the lab that joined Acme. In a post on Blab, Globex CEO Jane Doe said the deal helps.")
    site, _ = answer(embedder, "Which site did Globex's head use to comment on the deal?", [news])
    assert site.text.startswith("Blab")
    chief, _ = answer(embedder, "Who is the chief executive heading up Globex, the lab that joined Acme?", [news],
                      reply="Ann Lee")
    assert chief.text.startswith("Jane Doe")


def test_a_sentence_saying_something_is_unknown_refuses_only_a_claim_it_is_about(embedder):
    news = passage("news.txt", "The future of Globex's planned phone is now uncertain given Acme's role.")
    owned, _ = answer(embedder, "Is Globex now partly owned by Acme?", [news])
    assert owned.text.startswith("No")
    phone, _ = answer(embedder, "Will Globex still launch its planned phone?", [news])
    assert phone.abstained


def test_a_sentence_saying_something_was_not_revealed_does_not_answer_what_day_it_was_revealed(embedder):
    news = passage("news.txt", "Acme, on Saturday, announced a partnership with Globex. He did not reveal if this "
                               "would mean that Acme users will get Globex tools.")
    day, _ = answer(embedder, "What day did Acme reveal it was teaming up?", [news], reply="Saturday")
    assert day.text.startswith("Saturday")  # "not reveal" is about the users, not the day


def test_the_title_speaks_for_an_articles_opening_not_for_a_later_chunk(embedder):
    title = "Acme Hires Ann Lee as Chief Data Officer"
    later = Retrieved(Chunk("news.txt:3", "news.txt", 3, "Notably, in June, Globex shipped its first phone.", 0, 50,
                            title, "Wire", "2024-03-01", ""), 1.0, 0.5, 1.0)
    draft, _ = answer(embedder, "Acme's Chief Data Officer — when was Ann Lee born?",
                      [later], reply="June")
    assert draft.abstained


def test_what_phrase_is_answered_by_the_sentence_quoting_one_when_it_is_nearly_as_close(embedder):
    news = passage("news.txt", "The mayor, Ann Lee, said the bridge is a project for the whole town. "
                               "Lee described the bridge project as a way to bring “jobs to everyone” in the town.")
    draft, _ = answer(embedder, "The mayor summed up the project with a catchy phrase — what did she say the bridge "
                                "would bring to the town?", [news])
    assert "jobs to everyone" in draft.text.split("[1]")[0]


def test_can_you_tell_me_whether_is_checked_as_the_claim_it_wraps(embedder):
    news = passage("news.txt", "So far, the bakery has not released any gluten-free bread. It sells rye and spelt loaves.")
    draft, _ = answer(embedder, "Can you tell me whether the bakery has already released a gluten-free bread?", [news])
    assert draft.text.startswith("No")


def test_news_words_for_the_same_thing_find_the_sentence(embedder):
    news = passage("news.txt", "The mill had talks with Initech about a flour deal on Monday. "
                               "This follows reports of earlier discussions between the mill and Jon Park’s Globex, "
                               "though those did not materialize into a formal agreement.")
    firm, _ = answer(embedder, "Which firm had earlier talks with the mill that never turned into an official deal?",
                     [news], reply="Initech")
    assert firm.text.startswith("Globex")


def test_which_unit_prefers_a_name_that_reads_as_a_unit_over_a_platform_in_a_sentence_as_close(embedder):
    first = passage("first.txt", "In a post on Chirp, Ann Lee, the Chief Data Officer at Acme, announced the deal.")
    second = passage("second.txt", "The news came from Ann Lee, Acme’s Chief Data Officer, who leads the newly formed "
                                   "Acme Robotics Lab.")
    unit, _ = answer(embedder, "What is the name of the Acme division headed by Ann Lee?", [first, second],
                     reply="Chirp")
    assert unit.text.startswith("Acme Robotics Lab")
    lab = passage("lab.txt", "Acme, on Saturday, announced a partnership with the research lab Globex. "
                             "Globex released its first phone, V1, in June. Ann Lee leads the Acme Robotics Lab.")
    which, _ = answer(embedder, "Which lab released V1?", [lab], reply="Globex")
    assert which.text.startswith("Globex")  # the articles call Globex a lab


def test_after_a_statement_the_question_words_must_be_in_the_answering_sentence(embedder):
    news = passage("news.txt", "Acme, on Saturday, announced a partnership with Globex. In June, Globex shipped "
                               "its first phone.")
    born, _ = answer(embedder, "I read that Acme announced the Globex deal — what is its founder's date of birth?",
                     [news], reply="Saturday")
    assert born.abstained
    month, _ = answer(embedder, "Globex shipped its first phone at some point — in which month did that happen?",
                      [news], reply="In June")
    assert month.text.startswith("June")


def test_a_yes_no_after_a_statement_checks_the_questions_own_claim_and_an_aside_does_not_hide_who_is_asked(embedder):
    news = passage("news.txt", "A Globex executive said this is not a unique partnership and the firm will collaborate "
                               "with other industry players in the future, as well. Globex CEO Jane Doe said the deal "
                               "helps. Ann Lee, the Chief Data Officer at Acme, announced the deal.")
    future, _ = answer(embedder, "A Globex executive commented on whether the deal is one of a kind. Did the firm say "
                                 "it will also work with other industry players in the future?", [news])
    assert future.text.startswith("Yes")
    aside, _ = answer(embedder, "Is Ann Lee, the executive who announced the deal, the person heading up Globex as "
                                "its chief executive?", [news], reply="Ann Lee")
    assert aside.text.startswith("No")


def test_tech_is_technology_and_not_shared_is_not_disclosed(embedder):
    news = passage("news.txt", "The bakery will also be licensing the mill's technology for its future breads and cakes. "
                               "The company also did not disclose any financial terms of the deal.")
    licensed, _ = answer(embedder, "Is the bakery licensing the mill's tech for its future breads and cakes?", [news])
    assert licensed.text.startswith("Yes")
    kept, _ = answer(embedder, "Were the money terms of the deal not shared?", [news])
    assert kept.text.startswith("Yes")


def test_which_app_prefers_a_sentence_saying_on_which_one_when_it_is_nearly_as_close(embedder):
    unit = passage("unit.txt", "The announcement came from Ann Lee, Acme's Chief Data Officer, who leads the newly "
                               "established Acme Data Labs.")
    post = passage("post.txt", "In a post on Chirp, Ann Lee, the Chief Data Officer at Acme, announced the partnership "
                               "with Globex.")
    app, _ = answer(embedder, "Which app did Acme's data chief use to announce the partnership?", [unit, post],
                    reply="Acme Data Labs")
    assert app.text.startswith("Chirp")


def test_whose_chief_is_asked_another_companys_chief_does_not_count(embedder):
    news = passage("news.txt", "In a post on Chirp, Ann Lee, the Chief Data Officer at Acme, announced the partnership "
                               "with Globex. Lee described the partnership as a way to bring joy to billions through "
                               "Globex's image tools. In a post on Blab, Globex CEO Jane Doe said the partnership will "
                               "bring Globex tools to more people.")
    site, _ = answer(embedder, "What platform did the Globex chief use to respond to the partnership?", [news],
                     reply="Chirp")
    assert site.text.startswith("Blab")


def test_who_runs_a_company_is_whoever_holds_a_post_there(embedder):
    news = passage("news.txt", "Ann Lee, the Chief Data Officer at Acme, announced the deal with Globex. "
                               "Globex CEO Jane Doe said the deal helps.")
    runs, _ = answer(embedder, "Who runs Globex?", [news], reply="Ann Lee")
    assert runs.text.startswith("Jane Doe")
    identity, _ = answer(embedder, "Is Ann Lee Globex's CEO?", [news])
    assert identity.text.startswith("No: the articles name Jane Doe")


def test_a_sentence_saying_what_is_uncertain_still_answers_which_thing_is_uncertain(embedder):
    news = passage("news.txt", "Globex shipped its first phone, the P1, in June. The future of Globex's planned "
                               "tablet, the T2, is now uncertain given Acme's role.")
    doubt, _ = answer(embedder, "Which planned Globex product now has an uncertain future?", [news], reply="P1")
    assert doubt.text.startswith("T2")
    murky, _ = answer(embedder, "Which of Globex's planned products has a murky future?", [news], reply="P1")
    assert murky.text.startswith("T2")  # murky is uncertain
    api = passage("api.txt", "Additionally, the future of Globex’s planned enterprise API, previously under development "
                             "for broader third-party use, is now uncertain given Acme’s involvement.")
    offering, _ = answer(embedder, "Which offering that Globex had been building now has an uncertain future?", [api],
                         reply="Acme")
    assert offering.text.startswith("API")  # Acme stands only as whose involvement it is


def test_a_clause_pointing_back_keeps_its_negation_with_what_it_points_to(embedder):
    news = passage("news.txt", "The move follows reports of earlier talks between Globex and Jon Smith's Initech, "
                               "though those did not materialize into a formal agreement.")
    deal, _ = answer(embedder, "Did Globex and Initech ever sign an official deal out of their earlier talks?", [news])
    assert deal.text.startswith("No")
    talks, _ = answer(embedder, "Did Globex hold earlier talks with Initech?", [news])
    assert talks.text.startswith("Yes")


def test_rights_or_permission_to_use_is_licensing_and_coming_or_down_the_line_is_the_future(embedder):
    news = passage("news.txt", "Acme announced a partnership with the robotics lab Globex on Monday. The company also "
                               "highlighted that it will be licensing the lab's technologies for its future robots.")
    for question in ("Acme is going to get rights for use Globex technology in its coming robots?",
                     "So is Acme getting permission to use Globex's tech in the robots it builds down the line?"):
        licensed, _ = answer(embedder, question, [news])
        assert licensed.text.startswith("Yes"), question


def test_nobody_funds_it_is_said_as_plainly_as_the_articles_say_it(embedder):
    known = passage("known.txt", "Globex, known for its family-backed, investor-free structure, makes robots.")
    plain = passage("plain.txt", "Globex remains an independent, family-backed lab with no outside investors.")
    funds, _ = answer(embedder, "Now that it works with Acme, who bankrolls Globex?", [known, plain])
    assert funds.text.startswith("No outside investors")


def test_a_birth_date_is_not_the_day_something_else_happened(embedder):
    news = passage("news.txt", "Acme's Chief Data Officer, Ann Lee, on Saturday announced a deal with Globex.")
    born, _ = answer(embedder, "What is the birth date of Acme's Chief Data Officer?", [news], reply="Saturday")
    assert born.abstained
    day, _ = answer(embedder, "On which particular day of the week did Acme's Chief Data Officer announce the deal?",
                    [news], reply="Saturday")
    assert day.text.startswith("Saturday")



def test_when_was_it_done_needs_a_sentence_saying_it_was_done(embedder):
    news = passage("news.txt", "Ann Lee, the Chief Data Officer at Acme, on Saturday announced a deal with Globex. "
                               "Globex released its first robot in June.")
    born, _ = answer(embedder, "When was Acme's chief data officer born?", [news], reply="Saturday")
    assert born.abstained
    released, _ = answer(embedder, "When was Globex's first robot released?", [news], reply="June")
    assert released.text.startswith("June")


def test_a_company_set_aside_is_not_whom_the_claim_is_about(embedder):
    news = passage("news.txt", "Acme announced a deal with Globex on Monday. The deal covers robots. Ann Lee said Acme "
                               "is open to working with more robotics companies in the future.")
    draft, _ = answer(embedder, "Did Acme say that it will work with other robotics companies later too, not just Globex?",
                      [news])
    assert draft.text.startswith("Yes")


def test_nobody_revealed_it_is_a_claim_that_it_was_not_made_known(embedder):
    news = passage("news.txt", "Acme bought a stake in Globex. The companies did not disclose the financial terms of "
                               "the deal.")
    draft, _ = answer(embedder, "Is it true that nobody revealed how much money was involved in the deal?", [news])
    assert draft.text.startswith("Yes")


def test_is_x_also_the_role_of_y_is_an_identity_question(embedder):
    news = passage("news.txt", "Globex CEO Jane Roe welcomed the deal. Ann Lee, the Chief Data Officer at Acme, "
                               "announced it.")
    draft, _ = answer(embedder, "Is Acme's Chief Data Officer also the top executive at Globex?", [news])
    assert draft.text.startswith("No: the articles name Jane Roe")


def test_the_post_may_come_before_the_person_claimed_to_hold_it(embedder):
    news = passage("news.txt", "Globex CEO Jane Roe welcomed the deal. Ann Lee, the Chief Data Officer at Acme, "
                               "announced it.")
    draft, _ = answer(embedder, "Is the CEO of Globex Ann Lee?", [news])
    assert draft.text.startswith("No: the articles name Jane Roe")
    assert "Jane Roe" in draft.citations[0].quote
    draft, _ = answer(embedder, "Is Globex's CEO Jane Roe?", [news])
    assert draft.text.startswith("Yes")


def test_a_word_few_sentences_have_picks_the_sentence_out_more_than_one_most_have(embedder):
    news = passage("news.txt", "Acme, on Monday, announced a partnership with the artificial intelligence lab Globex. "
                               "Acme's AI chief, Ann Lee, said it is a technical collaboration between Acme and Globex. "
                               "Acme has used AI in its apps for years, and its AI tools reach millions. "
                               "The deal follows reports of earlier talks between Globex and Carl Frost's Zenith, "
                               "though those did not become a formal agreement.")
    draft, _ = answer(embedder, "Which tycoon's artificial-intelligence venture held talks with Globex before Acme?",
                      [news])
    assert "Zenith" in draft.text


def test_who_funds_a_company_is_answered_no_investors_by_what_its_chief_says_of_it(embedder):
    news = passage("news.txt", "In a post on Mastodon, Globex CEO Jane Roe said the deal brings the lab's tools to more "
                               "people. She also said that the deal does not give Acme a stake in the company, adding, "
                               "“We remain an independent lab, with no investors.” Acme shares rose on Monday.")
    for question in ("Who is financially backing Globex now that it has partnered with Acme?",
                     "After the deal with Acme, where does Globex get its funding from?",
                     "Which investors stand behind Globex now that it has allied with Acme?"):
        draft, _ = answer(embedder, question, [news])
        assert draft.text.startswith("No investors"), question


def test_a_service_asked_through_is_the_one_the_sentence_says_on(embedder):
    news = passage("news.txt", "In a post on Mastodon, Globex CEO Jane Roe said the deal brings the lab's tools to more "
                               "people. Acme shares rose on Monday.")
    draft, _ = answer(embedder, "Through what online service did Jane Roe respond to the deal with Acme?", [news])
    assert draft.text == "Mastodon [1]."


def test_in_both_articles_or_each_noting_it_checks_the_claim_in_each(embedder):
    herald = passage("herald.txt", "Globex remains an independent lab despite the deal with Acme. "
                                   "The financial terms of the deal were not disclosed.")
    courier = passage("courier.txt", "Globex said the company remains independent and community-backed. "
                                     "Specific details about the deal's financial terms remain undisclosed.")
    for question in ("Globex is described as independent in both the Herald and Courier articles, isn't it?",
                     "is globex described as independent in both herald and courier",
                     "Did the Herald and the Courier each note that no financial details of the deal were made public?"):
        draft, _ = answer(embedder, question, [herald, courier])
        assert draft.text.startswith("Yes") and len(draft.citations) == 2, question
    lone = passage("lone.txt", "Globex sells paint. Its shares rose on Monday.")
    draft, _ = answer(embedder, "Is Globex described as independent in both the Herald and Courier articles?",
                      [herald, lone])
    assert draft.text.startswith("No")


def test_news_words_for_the_same_thing_count_as_said():
    assert _said_alike("Acme has not released any video model.", stems("moving footage")) == stems("footage")
    assert _said_alike("It will work with more industry players.", stems("other firms in the sector")) == stems(
        "firms sector")
    assert _said_alike("The deal does not grant Acme a stake.", stems("an ownership share")) == stems("ownership")
    assert _said_alike("Wang described it as a way to bring beauty.", stems("what did he say it would deliver")) == stems(
        "say deliver")
    assert _said_alike("Acme trails rivals in image generation.", stems("outpaced in pictures")) == stems("outpaced pictures")
    assert "per" not in focus_words("Which rivals lead, per the Herald?", [])


def test_whoever_holds_the_post_answers_however_the_company_is_described(embedder):
    deal = passage("deal.txt", "Acme is licensing the picture-generating technology of the research lab Globex. "
                               "The deal was signed on Monday.")
    post = passage("post.txt", "Weather closed roads on Tuesday. Globex CEO Jane Roe posted on Mastodon.")
    draft, _ = answer(embedder, "Name the person at the helm of the research lab whose picture-generating technology "
                                "Acme is licensing.", [deal, post])
    assert draft.text == "Jane Roe [1]."
    draft, _ = answer(embedder, "Who is the CFO of Globex?", [deal, post])
    assert draft.abstained


def test_which_person_one_outlet_calls_the_ceo_is_whoever_holds_that_post(embedder):
    herald = passage("herald.txt", "Ann Lee, the Chief Data Officer at Acme, announced the Globex deal. "
                                   "Globex CEO Jane Roe said it brings the lab's tools to more people.")
    courier = passage("courier.txt", "Ann Lee said the deal is a technical one. Founder Jane Roe said Globex stays "
                                     "independent.")
    draft, _ = answer(embedder, "Which person does the Herald call the CEO of Globex while the Courier calls her the "
                                "company's founder?", [herald, courier])
    assert draft.text.startswith("Jane Roe")


def test_the_owner_asked_for_is_the_person_whose_company_a_sentence_names(embedder):
    news = passage("news.txt", "Acme's AI chief, Ann Lee, announced a partnership with the AI lab Globex on Monday. "
                               "Ann Lee said the AI deal is a technical collaboration between Acme and Globex. "
                               "The deal follows earlier talks between Globex and Carl Frost's Zenith, which came to nothing.")
    for question in ("Which billionaire owns the AI company that was in talks with Globex before Acme struck its deal?",
                     "Before Acme came along, Globex held discussions with an AI firm belonging to which businessman?"):
        draft, _ = answer(embedder, question, [news])
        assert draft.text == "Carl Frost [1].", question


def test_the_boss_of_a_company_is_not_another_companys_chief_officer(embedder):
    news = passage("news.txt", "Acme's Chief AI Officer, Ann Lee, said the image deal with Globex is a partnership. "
                               "Ann Lee said the partnership brings image generation to Acme. "
                               "Globex CEO Jane Roe said the partnership brings the lab's image generator to more people.")
    draft, _ = answer(embedder, "Who is the boss of the image generator that partnered with Acme?", [news])
    assert draft.text == "Jane Roe [1]."
    draft, _ = answer(embedder, "Who is Acme's Chief AI Officer?", [news])
    assert draft.text == "Ann Lee [1]."


def test_a_chief_officer_still_leads_the_unit_a_sentence_says_he_leads(embedder):
    news = passage("news.txt", "Acme announced a deal with Globex on Monday. The announcement came from Ann Lee, Acme’s "
                               "Chief AI Officer, who leads the newly established Acme Frontier Labs.")
    draft, _ = answer(embedder, "Ann Lee @ Acme -> leads which internal group? exact name pls", [news])
    assert draft.text == "Acme Frontier Labs [1]."


def test_what_someone_heads_is_said_by_what_he_leads_not_by_his_title(embedder):
    news = passage("news.txt", "In a post on Mastodon, Ann Lee, the Chief AI Officer at Acme, announced the deal with "
                               "Globex. Acme’s Chief AI Officer, Ann Lee, said it is a technical collaboration. "
                               "Globex makes image tools. The announcement came from Ann Lee, who leads the newly "
                               "established Acme Frontier Labs.")
    draft, _ = answer(embedder, "The Acme executive who announced the deal on Mastodon heads which recently created lab?",
                      [news])
    assert draft.text == "Acme Frontier Labs [1]."


def test_not_a_unique_partnership_negates_unique_not_the_partnership(embedder):
    news = passage("news.txt", "Acme signed a deal with Globex on Monday. An Acme executive said this is not a unique "
                               "partnership and the company will collaborate with other industry players in the future.")
    draft, _ = answer(embedder, "Did Acme signal that more partnerships with other industry firms are coming down the "
                                "line?", [news])
    assert draft.text.startswith("Yes")


def test_a_clause_saying_the_claims_words_negates_it_however_low_it_scores(embedder):
    news = passage("news.txt", "Acme announced the deal with Globex on Monday. He also clarified that the partnership "
                               "does not grant Acme a stake in the company, adding, “We remain an independent, "
                               "community-backed research lab, with no investors, working on many ambitious projects.”")
    draft, _ = answer(embedder, "Does the arrangement hand Acme an ownership stake in Globex?", [news])
    assert draft.text.startswith("No")


def test_which_reports_say_it_is_not_part_of_the_claim():
    assert _claim("Is it reported by both the Herald and the Courier that the terms were kept undisclosed?") == (
        "the terms were kept undisclosed")
    assert _claim("Globex is described as still independent in both the Herald and Courier articles, isn't it?") == (
        "Globex is still independent")
    assert _claim("Is it the case in both reports that the price went unrevealed?") == "the price went unrevealed"
    assert _claim("Do both the Herald and the Courier state that Globex stays independent?") == "Globex stays independent"


def test_a_negated_name_does_not_negate_a_claim_about_it():
    news = passage("news.txt", "He said the deal does not grant Acme a stake in the company.")
    said = Sentence("He said the deal does not grant Acme a stake in the company.", 0, 0.5)
    assert not Stepwise.contradicted("the lab teaming up with Acme stays independent", said, [news], worded=True)
    assert Stepwise.contradicted("the deal grants Acme a stake", said, [news], worded=True)


def test_what_counts_as_asking_for_the_boss_or_for_funding():
    assert _boss_asked("Who is the boss of the image lab?") and _boss_asked("Who is the image lab's chief?")
    assert not _boss_asked("Who is Acme's Chief AI Officer?") and not _boss_asked("Who is the AI chief at Acme?")
    assert not _boss_asked("Ann Lee heads which unit?")
    assert _asks_funding("Who backs the lab?") and _asks_funding("Which investors stand behind it?")
    assert not _asks_funding("Behind which rival products does Acme stay back?")


def test_staying_is_remaining(embedder):
    herald = passage("herald.txt", "Globex remains an independent lab despite the deal with Acme.", source="The Herald")
    courier = passage("courier.txt", "Globex said the company remains independent.", source="The Courier")
    draft, _ = answer(embedder, "Do both reports say Globex is staying independent despite the Acme deal?",
                      [herald, courier], sources=["The Herald", "The Courier"])
    assert draft.text.startswith("Yes")



def test_a_city_is_a_name_put_where_only_places_go():
    from rag.stepwise import _candidates

    assert _candidates("The show streams on Instagram.", "Which city hosts the show?", slots.PLACE) == []
    assert _candidates("The show opens in Leeds.", "Which city hosts the show?", slots.PLACE) == ["Leeds"]
    assert _candidates("He posted on Instagram.", "Where did he post it?", slots.PLACE) == ["Instagram"]  # a medium

