"""What every suite does before it times a system's answers."""

from __future__ import annotations


def warm_up(ask, question: str) -> None:
    """One question first: lazy loading is not a question's latency (an error shows in the real ones)."""
    try:
        ask(question, [])
    except Exception:  # noqa: BLE001 - the real questions record the error
        pass
