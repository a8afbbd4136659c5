"""The generative mode in the chat: the text as it streams, the badge saying which mode answered (and the
model), the extractive answer one click away, and each sentence's verdict in 検索の経過.

Everything here reads the stored turn (JSON from the browser), never the Answer object.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ui.render.html import esc, esc_lines, flat

GENERATIVE = "generative"  # assistant.GENERATIVE (kept as data: turns arrive as JSON)
GENERATION_KEYS = ("mode", "model", "generation_status", "verdicts")  # the trace keys `verdicts_html` shows
STATUS = {"done": "完了", "truncated": "途中で切れた", "timeout": "時間切れ", "unreachable": "接続できない",
          "malformed": "読み取れない応答", "failed": "サーバーのエラー"}
REF_CHARS = 60


def streaming_html(text: str) -> str:
    """The answer while the model writes it: only sentences already verified are in `text`."""
    body = f'<div class="body gen-stream">{esc_lines(text)}</div>' if text else ""
    return flat(f'<div class="answer pending" data-state="streaming" data-mode="generative">'
                f'<p class="line gen-status">生成しています（各文を出典と照合してから表示します）…</p>{body}</div>')


def badge_html(answer: Mapping[str, Any]) -> str:
    """Which mode answered: 生成 with the model, or 抽出 after a generation that could not be shown."""
    mode, model = answer.get("mode"), str(answer.get("model") or "")
    if mode == GENERATIVE:
        checked = sum(1 for v in answer.get("verdicts") or [] if isinstance(v, Mapping) and v.get("ok"))
        title = f"生成（{model}）" if model else "生成"
        return (f'<div class="gen-badge" data-mode="generative"><span class="badge gen">{esc(title)}</span>'
                f'<span class="hint">出典と照合済みの文 {checked} 件</span></div>')
    if answer.get("note"):
        return '<div class="gen-badge" data-mode="extractive"><span class="badge ext">抽出</span></div>'
    return ""


def _refs(citations: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for c in citations:
        snippet = str(c.get("text", "")).replace("\n", " ")
        more = "…" if len(snippet) > REF_CHARS else ""
        rows.append(f'<p class="ext-ref">[{esc(c.get("n", ""))}] {esc(c.get("title", ""))} / '
                    f'{esc(c.get("section", "") or c.get("block", ""))}：「{esc(snippet[:REF_CHARS])}{more}」</p>')
    return f'<div class="ext-refs">{"".join(rows)}</div>' if rows else ""


def extractive_html(turn: Mapping[str, Any], lines_html) -> str:
    """「抽出による回答を表示」: the extractive answer to the same question, folded under a generated one.
    `lines_html(lines, citations, turn_id)` is the chat's own line renderer."""
    ex = turn.get("extractive")
    answer = turn.get("answer") or {}
    if answer.get("mode") != GENERATIVE or not isinstance(ex, Mapping):
        return ""
    lines = list(ex.get("lines") or [])
    citations = list(ex.get("citations") or [])
    body = lines_html(lines, citations, str(turn.get("id", ""))) if lines else f'<p class="line">{esc_lines(ex.get("text", ""))}</p>'
    return (f'<details class="extractive-view" data-turn="{esc(turn.get("id", ""))}"><summary>抽出による回答を表示</summary>'
            f'<div class="ext-body">{body}{_refs(citations)}</div></details>')


def verdicts_html(trace: Mapping[str, Any]) -> str:
    """The generative mode's part of 検索の経過: each sentence, kept (✓) or dropped (✗), and why."""
    verdicts = [v for v in trace.get("verdicts") or [] if isinstance(v, Mapping)]
    if not trace.get("mode"):
        return ""
    mode = "生成" if trace.get("mode") == GENERATIVE else "抽出"
    status = STATUS.get(str(trace.get("generation_status") or ""), "")
    head = (f'<p class="trace-mode">回答の方式：{esc(mode)}　モデル：{esc(trace.get("model") or "–")}'
            f'{f"　生成の状態：{esc(status)}" if status else ""}</p>')
    if not verdicts:
        return f'{head}<p class="hint trace-verdicts">照合した生成文はありません。</p>'
    rows = "".join(
        f'<tr class="{"ok" if v.get("ok") else "dropped"}"><td>{"✓" if v.get("ok") else "✗"}</td>'
        f'<td>{esc(v.get("text", ""))}{esc(v.get("marks", ""))}</td><td>{esc(v.get("why", ""))}</td>'
        f'<td>{esc(v.get("overlap", ""))}</td></tr>'
        for v in verdicts
    )
    return (f'{head}<table class="trace-verdicts"><caption>生成した各文の照合</caption><thead><tr><th></th><th>文</th>'
            f'<th>判定</th><th>語の重なり</th></tr></thead><tbody>{rows}</tbody></table>')
