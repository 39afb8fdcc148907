"""An optional LLM judge: an OpenAI-compatible model grades each answer against the gold answer.

Configured by environment variables, and only when NEWSQA_JUDGE_MODEL is set:

    NEWSQA_JUDGE_MODEL      the judge model's name, e.g. gpt-4o
    NEWSQA_JUDGE_BASE_URL   its OpenAI-compatible endpoint (default: OPENAI_BASE_URL, else OpenAI)
    NEWSQA_JUDGE_API_KEY    its key (default: OPENAI_API_KEY)

Its verdicts are reported apart from the deterministic scores: they depend on the judge.
"""

from __future__ import annotations

import os
import re

from .pack import Question

PROMPT = """You grade answers to questions about news articles.
Question: {question}
Gold answer: {gold}
Candidate answer: {answer}

Does the candidate answer give the same answer as the gold answer? Extra detail is fine; a
different, missing or hedged answer is not. If the gold answer is "Insufficient information."
the candidate is correct only if it says the articles do not answer the question.
Reply with one word: CORRECT or INCORRECT."""
_VERDICT = re.compile(r"\b(INCORRECT|CORRECT)\b", re.IGNORECASE)


class Judge:
    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout_s: float = 60.0) -> None:
        import openai

        self.model = model
        self.base_url = base_url
        self._client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout_s,
                                     max_retries=1)

    def describe(self) -> dict:
        return {"model": self.model, "base_url": self.base_url}

    def grade(self, question: Question, answer: str, abstained: bool) -> dict:
        """{"correct": True/False, or None when the judge failed or said neither, "reply": its words}."""
        gold = " / ".join(question.golds) or "Insufficient information."
        prompt = PROMPT.format(question=question.question, gold=gold, answer=answer or "(no answer)")
        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": prompt}], max_tokens=8, temperature=0)
            reply = (response.choices[0].message.content or "").strip()
        except Exception as error:  # noqa: BLE001 - a judge failure must not end a long run
            return {"correct": None, "reply": f"judge error: {type(error).__name__}: {error}"[:300]}
        verdict = _VERDICT.search(reply)
        return {"correct": None if verdict is None else verdict.group(1).upper() == "CORRECT", "reply": reply[:200]}


def judge_from_env() -> Judge | None:
    """The judge NEWSQA_JUDGE_* configure, or None when NEWSQA_JUDGE_MODEL is unset."""
    model = os.environ.get("NEWSQA_JUDGE_MODEL")
    if not model:
        return None
    return Judge(model, os.environ.get("NEWSQA_JUDGE_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or None,
                 os.environ.get("NEWSQA_JUDGE_API_KEY") or os.environ.get("OPENAI_API_KEY"))
