"""The errors newsqa raises on purpose; each message says what to do next."""


class NewsqaError(Exception):
    """Base class: the CLI prints these as one line, without a traceback."""

    exit_code = 1


class ConfigError(NewsqaError):
    exit_code = 2


class CorpusError(NewsqaError):
    exit_code = 3


class IndexMismatchError(NewsqaError):
    """The index was built with another embedder or chunking than asked for."""

    exit_code = 4


class ModelFileError(NewsqaError):
    """A bundled model file is missing or its checksum is wrong."""

    exit_code = 5


class LLMError(NewsqaError):
    """The language model could not be reached or refused the request."""

    exit_code = 6


class StoreUnavailableError(NewsqaError):
    """The configured Chroma server does not answer."""

    exit_code = 7


class IndexDamagedError(NewsqaError):
    """The local cache (index.sqlite) stopped being a readable database; the next run rebuilds it from Chroma."""

    exit_code = 9
