"""The browser UI (Gradio): a cited chat, the documents, and a field map of Japan, one page class each.

    from ui.app import build_app, launch
    launch()                                   # http://127.0.0.1:7860
    python -m ui.app --host 0.0.0.0 --auth user:pass

The server keeps nothing per conversation: the browser holds it (see ui/pages/chat.py). The `Assistant` is
shared and safe to call from many threads, so questions never wait for each other or for an upload. In
front of Gradio, `ui.guard` limits logins and raw uploads; idle sessions expire (`ui.sessions`) and
Gradio's upload cache is cleaned.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr  # noqa: E402
from fastapi.middleware import Middleware  # noqa: E402

from corpus import loaders  # noqa: E402
from ui.catalog import Library  # noqa: E402
from ui.content import content  # noqa: E402
from ui.guard import Guard, LoginLimiter, UploadQuota  # noqa: E402
from ui.pages.api import ApiEndpoints  # noqa: E402
from ui.pages.chat import ChatPage  # noqa: E402
from ui.pages.documents import DocumentsPage  # noqa: E402
from ui.pages.field_map import FieldMapPage  # noqa: E402
from ui.render.html import esc  # noqa: E402
from ui.sessions import SessionReaper  # noqa: E402

log = logging.getLogger("ui")

STATIC = Path(__file__).with_name("static")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Gradio runs event handlers in worker threads, per event at most CONCURRENCY at a time. An answer is
# ~10-100 ms of CPU-bound Python and the GIL runs one thread at a time, so more workers than this only add
# contention on 2 cores; further requests wait in the queue (up to QUEUE_SIZE) in order.
CONCURRENCY = 4
QUEUE_SIZE = 256
# Gradio itself refuses uploads above this size (with its own message) so that a huge file never reaches
# the server's disk; files between the document limit and this are refused by the handler, in Japanese.
UPLOAD_HARD_LIMIT_FACTOR = 4


@dataclass(frozen=True)
class Limits:
    """Server-side bounds (the defaults suit a shared deployment; tests shorten them)."""

    idle_seconds: float = 1800.0  # a session unused this long is forgotten (its page reloads its state)
    sessions: int = 1000  # sessions Gradio keeps at most (least recently used are dropped first)
    cache_seconds: int = 3600  # Gradio's upload cache: files older than this are deleted
    upload_quota: int = 500 * 1024 * 1024  # bytes a client may post to the upload route …
    upload_window: float = 3600.0  # … per this many seconds
    login_free: int = 5  # wrong passwords before the lockouts start (1 s, 2 s, 4 s …)


class App:
    """One shared Assistant, its library snapshot, and the pages."""

    def __init__(self, bot, limits: Limits | None = None) -> None:
        self.bot = bot
        self.limits = limits or Limits()
        self.content = content()
        self.library = Library(bot)

    def build(self) -> gr.Blocks:
        text = self.content
        cache = (max(1, min(600, self.limits.cache_seconds // 2)), self.limits.cache_seconds)
        with gr.Blocks(title=text.title, analytics_enabled=False, delete_cache=cache) as demo:
            gr.HTML(f"<h1>{esc(text.title)}</h1><p>{esc(text.subtitle)}</p>{THEME_SWITCH}", elem_id="app-title",
                    padding=False)
            self.api = ApiEndpoints(self)
            with gr.Tabs(elem_id="tabs"):
                with gr.Tab("チャット", id="chat-tab") as tab:
                    self.chat = ChatPage(self, tab)
                with gr.Tab("資料", id="docs-tab") as tab:
                    self.documents = DocumentsPage(self, tab)
                with gr.Tab("分野マップ", id="map-tab") as tab:
                    self.field_map = FieldMapPage(self, tab)
            pages = (self.api, self.chat, self.documents, self.field_map)
            for page in pages:
                page.build_hidden()
            for page in pages:
                page.wire()
            chat = self.chat
            # The kept conversation is restored before anything can be sent: an answer that arrived first
            # would be replaced by the restored conversation (and the question box by the kept draft).
            demo.load(chat.on_load, [chat.store, chat.question], [chat.chatbot, chat.store, chat.question],
                      js="() => PA.boot()", api_visibility="private").then(
                None, js="() => PA.restored()", api_visibility="private")
        demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
        return demo


def build_app(bot, limits: Limits | None = None) -> gr.Blocks:
    """The whole UI for one shared Assistant, queue configured (launch it with `launch()` for the static
    files, the theme and the guards)."""
    return App(bot, limits).build()


# --- launching ----------------------------------------------------------------------------------------


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:pass' → (user, pass). The password may contain ':'; both parts must be non-empty."""
    if value is None or value == "":
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("ログイン情報は「ユーザー名:パスワード」の形で指定してください（例: --auth alice:secret）。")
    return user, password


def host_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    if host in LOCAL_HOSTS:
        return None
    text = (
        f"警告: {host} で待ち受けます。このコンピューターの外（同じネットワークの他の端末など）から"
        "アクセスできます。"
    )
    if auth is None:
        text += "ログインが設定されていません。--auth ユーザー名:パスワード（または環境変数 ASSISTANT_UI_AUTH）で設定してください。"
    else:
        text += "ログインは設定されていますが、通信は暗号化されません（HTTP）。"
    return text


def theme() -> gr.themes.Base:
    # System fonts only: a web font would be fetched from the internet.
    return gr.themes.Soft(
        font=["Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic UI", "Meiryo", "sans-serif"],
        font_mono=["Noto Sans Mono CJK JP", "monospace"],
    )


# Light / dark (static/js/base.js sets its words and state once the page has loaded).
THEME_SWITCH = '<button type="button" id="theme-toggle" aria-pressed="false">表示の明るさ</button>'
SCRIPTS = ("base.js", "sources.js", "history.js", "matrix.js", "connection.js")  # base.js first: the others use it


def head() -> str:
    """The page's scripts (static/js/), inlined so they run before the app renders."""
    code = "\n".join((STATIC / "js" / name).read_text(encoding="utf-8") for name in SCRIPTS)
    return f"<script>{code}</script>"


def launch(
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | tuple[str, str] | None = None,
    *,
    bot=None,
    settings=None,
    limits: Limits | None = None,
    block: bool = True,
    quiet: bool = False,
) -> gr.Blocks:
    """Start the UI. `auth` is 'user:pass' (or a pair); without it, ASSISTANT_UI_AUTH is used.

    With block=False the server runs in the background and the Blocks are returned (call .close()).
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    limits = limits or Limits()
    pair = auth if isinstance(auth, tuple) else parse_auth(auth or os.environ.get("ASSISTANT_UI_AUTH"))
    warning = host_warning(host, pair)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    if bot is None:
        from assistant import Assistant
        from assistant import Settings

        bot = Assistant.load(settings or Settings.from_env())
    demo = build_app(bot, limits)
    guard = Middleware(Guard, logins=LoginLimiter(free=limits.login_free),
                       uploads=UploadQuota(limits.upload_quota, limits.upload_window))
    demo.launch(
        server_name=host,
        server_port=port,
        auth=pair,
        auth_message="ログインしてください。" if pair else None,
        share=False,
        inbrowser=False,
        show_error=False,
        prevent_thread_lock=True,
        quiet=quiet,
        ssr_mode=False,
        footer_links=[],  # Gradio's 「APIを介して使用」 leads to English developer pages; README describes the API
        max_file_size=UPLOAD_HARD_LIMIT_FACTOR * loaders.DEFAULT_MAX_BYTES,
        state_session_capacity=limits.sessions,
        app_kwargs={"middleware": [guard]},
        theme=theme(),
        css_paths=[STATIC / "app.css"],
        head=head(),
    )
    demo.session_reaper = SessionReaper(demo, limits.idle_seconds).start()
    if block:
        demo.block_thread()
    return demo


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant ui", description=f"{content().title}のチャット画面（ブラウザ用）を起動します。",
                                add_help=False)
    p.add_argument("-h", "--help", action="help", help="このヘルプを表示して終了する")
    p.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定: 127.0.0.1。外部に公開すると警告します）")
    p.add_argument("--port", type=int, default=7860, help="ポート番号（既定: 7860）")
    p.add_argument("--auth", help="ログイン（ユーザー名:パスワード）。環境変数 ASSISTANT_UI_AUTH でも指定できます")
    return p


def main(argv: list[str] | None = None, settings=None) -> int:
    args = _parser().parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        auth = parse_auth(args.auth or os.environ.get("ASSISTANT_UI_AUTH"))
    except ValueError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    from assistant import Assistant
    from assistant import Settings

    print("索引を読み込んでいます…", file=sys.stderr, flush=True)
    try:
        bot = Assistant.load(settings or Settings.from_env())
    except Exception as exc:  # noqa: BLE001 - index errors carry a Japanese message that names the fix
        log.debug("load failed", exc_info=True)
        print(f"エラー: {exc}", file=sys.stderr)
        return 1
    demo = launch(args.host, args.port, auth, bot=bot, block=False, quiet=True)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"http://{shown}:{args.port} で開きました（終了は Ctrl+C）。", file=sys.stderr, flush=True)
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
