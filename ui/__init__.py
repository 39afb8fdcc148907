"""Presentation over rag: the Gradio chat page lives here."""
