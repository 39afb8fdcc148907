"""The same code serves a `chroma run` server: ingest into it, retrieve from it."""

import pytest

from rag import Settings, ingest
from rag.answer import Engine
from rag.errors import ConfigError, StoreUnavailableError
from tests.conftest import MIDJOURNEY_VENTUREBEAT, SEEDS, free_port


def test_ingest_and_retrieve_through_a_chroma_server(chroma_server, tmp_path):
    settings = Settings.load(data_dir=tmp_path, chroma_url=chroma_server, index="served", backend="local")

    first = ingest(SEEDS, settings=settings, progress=False)
    again = ingest(SEEDS, settings=settings, progress=False)

    assert first.embedded_chunks == first.total_chunks > 0
    assert again.embedded_chunks == 0
    engine = Engine(settings)
    assert engine.index.vector_count() == first.total_chunks
    top = engine.retriever.retrieve("Which company held earlier talks with Midjourney, Elon Musk's xAI?", k=3)
    assert top[0].file == MIDJOURNEY_VENTUREBEAT
    assert top[0].dense is not None  # the vector came back from the server


def test_a_malformed_chroma_url_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="http://host:port"):
        Engine(Settings.load(data_dir=tmp_path, chroma_url="localhost:8000"))


def test_an_unreachable_chroma_server_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailableError, match=f"Cannot reach the Chroma server at {url}"):
        ingest(SEEDS, settings=Settings.load(data_dir=tmp_path, chroma_url=url), progress=False)
