"""Publisher and date extraction, and question decomposition, on hand-made questions."""

from datetime import date

from rag.query import DateRange, Publishers, analyse

SOURCES = ["TechCrunch", "The Verge", "Cnbc | World Business News Leader", "FOX News - Health", "FOX News - Lifestyle",
           "Jon Heyman, New York Post", "Wired", "Sporting News"]
PUBLISHERS = Publishers(SOURCES)


def sources_of(question: str) -> tuple[str, ...]:
    return analyse(question, PUBLISHERS, (2023,)).sources


def test_publishers_are_found_whatever_their_spelling():
    assert sources_of("What did CNBC say about Amazon?") == ("Cnbc | World Business News Leader",)
    assert sources_of("According to the Verge, who leads?") == ("The Verge",)
    assert set(sources_of("Did FOX News report it?")) == {"FOX News - Health", "FOX News - Lifestyle"}
    assert sources_of("What did Jon Heyman write?") == ("Jon Heyman, New York Post",)


def test_common_words_that_are_publisher_names_count_only_when_capitalised():
    assert sources_of("Was the crowd wired after the game?") == ()
    assert sources_of("Which phone, as reported by Wired, has a bigger screen?") == ("Wired",)


def test_publishers_the_corpus_lacks_are_reported():
    query = analyse("Who, according to The New York Times and a Bloomberg article, leads TechCrunch's rival?",
                    PUBLISHERS, (2023,))
    assert query.unknown_publishers == ("The New York Times", "Bloomberg")
    assert analyse("Did TechCrunch report the deal?", PUBLISHERS).unknown_publishers == ()


def test_dates_with_and_without_years_and_open_ranges():
    query = analyse("After the TechCrunch report published on December 5, 2023, did The Verge write about it "
                    "on 7 December?", PUBLISHERS, (2023,))
    assert DateRange(date(2023, 12, 5), date(2023, 12, 5)) in query.dates
    assert DateRange(date(2023, 12, 7), date(2023, 12, 7)) in query.dates
    assert analyse("What happened before October 3, 2023?", PUBLISHERS).dates == (DateRange(None, date(2023, 10, 2)),)
    month = analyse("What did Wired publish in November 2023?", PUBLISHERS).dates[0]
    assert (month.start, month.end) == (date(2023, 11, 1), date(2023, 11, 30))
    assert month.contains("2023-11-30T23:00:00+00:00") and not month.contains("2023-12-01T00:00:00+00:00")
    assert analyse("What is the latest on the strike?", PUBLISHERS).order == "latest"


def test_a_question_about_two_publishers_splits_into_a_part_for_each():
    query = analyse("Does the TechCrunch article say the launch slipped, while The Verge reports record sales?",
                    PUBLISHERS)
    assert query.is_multi
    assert [part.sources for part in query.parts] == [("TechCrunch",), ("The Verge",)]
    assert "launch slipped" in query.parts[0].text and "record sales" in query.parts[1].text


def test_a_plain_question_is_one_part_and_names_are_kept_for_the_coverage_check():
    query = analyse("Who signed Shohei Ohtani?", PUBLISHERS)
    assert not query.is_multi and query.sources == ()
    assert query.names == ("Shohei Ohtani",)


def test_a_nationality_before_a_noun_is_not_a_name_the_corpus_must_hold():
    assert analyse("How does the Indian gadget site rate Meta?", Publishers([])).names == ("Meta",)
    assert "Rugby World Cup" in analyse("Who won the 2023 Rugby World Cup final?", Publishers([])).names
    # A description names someone the articles need not ("the Zuckerberg-led company"); a sentence's first word
    # is no name ("Just the month, please").
    assert analyse("When did the Zuckerberg-led company sign with Midjourney?", Publishers([])).names == ("Midjourney",)
    assert analyse("It shipped its first model when? Just the month, please.", Publishers([])).names == ()


def test_a_title_and_the_asker_are_no_names_the_corpus_must_hold():
    assert analyse("What did he say, Mr. Lopez said the mill would reopen?", Publishers([])).names == ("Lopez",)
    assert analyse("Who owns it, I'm wondering how the Acme deal went?", Publishers([])).names == ("Acme",)
