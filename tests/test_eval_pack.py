"""Loading gold Q&A packs, and the seeds pack shipped in eval/seeds."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest

from conftest import SEEDS, SHARED_NEWSQA
from eval.pack import SEEDS_PACK, PackError, load_pack
from eval.run import NOT_IN_FINGERPRINT, eval_settings, fingerprint, index_name, settings_record
from eval.scores import score_row

from rag import Settings


def write_pack(root, rows, corpus=True, evidence=None):
    root.mkdir(parents=True, exist_ok=True)
    if corpus:
        (root / "corpus").mkdir()
        (root / "corpus" / "a.txt").write_text("Title: A\n\nThe sky is blue.\n")
    (root / "qa.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if evidence is not None:
        (root / "evidence.jsonl").write_text("".join(json.dumps(r) + "\n" for r in evidence))
    return root


def test_seeds_pack_follows_the_issue():
    pack = load_pack()
    assert pack.root == SEEDS_PACK
    assert pack.corpus == SEEDS.resolve()  # the repository's seeds/, not a copy
    assert len(pack.questions) >= 25
    types = Counter(q.type for q in pack.questions)
    assert types["null_query"] >= 6
    for wanted in ("factoid", "yes_no", "multi_article", "paraphrase"):
        assert types[wanted] >= 4, wanted
    files = {p.name for p in SEEDS.iterdir()}
    for q in pack.questions:
        assert q.answer and q.question.endswith("?")
        if q.type == "null_query":
            assert not q.sources and not q.answerable
        else:
            assert q.sources and set(q.sources) <= files and q.answerable
    assert all(len(q.sources) == 2 for q in pack.questions if q.type == "multi_article")
    assert {q.answer for q in pack.questions if q.type == "yes_no"} == {"Yes", "No"}
    assert pack.missing_sources() == []


def test_pack_with_its_own_corpus_and_evidence(tmp_path):
    root = write_pack(tmp_path / "p", [
        {"id": "q1", "question": "What colour is the sky?", "answer": "blue", "sources": ["a.txt"],
         "type": "inference_query"},
        {"id": "q2", "question": "Who won?", "answer": "Insufficient information.", "sources": [],
         "type": "null_query"},
    ], evidence=[{"id": "q1", "evidence": [{"source": "a.txt", "fact": "The sky is blue."}]}])
    pack = load_pack(root)
    assert pack.name == "p" and pack.corpus == (root / "corpus").resolve() and pack.has_evidence
    q1, q2 = pack.questions
    assert q1.facts == ("The sky is blue.",) and q1.aliases == () and q1.golds == ["blue"]
    assert q2.facts == () and not q2.answerable
    assert load_pack(root / "qa.jsonl").questions == pack.questions  # the qa.jsonl path works too
    assert len(pack.fingerprint) == 12


def test_corpus_override_and_missing_sources(tmp_path):
    root = write_pack(tmp_path / "p", [{"id": "q1", "question": "Q?", "answer": "x", "sources": ["gone.txt"]}])
    other = tmp_path / "other"
    other.mkdir()
    pack = load_pack(root, corpus=other)
    assert pack.corpus == other.resolve()
    assert pack.missing_sources() == ["gone.txt"]
    assert pack.questions[0].type == "unknown"


@pytest.mark.parametrize("content, message", [
    ('{"id": "q1", "question": "Q?"}\nnot json\n', "qa.jsonl:2: not valid JSON"),
    ('{"id": "q1"}\n', "'question' is missing"),
    ('{"id": "q1", "question": "Q?"}\n{"id": "q1", "question": "R?"}\n', "used twice"),
    ('{"id": "q1", "question": "Q?", "sources": "a.txt", "aliases": [1]}\n', "'aliases' must be a list"),
    ('\n\n', "holds no questions"),
    ('[1, 2]\n', "must be a JSON object"),
])
def test_malformed_qa_is_a_pack_error(tmp_path, content, message):
    root = write_pack(tmp_path / "p", [])
    (root / "qa.jsonl").write_text(content)
    with pytest.raises(PackError, match=message) as caught:
        load_pack(root)
    assert caught.value.exit_code == 3


def test_missing_folders_are_pack_errors(tmp_path):
    with pytest.raises(PackError, match="no pack folder"):
        load_pack(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError, match="no qa.jsonl"):
        load_pack(tmp_path / "empty")
    root = write_pack(tmp_path / "nocorpus", [{"id": "q", "question": "Q?"}], corpus=False)
    with pytest.raises(PackError, match="--corpus"):
        load_pack(root)


def test_eval_index_names_differ_by_corpus_and_chunking(tmp_path):
    base = Settings.load(data_dir=tmp_path)
    seeds = index_name(SEEDS, base)
    assert seeds.startswith("eval-seeds-") and seeds != "default"
    assert index_name(SEEDS, base) == seeds
    assert index_name(SEEDS, Settings.load(data_dir=tmp_path, chunk_size=128)) != seeds
    assert index_name(tmp_path / "public" / "corpus", base).startswith("eval-public-")
    Settings.load(data_dir=tmp_path, index=seeds)  # a valid index name


def test_reused_answers_are_those_of_every_setting_that_can_change_an_answer(tmp_path):
    pack = load_pack()
    base = eval_settings(pack, Settings.load(data_dir=tmp_path, backend="local"))

    def print_of(settings):
        return fingerprint(settings, settings_record(pack, settings) | {"commit": "c0ffee"})

    for change in ({"publisher_boost": 0.3}, {"date_boost": 0.0}, {"part_leader_boost": 0.0}, {"part_weight": 0.5},
                   {"same_article_decay": 1.0}, {"local_context_tokens": 1024}, {"answer_strategy": "single"},
                   {"chroma_url": "http://127.0.0.1:8000"}, {"max_file_mb": 0.5}, {"model": "other.gguf"},
                   {"corpus": tmp_path}):
        assert print_of(dataclasses.replace(base, **change)) != print_of(base), change
    for change in ({"llm_threads": 3}, {"data_dir": tmp_path / "elsewhere"}, {"llm_timeout_s": 5.0},
                   {"max_question_chars": 100}, {"login_attempts": 9}):
        assert print_of(dataclasses.replace(base, **change)) == print_of(base), change
    assert print_of(base) != fingerprint(base, settings_record(pack, base) | {"commit": "another"})
    assert set(NOT_IN_FINGERPRINT) <= {f.name for f in dataclasses.fields(Settings)}  # a renamed setting counts


def _row(answer="", abstained=False, cited=(), retrieved=(), hits=None):
    return {"answer": answer, "abstained": abstained, "cited_files": list(cited),
            "retrieved": [{"file": f} for f in retrieved], "chunk_hits": hits}


def test_score_row_answerable_unanswerable_and_abstentions(tmp_path):
    root = write_pack(tmp_path / "p", [
        {"id": "q1", "question": "Q?", "answer": "No", "sources": ["a.txt", "b.txt"], "type": "comparison_query"},
        {"id": "q2", "question": "R?", "answer": "Insufficient information.", "sources": [], "type": "null_query"},
    ], evidence=[{"id": "q1", "evidence": [{"source": "a.txt", "fact": "fact one"}]}])
    q1, q2 = load_pack(root).questions

    s = score_row(q1, _row("No, it does not [1].", cited=["a.txt", "c.txt"], retrieved=["c.txt", "c.txt", "a.txt"],
                           hits=[False, False, True]))
    assert s["strict"] == 1.0 and s["lenient"] == 1.0 and s["f1"] == pytest.approx(0.4)
    assert s["citation_precision"] == 0.5 and s["citation_recall"] == 0.5
    assert s["file_hit@1"] == 0.0 and s["file_hit@4"] == 1.0 and s["file_mrr@10"] == 0.5  # c, c, a: a ranks 2nd
    assert s["file_all_gold@10"] == 0.0 and s["file_recall@10"] == 0.5
    assert s["chunk_hits@4"] == 1.0 and s["chunk_mrr@10"] == pytest.approx(1 / 3)  # chunk ranks are not deduplicated
    assert not s["failed"] and s["correct_abstention"]

    # An abstention on an answerable question: a miss everywhere, though its text shares words with the gold.
    s = score_row(q1, _row("The articles don't say: no article answers this.", abstained=True, retrieved=["a.txt"]))
    assert s["strict"] == s["f1"] == s["lenient"] == 0.0
    assert s["citation_recall"] == 0.0 and s["citation_precision"] is None
    assert s["failed"] and not s["correct_abstention"]

    # The empty answer.
    s = score_row(q1, _row(""))
    assert s["strict"] == s["f1"] == s["lenient"] == 0.0 and s["file_hit@4"] == 0.0 and s["chunk_hits@4"] is None

    # Unanswerable: abstaining is the right answer; retrieval and citation scores do not apply.
    s = score_row(q2, _row("The articles don't say.", abstained=True, retrieved=["a.txt"]))
    assert s["strict"] == 1.0 and not s["failed"]
    assert s["file_hit@4"] is None and s["citation_recall"] is None and s["citation_precision"] is None
    s = score_row(q2, _row("Insufficient information, but probably Meta.", cited=["a.txt"]))
    assert s["strict"] == 0.0 and s["failed"]


@pytest.mark.skipif(not (SHARED_NEWSQA / "public").is_dir(), reason="../shared/newsqa is not here")
def test_the_public_multihop_pack_loads():
    pack = load_pack(SHARED_NEWSQA / "public")
    assert len(pack.questions) == 68 and pack.has_evidence
    assert sum(not q.answerable for q in pack.questions) == 8
    assert pack.missing_sources() == []
    assert all(q.facts for q in pack.questions if q.answerable)
    bigger = load_pack(SHARED_NEWSQA / "public", corpus=SHARED_NEWSQA / "corpus-609" / "corpus")
    assert bigger.missing_sources() == [] and bigger.fingerprint == pack.fingerprint
