"""Browser UI (Gradio): cited chat with a sources panel, the documents, and a field map of Japan."""
