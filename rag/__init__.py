"""newsqa: ask questions of a folder of news articles and get answers that cite their sources.

    from rag import ask, ingest
    ingest("seeds/")
    answer = ask("Does the partnership give Meta a stake in Midjourney?")
    answer.text, answer.citations, answer.abstained
"""

from ._offline import configure_offline

configure_offline()

from .answer import Answer, Citation, ask, ask_stream  # noqa: E402
from .errors import NewsqaError  # noqa: E402
from .ingest import IngestReport, ingest  # noqa: E402
from .settings import Settings  # noqa: E402

__all__ = ["Answer", "Citation", "IngestReport", "NewsqaError", "Settings", "ask", "ask_stream", "ingest"]
