"""Scoring newsqa against gold question/answer packs; only uses rag's public API."""
