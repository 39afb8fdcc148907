"""Every knob newsqa has, in one place.

Values come from, in rising priority: the defaults below, environment
variables named ``NEWSQA_<FIELD>`` (upper case), and keyword arguments or CLI
flags passed to :meth:`Settings.load`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"
STRATEGIES = ("auto", "single", "stepwise")


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("newsqa", appauthor=False))


@dataclass(frozen=True)
class Settings:
    # Corpus and index
    corpus: Path | None = None  # None: the folder the index was built from, else seeds/
    data_dir: Path = dataclasses.field(default_factory=_default_data_dir)
    index: str = "default"
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000 for a `chroma run` server
    max_file_mb: float = 5.0

    # Chunking (tokens of cl100k_base); 256 measured best on the MultiHop-RAG pack
    chunk_size: int = 256
    chunk_overlap: int = 32

    # Embeddings: "minilm" (offline, bundled) or "openai"
    embedder: str = "minilm"
    openai_embedding_model: str = "text-embedding-3-small"

    # Retrieval
    top_k: int = 10
    candidates: int = 50  # taken from each of dense and BM25 before fusion
    dense_weight: float = 0.2  # measured in bench/retrieval.py; the README has the table
    lexical_weight: float = 0.8
    min_relevance: float = 0.15  # best dense cosine under this: abstain
    # News-aware retrieval (rag/query.py): each part of a question is also searched within the publishers
    # it names. Measured with bench/retrieval.py --grid on the public pack; the README has the table.
    part_candidates: int = 40  # taken from each part's own searches
    part_leaders: int = 1  # articles of each part that get part_leader_boost
    part_leader_boost: float = 0.1
    part_weight: float = 1.0  # a part's own fused score counts this much against the whole question's
    publisher_boost: float = 0.2  # for chunks from a publisher the question names
    date_boost: float = 0.2  # for chunks published on a date, or in a range, the question names
    same_article_decay: float = 0.9  # each further chunk of an article already ranked is scored this much less

    # Answering
    backend: str | None = None  # "openai" or "local"; None: openai if OPENAI_API_KEY is set
    model: str | None = None  # None: gpt-4o-mini (openai) or the bundled SmolLM2 (local)
    context_chunks: int = 4
    max_answer_tokens: int = 256
    local_context_tokens: int = 2048
    llm_timeout_s: float = 60.0  # openai backend: seconds one answer's model calls may take together, not per read
    # "single": one prompt with the passages; "stepwise": small checked steps (rag/stepwise.py);
    # "auto": what measured better for the backend (its auto_strategy in rag/llm.py; the README has the table).
    answer_strategy: str = "auto"
    llm_threads: int = 0  # llama.cpp threads; 0: one fewer than the cores, so a busy neighbour costs <= 2x
    max_question_chars: int = 2000  # the CLI, the page, /ask and ask() refuse longer questions

    # The page's login (newsqa ui with credentials): after login_attempts wrong passwords in a row a user
    # name is locked for login_lock_s, doubled by each further wrong one, up to login_lock_max_s.
    login_attempts: int = 5
    login_lock_s: float = 2.0
    login_lock_max_s: float = 300.0

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Settings from defaults, then NEWSQA_* environment variables, then ``overrides``."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"NEWSQA_{f.name.upper()}")
            if raw not in (None, ""):
                values[f.name] = _parse(f, raw)
        values.update(overrides)
        return cls().replace(**values)

    def replace(self, **overrides) -> "Settings":
        """These settings with ``overrides`` (None leaves a value as it is), checked like :meth:`load`'s."""
        _check_known(overrides)
        values = {k: Path(v).expanduser() if k in ("corpus", "data_dir") else v
                  for k, v in overrides.items() if v is not None}
        changed = dataclasses.replace(self, **values)
        changed.validate()
        return changed

    @property
    def resolved_backend(self) -> str:
        if self.backend:
            return self.backend
        return "openai" if os.environ.get("OPENAI_API_KEY") else "local"

    @property
    def resolved_strategy(self) -> str:
        if self.answer_strategy != "auto":
            return self.answer_strategy
        from .llm import chat_backend

        return chat_backend(self.resolved_backend).auto_strategy

    @property
    def resolved_llm_threads(self) -> int:
        # As many threads as cores makes llama.cpp wait at every step on a core another process holds
        # (82 -> 11 tokens/s on 2 cores); one fewer loses nothing then (bench/ask.py).
        return self.llm_threads or max(1, (os.cpu_count() or 2) - 1)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes" / self.index

    def validate(self) -> None:
        self._validate_choices()
        self._validate_numbers()
        self._validate_data_dir()

    def _validate_choices(self) -> None:
        # Imported here: both registries' modules import this one.
        from .embeddings import EMBEDDING_BACKENDS
        from .llm import CHAT_BACKENDS

        if self.backend is not None and self.backend not in CHAT_BACKENDS:
            raise ConfigError(f"backend must be {_either(CHAT_BACKENDS)}, not {self.backend!r}.")
        if self.answer_strategy not in STRATEGIES:
            raise ConfigError(f"answer_strategy must be one of {', '.join(STRATEGIES)}, not {self.answer_strategy!r}.")
        if self.embedder not in EMBEDDING_BACKENDS:
            raise ConfigError(f"embedder must be {_either(EMBEDDING_BACKENDS)}, not {self.embedder!r}.")
        if not self.index.replace("-", "").replace("_", "").isalnum():
            raise ConfigError("index names use letters, digits, '-' and '_' only.")

    def _validate_numbers(self) -> None:
        # Written so that NaN fails too: every comparison with NaN is False.
        for name in ("chunk_size", "context_chunks", "max_answer_tokens", "local_context_tokens", "part_candidates",
                     "max_question_chars", "login_attempts"):
            if not getattr(self, name) >= 1:
                raise ConfigError(f"{name} must be at least 1, not {getattr(self, name)!r}.")
        for name in ("llm_timeout_s", "max_file_mb"):
            if not 0 < getattr(self, name) < math.inf:
                raise ConfigError(f"{name} must be a number above 0, not {getattr(self, name)!r}.")
        for name in ("dense_weight", "lexical_weight", "part_weight", "part_leader_boost", "publisher_boost",
                     "date_boost", "part_leaders", "login_lock_s"):
            if not 0 <= getattr(self, name) < math.inf:
                raise ConfigError(f"{name} must be 0 or more, not {getattr(self, name)!r}.")
        if self.dense_weight + self.lexical_weight == 0:
            raise ConfigError("dense_weight and lexical_weight cannot both be 0.")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ConfigError("chunk_overlap must be at least 0 and smaller than chunk_size.")
        if self.top_k < 1 or self.candidates < self.top_k:
            raise ConfigError("top_k must be at least 1 and no larger than candidates.")
        if self.llm_threads < 0:
            raise ConfigError("llm_threads must be 0 (automatic) or more.")
        if not 0 < self.same_article_decay <= 1:
            raise ConfigError(f"same_article_decay must be above 0 and at most 1, not {self.same_article_decay!r}.")
        if not -1 <= self.min_relevance <= 1:
            raise ConfigError(f"min_relevance is a cosine, from -1 to 1, not {self.min_relevance!r}.")
        if not self.login_lock_s <= self.login_lock_max_s < math.inf:
            raise ConfigError("login_lock_max_s must be a number no smaller than login_lock_s.")

    def _validate_data_dir(self) -> None:
        # The nearest existing folder on the way must be a folder, or creating the index fails with a traceback.
        for path in (self.data_dir, *self.data_dir.parents):
            if path.exists():
                if not path.is_dir():
                    raise ConfigError(f"data_dir {self.data_dir} is not a folder: {path} is a file.")
                return


def _either(names) -> str:
    """'a' or 'b'; 'a', 'b' or 'c'."""
    quoted = [repr(name) for name in names]
    return " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def _check_known(overrides: dict) -> None:
    unknown = set(overrides) - {f.name for f in fields(Settings)}
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")


def check_question(question: str, settings: Settings) -> str:
    """The question without surrounding blanks; an empty or overlong one is a :class:`ConfigError`."""
    asked = (question or "").strip()
    if not asked:
        raise ConfigError("the question is empty; ask something the articles might answer.")
    if len(asked) > settings.max_question_chars:
        raise ConfigError(f"the question is {len(asked):,} characters long; the limit is "
                          f"{settings.max_question_chars:,} (NEWSQA_MAX_QUESTION_CHARS).")
    return asked


def _parse(f: dataclasses.Field, raw: str):
    kind = str(f.type)
    try:
        if "bool" in kind:
            return raw.lower() in ("1", "true", "yes", "on")
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise ConfigError(f"NEWSQA_{f.name.upper()}={raw!r} is not a valid {kind}.") from None
    return raw
