"""newsqa: ask questions of a folder of news articles and get answers that cite their sources.

    from rag import ask, ask_stream, ingest, status
    ingest("seeds/")
    answer = ask("Does the partnership give Meta a stake in Midjourney?")
    answer.text, answer.citations, answer.abstained

    stream = ask_stream("Who is the CEO of Midjourney?")
    for text in stream:  # the answer as it is written
        print(text, end="")
    answer = stream.answer()

    ask("Did he say it stays independent?", history=[answer])  # a follow-up
    status().articles

Importing rag sets TIKTOKEN_CACHE_DIR, ANONYMIZED_TELEMETRY and HF_HUB_OFFLINE where they are unset,
so tiktoken, Chroma and the Hugging Face Hub stay offline (rag/_offline.py); values already set win.
"""

from ._offline import configure_offline

configure_offline()  # before the libraries below load

from .answer import Answer, AnswerStream, Citation, ask, ask_stream  # noqa: E402
from .errors import NewsqaError  # noqa: E402
from .followup import Turn  # noqa: E402
from .ingest import IngestReport, ingest  # noqa: E402
from .settings import Settings  # noqa: E402
from .index_status import IndexStatus, status  # noqa: E402

__all__ = ["Answer", "AnswerStream", "Citation", "IndexStatus", "IngestReport", "NewsqaError", "Settings", "Turn",
           "ask", "ask_stream", "ingest", "status"]
