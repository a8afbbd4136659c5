"""Idle sessions expire: Gradio keeps a copy of the page's configuration for every session it has seen
(about 100 KB each, up to `state_session_capacity` sessions) and never drops it for an idle one. The UI
keeps its conversations in the browser, so forgetting an idle session loses nothing the user needs."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

log = logging.getLogger("ui")


class SessionReaper:
    """Every `every` seconds, forget sessions that were not used for `idle` seconds."""

    def __init__(self, demo, idle: float, every: float | None = None) -> None:
        self.demo = demo
        self.idle = idle
        self.every = every or max(1.0, min(60.0, idle / 4))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="session-reaper", daemon=True)

    def start(self) -> "SessionReaper":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if not getattr(self.demo, "is_running", True):
                return
            try:
                self.prune()
            except Exception:  # noqa: BLE001 - a failed sweep must not end the sweeping
                log.exception("pruning idle sessions failed")

    def prune(self) -> int:
        """Forget the idle sessions now; returns how many."""
        holder = getattr(self.demo, "state_holder", None)
        if holder is None:
            return 0
        cutoff = datetime.now() - timedelta(seconds=self.idle)
        with holder.lock:
            stale = [sid for sid, used in list(holder.time_last_used.items()) if used < cutoff]
        for sid in stale:
            holder.delete_state(sid)  # runs the states' delete callbacks
            with holder.lock:
                holder.session_data.pop(sid, None)
                holder.time_last_used.pop(sid, None)
        if stale:
            log.debug("forgot %d idle sessions", len(stale))
        return len(stale)
