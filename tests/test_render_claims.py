"""The chat marks the sentences no cited passage backs, and keeps every [n] a link to its source."""

import re

from rag import Answer, Citation
from rag.citations import Claim, cite
from test_citations import source
from ui import render

CITATION = Citation(1, "gadgets.txt", "Meta teams up with Midjourney", "Midjourney CEO David Holz said", 0.9)
UNSUPPORTED = '<span class="newsqa-unsupported"'


def answer(text: str, claims: list[Claim], abstained: bool = False) -> Answer:
    return Answer("Who leads Midjourney?", text, [] if abstained else [CITATION], abstained, [], {}, "local:test",
                  claims=claims)


def marked(html: str) -> list[str]:
    """The text inside each unsupported-claim span, tags removed."""
    spans = re.findall(r'<span class="newsqa-unsupported"[^>]*>(.*?)</span>', html, re.S)
    return [re.sub(r"<[^>]+>", "", s) for s in spans]


def test_an_unsupported_sentence_is_marked_and_a_supported_one_is_not():
    html = render.answer_html(answer(
        "Holz leads Midjourney [1]. He founded it in Paris.",
        [Claim("Holz leads Midjourney.", (1,), True, 0.9), Claim("He founded it in Paris.", (), False, 0.2)]), turn=0)
    assert marked(html) == ["He founded it in Paris."]
    assert f'title="{render.UNSUPPORTED_TIP}"' in html and "dotted" in html  # visible without the page's CSS
    assert html.count('href="#newsqa-src-0-1"') == 1  # the marker is still a link


def test_a_cited_but_unsupported_sentence_keeps_its_link_inside_the_mark():
    html = render.answer_html(answer("Midjourney was founded in 2012 [1].",
                                     [Claim("Midjourney was founded in 2012.", (1,), False, 0.3)]), turn=3)
    assert marked(html) == ["Midjourney was founded in 2012 [1]."]
    assert 'href="#newsqa-src-3-1"' in html


def test_answers_without_claims_render_as_before():
    plain = answer("Holz leads Midjourney [1].", [])
    assert UNSUPPORTED not in render.answer_html(plain, turn=0)
    assert 'href="#newsqa-src-0-1"' in render.answer_html(plain, turn=0)
    abstention = answer("The articles don't say.", [Claim("The articles don't say.", (), False, 0.0)], abstained=True)
    assert UNSUPPORTED not in render.answer_html(abstention, turn=0)


def test_claims_that_do_not_match_the_text_leave_it_unmarked():
    html = render.answer_html(answer("Holz leads Midjourney [1].", [Claim("Something else.", (), False, 0.0)]), turn=0)
    assert UNSUPPORTED not in html and 'href="#newsqa-src-0-1"' in html


def test_model_text_in_a_marked_sentence_is_still_escaped():
    html = render.answer_html(answer("<img src=x onerror=alert(1)> is it.",
                                     [Claim("<img src=x onerror=alert(1)> is it.", (), False, 0.0)]), turn=0)
    assert "<img" not in html and "&lt;img" in html and UNSUPPORTED in html


def test_what_cite_returns_renders_with_every_marker_a_link_and_only_invented_sentences_marked():
    passage = source("gadgets.txt", "Midjourney CEO David Holz said the partnership does not grant Meta a stake.")
    text, citations, claims = cite("Holz said Meta gets no stake [1]. Meta paid $2 billion [2]. Holz runs it [1].",
                                   [passage])
    html = render.answer_html(Answer("q", text, citations, False, [], claims=claims), turn=1)
    assert marked(html) == ["Meta paid $2 billion.", "Holz runs it."]
    assert html.count('class="newsqa-cite"') == len(re.findall(r"\[\d+\]", text)) == 1
