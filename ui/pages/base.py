"""The shape of a page: the layout is built when the page is created (inside its tab), the events are
wired by `wire()` once every page exists, because a page may update another page's components (an upload
in 資料 refreshes the chat's and the map's document lists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.app import App

PRIVATE = {"api_visibility": "private"}  # events that are not part of the public JSON API


class Page:
    def __init__(self, app: "App", tab=None) -> None:
        self.app = app
        self.tab = tab  # the gr.Tab the page sits in (its select event syncs the page)
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def build_hidden(self) -> None:
        """Hidden components the page's script talks to; built outside the tabs (a tab's content is only
        put on the page when the tab is first opened, and the script needs them from the start)."""

    def wire(self) -> None:
        """Connect this page's events (all pages' components exist by now)."""
