"""Pure HTML rendering for the UI: no Gradio, no I/O, no state. One module per screen part.

Every piece of user or document text goes through `html.esc()` before it reaches HTML, so a question or a
document containing `<script>` or `<img onerror=…>` is shown as text (the chat renders our HTML unsanitised
because it carries data attributes the page's script needs). Spans are highlighted by their character
offsets (the same offsets the citations carry), never by searching for the text.
"""
