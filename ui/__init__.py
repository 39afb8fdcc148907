"""Presentation over rag: the Gradio chat page that `newsqa ui` serves.

- app.py: the page, its API endpoints (/ask, /ask_stream, /corpus) and safe launching
- render.py: answers with hoverable, clickable [n] markers; source cards; the article with its passage highlighted
- corpus.py: corpus figures, example questions, sanitised uploads into the corpus folder's uploads/
- conversation.py: the chat history for the engine's follow-up rewriting, and the "Searched for" line

rag never imports ui; `from ui.app import build_app, launch` loads Gradio.
"""
