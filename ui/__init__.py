"""Presentation over rag: the Gradio chat page that `newsqa ui` serves.

- app.py: the page and its API endpoints (/ask, /ask_stream, /corpus)
- serve.py: `newsqa ui`'s checks before it binds (exposure, credentials, port), the login throttle, launching
- render.py: answers with hoverable, clickable [n] markers; source cards; the article with its passage highlighted
- corpus.py: corpus figures, example questions, sanitised uploads into the corpus folder's uploads/
- conversation.py: the chat history for the engine's follow-up rewriting, and the "Searched for" line

rag never imports ui; `from ui.serve import launch` loads Gradio.
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # read as Gradio loads: the page sends no analytics
