"""Input limits shared by the API, the CLI and the UI."""

# Long enough for any real question with context; longer input is refused with this number.
MAX_QUESTION_CHARS = 1000
