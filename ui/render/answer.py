"""Chat messages: the user's question and the assistant's answer rendered from its typed lines, with
citation buttons, the context chip, the answer's own sources, the retrieval trace and the answer's tools.

Each answer carries everything the page's script needs (`data-turn`, `data-n`, the quoted text, the copy
text), so following a citation, switching the sources panel and copying need no server round trip.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from assistant import reference_list, strength_label
from ui.content import content
from ui.conversation import MAX_COMMENT_CHARS as MAX_COMMENT
from ui.conversation import STRENGTHS, as_citation
from ui.render.generation import GENERATION_KEYS, badge_html, extractive_html, verdicts_html
from ui.render.html import esc, esc_lines, flat, get
from ui.render.sources import DocMeta, cards_html

QUOTE_CHARS = 140  # shown when hovering a citation; the card has the whole passage
CONTEXT_CHARS = 40  # the passage's words shown around a short cited span in the preview (same line only)
LIST_KINDS = ("unit", "item")
_LIST_MARK = re.compile(r"^\s*[-*+]\s+")  # a Markdown bullet at the start of the line, not the document's words


def user_html(turn: Mapping[str, Any], scope: Sequence[str] = ()) -> str:
    """The user's message (escaped); `scope` names the documents the question was limited to."""
    note = f'<div class="scope">対象の資料：{esc("、".join(scope))}</div>' if scope else ""
    return flat(f'<div class="question" data-turn="{esc(turn.get("id", ""))}">{esc_lines(turn.get("question", ""))}{note}</div>')


def notice_html(text: str, kind: str = "info", turn: str = "") -> str:
    """A short system message (errors, refusals) for the chat."""
    attr = f' data-turn="{esc(turn)}"' if turn else ""
    return flat(f'<div class="notice notice-{esc(kind)}"{attr} role="status">{esc_lines(text)}</div>')


def _around(c: Any, passages: Mapping[str, Any]) -> tuple[str, str]:
    """The passage's words just before and after a cited span, on the same line (the preview marks the span
    inside them, so a one-item span is shown in its sentence)."""
    passage = passages.get(str(get(c, "chunk_id", "")))
    if passage is None:
        return "", ""
    text, base = str(get(passage, "text", "")), int(get(passage, "start", 0) or 0)
    start, end = int(get(c, "start", 0) or 0) - base, int(get(c, "end", 0) or 0) - base
    if not (0 <= start <= end <= len(text)):
        return "", ""
    before = _LIST_MARK.sub("", text[max(0, start - CONTEXT_CHARS):start].rsplit("\n", 1)[-1])
    after = text[end:end + CONTEXT_CHARS].split("\n", 1)[0]
    return ("…" if before and start > CONTEXT_CHARS else "") + before, after + ("…" if len(after) == CONTEXT_CHARS else "")


def _cite_buttons(cites: Sequence[int], by_n: Mapping[int, Any], turn: str, passages: Mapping[str, Any]) -> str:
    out = []
    for n in cites:
        c = by_n.get(n)
        if c is None:
            continue
        quote = str(get(c, "text", "")).replace("\n", " ")
        quote = quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS] + "…"
        before, after = _around(c, passages) if len(quote) < QUOTE_CHARS else ("", "")
        where = " / ".join(v for v in (str(get(c, "block", "") or ""), str(get(c, "title", "") or "")) if v)
        out.append(
            f'<button type="button" class="cite" data-turn="{esc(turn)}" data-n="{n}" data-quote="{esc(quote)}"'
            f' data-before="{esc(before)}" data-after="{esc(after)}"'
            f' data-where="{esc(where)}" aria-label="出典 {n}：{esc(quote)}">[{n}]</button>'
        )
    return "".join(out)


def strength_badge(strength: Any) -> str:
    """● 検討 / ○ 言及のみ after an item: the assistant's words (assistant.strength_label), as on the map."""
    if strength not in STRENGTHS:
        return ""
    label = strength_label(strength)
    return (f'<span class="badge strength {esc(strength)}" data-strength="{esc(strength)}"'
            f' title="{esc(label.explain)}">{esc(label.badge)}</span>')


def _item_strengths(line: Mapping[str, Any]) -> list[Any]:
    items = list(line.get("items", ()))
    own = line.get("strengths")
    return list(own) if isinstance(own, list) and len(own) == len(items) else [line.get("strength")] * len(items)


def _line_html(line: Mapping[str, Any], by_n: Mapping[int, Any], turn: str, passages: Mapping[str, Any]) -> str:
    kind = line.get("kind", "")
    cites = _cite_buttons([int(n) for n in line.get("cites", ()) if isinstance(n, int)], by_n, turn, passages)
    text = esc(line.get("text", ""))
    if kind == "unit":
        items = "、".join(f'<span class="it">{esc(i)}{strength_badge(s)}</span>'
                         for i, s in zip(line.get("items", ()), _item_strengths(line)))
        return (f'<li class="unit" data-unit="{esc(line.get("unit", ""))}"><span class="unit-name">'
                f'{esc(line.get("unit", ""))}</span>：{items or text}{cites}</li>')
    if kind == "item":
        return f'<li class="item">{text}{strength_badge(line.get("strength"))}{cites}</li>'
    if kind == "quote":
        return f'<blockquote class="quote">{text}{cites}</blockquote>'
    if kind == "reference":
        return f'<p class="reference"><span class="badge ref">参考</span>{text}{cites}</p>'
    css = {"lead": "lead", "note": "note", "decline": "decline"}.get(kind, "line")
    return f'<p class="{css}">{text}{cites}</p>'


def lines_html(lines: Sequence[Mapping[str, Any]], citations: Sequence[Any], turn: str,
               passages: Mapping[str, Any] | None = None) -> str:
    """The answer's lines; consecutive unit/item lines form one list."""
    by_n = {get(c, "n"): c for c in citations}
    out: list[str] = []
    in_list = False
    for line in lines:
        listed = line.get("kind") in LIST_KINDS
        if listed and not in_list:
            out.append("<ul>")
        elif not listed and in_list:
            out.append("</ul>")
        in_list = listed
        out.append(_line_html(line, by_n, turn, passages or {}))
    if in_list:
        out.append("</ul>")
    return "".join(out)


def copy_text(answer: Mapping[str, Any]) -> str:
    """What 「コピー」 puts on the clipboard: the answer and its numbered references, as the CLI prints them."""
    text = str(answer.get("text", ""))
    refs = reference_list([as_citation(c) for c in answer.get("citations", [])])
    return f"{text}\n\n{refs}" if refs else text


# --- the trace (検索の経過) ---------------------------------------------------------------------------
# In the user's words first (what the question was read as, which passages were looked at and used); the
# internal names and the raw scores are behind 「詳細」 for whoever needs them.

TRACE_LABELS = {
    "intent": "意図", "followup": "追加質問", "carried": "引き継いだ内容", "blocks": "単位", "units": "単位",
    "fields": "分野", "sections": "節", "headings": "見出し", "phrases": "資料の語句", "topics": "話題",
    "quoted": "引用された語", "documents": "文書", "place_notes": "地名", "unknown_terms": "資料にない語",
    "unknown_names": "資料にない名前", "asks": "求める情報", "negated": "否定", "cues": "手がかり",
    "entities": "抽出した語", "scope": "対象", "notes": "読み替え", "generation_note": "生成についての注記",
    "generation_ms": "生成の時間（ms）",
}
TRACE_TABLES = ("candidates", "chosen", *GENERATION_KEYS)  # shown in their own sections
TRACE_SKIP = ("ms",)
# What the plain view names among the words read from the question (the rest is in 詳細).
READ_WORDS = ("units", "fields", "sections", "headings", "phrases", "topics", "quoted")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "はい" if v else "いいえ"
    if isinstance(v, Mapping):
        return "、".join(f"{TRACE_LABELS.get(k, k)}：{_value(x)}" for k, x in v.items() if x not in (None, "", [], {}))
    if isinstance(v, (list, tuple)):
        return "、".join(_value(x) for x in v)
    return str(v)


def _num(v: Any) -> str:
    return f"{v:.4f}" if isinstance(v, (int, float)) and not isinstance(v, bool) else "–"


def _facts(pairs: Sequence[tuple[str, str]]) -> str:
    return "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs if v)


def _plain_facts(trace: Mapping[str, Any], metas: Mapping[str, DocMeta]) -> list[tuple[str, str]]:
    """What the question was read as, without the program's names."""
    kinds = content().intents
    intent = str(trace.get("intent") or "")
    read = "、".join(f"{TRACE_LABELS[k]}：{_value(trace[k])}" for k in READ_WORDS if trace.get(k))
    titles = [metas[d].title if d in metas and metas[d].title else "" for d in trace.get("scope") or []]
    return [
        ("質問の種類", kinds.get(intent, "")),
        ("読み取った語", read),
        ("探した資料", "、".join(t for t in titles if t)),
        ("前の会話から", _value(trace.get("carried") or [])),
        ("読み替え", _value(trace.get("notes") or [])),
        ("資料にない語", _value([*(trace.get("unknown_terms") or []), *(trace.get("unknown_names") or [])])),
    ]


def _rows(trace: Mapping[str, Any], citations: Sequence[Any]) -> list[dict]:
    """The passages retrieval ranked, then every cited passage it did not rank (the answer reached it through
    the documents' structure, e.g. every unit of a plan). `used` is whether the answer cites a span in it
    (as evidence, or as a 参考 passage shown with a decline: the same passages 「選んだ箇所」 lists)."""
    cited = {str(get(c, "chunk_id", "")) for c in citations}
    rows = [{**dict(c), "rank": i, "used": str(get(c, "chunk_id", "")) in cited}
            for i, c in enumerate(trace.get("candidates") or [], 1) if isinstance(c, Mapping)]
    ranked = {r.get("chunk_id") for r in rows}
    for c in citations:
        chunk = str(get(c, "chunk_id", ""))
        if chunk and chunk not in ranked:
            ranked.add(chunk)
            rows.append({"chunk_id": chunk, "block": get(c, "block", ""), "section": get(c, "section", ""), "rank": None,
                         "used": True})
    return rows


def trace_html(trace: Mapping[str, Any], citations: Sequence[Any] = (), metas: Mapping[str, DocMeta] | None = None) -> str:
    """How the answer was found: in plain words, and the passages looked at (✓ = the answer cites it); under
    「詳細」 the intent and entities as the program names them, and the dense and BM25 scores."""
    if not trace:
        return ""
    rows = _rows(trace, citations)
    plain = []
    for r in rows:
        how = str(r["rank"]) if r["rank"] is not None else "構成から"
        mark = ' class="picked"' if r["used"] else ""
        plain.append(f'<tr{mark} data-chunk="{esc(r.get("chunk_id", ""))}">'
                     f'<td>{esc(how)}</td><td>{esc(get(r, "block", ""))}</td><td>{esc(get(r, "section", ""))}</td>'
                     f'<td>{"✓" if r["used"] else ""}</td></tr>')
    table = (
        '<table class="trace-cands"><caption>調べた箇所（検索で関連が高い順。「構成から」は資料の構成からたどった箇所）'
        '</caption><thead><tr><th>順位</th><th>箇所</th><th>節</th><th>採用</th></tr></thead>'
        f'<tbody>{"".join(plain)}</tbody></table>'
    ) if rows else '<p class="hint">検索候補はありません（資料の構成から直接答えました）。</p>'
    picked = "、".join(f'[{esc(get(c, "n", ""))}] {esc(get(c, "block", ""))}' for c in citations)
    chosen_html = f'<p class="trace-chosen">選んだ箇所：{picked}</p>' if picked else ""
    raw = _facts([(TRACE_LABELS.get(k, k), _value(v)) for k, v in trace.items()
                  if k not in TRACE_TABLES and k not in TRACE_SKIP and v not in (None, "", [], {})])
    scores = "".join(
        f'<tr><td>{esc(r["rank"] or "–")}</td><td>{esc(get(r, "chunk_id", ""))}</td><td>{_num(get(r, "score"))}</td>'
        f'<td>{_num(get(r, "dense"))}</td><td>{_num(get(r, "bm25"))}</td></tr>' for r in rows)
    spans = "、".join(f'[{esc(get(x, "n", ""))}] {esc(get(x, "block", ""))}（{esc(get(x, "start", ""))}–'
                     f'{esc(get(x, "end", ""))}文字目）' for x in trace.get("chosen") or [])
    spans_html = f'<p class="trace-spans">引用した範囲：{spans}</p>' if spans else ""
    detail = (f'<details class="trace-detail"><summary>詳細</summary><dl class="trace-raw">{raw}</dl>'
              '<table class="trace-scores"><caption>スコア（総合、dense、BM25）</caption><thead><tr><th>順位</th>'
              f'<th>chunk</th><th>総合</th><th>dense</th><th>BM25</th></tr></thead><tbody>{scores}</tbody></table>'
              f"{spans_html}</details>")
    return (f'<details class="trace"><summary>検索の経過</summary>'
            f'<dl class="trace-facts">{_facts(_plain_facts(trace, metas or {}))}</dl>'
            f"{table}{chosen_html}{verdicts_html(trace)}{detail}</details>")


# --- the whole answer ---------------------------------------------------------------------------------


def chip_html(turn: Mapping[str, Any], removable: bool) -> str:
    """What the answer took over from earlier turns, as a chip; × re-asks without it."""
    carried = [str(x) for x in (turn.get("trace") or {}).get("carried") or [] if str(x)]
    tid = esc(turn.get("id", ""))
    if turn.get("context") is False:
        return f'<div class="chips"><span class="chip off" data-turn="{tid}">前の会話を引き継がずに回答しました</span></div>'
    if not carried:
        return ""
    x = (f'<button type="button" class="chip-x" data-turn="{tid}" aria-label="引き継ぎを外して聞き直す"'
         ' title="引き継ぎを外して聞き直す">×</button>') if removable else ""
    return f'<div class="chips"><span class="chip" data-turn="{tid}">引き継ぎ：{esc("・".join(carried))}{x}</span></div>'


# Feather icons (MIT): drawn inline, so no emoji font is needed.
_SVG = ('<svg class="icon" viewBox="0 0 24 24" width="15" height="15" aria-hidden="true" fill="none" stroke="currentColor"'
        ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="{}"/></svg>')
THUMB_UP = _SVG.format("M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7"
                       "a2 2 0 0 1 2-2h3")
THUMB_DOWN = _SVG.format("M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 "
                         "22 4v7a2.31 2.31 0 0 1-2.33 2H17")


def tools_html(turn: Mapping[str, Any]) -> str:
    """Copy, votes and regenerate: on every answer (regenerate answers that turn's question again, with the
    turns before it as its context)."""
    tid = esc(turn.get("id", ""))
    verdict = turn.get("verdict")
    answer = turn.get("answer") or {}
    return (
        f'<div class="tools" role="group" aria-label="この回答の操作" data-turn="{tid}">'
        f'<button type="button" class="act act-copy" data-turn="{tid}" data-copy="{esc(copy_text(answer))}"'
        ' title="回答と出典の一覧をコピー">コピー</button>'
        f'<button type="button" class="act act-vote" data-turn="{tid}" data-verdict="up"'
        f' aria-pressed="{str(verdict == "up").lower()}" aria-label="役に立った" title="役に立った">{THUMB_UP}</button>'
        f'<button type="button" class="act act-vote" data-turn="{tid}" data-verdict="down"'
        f' aria-pressed="{str(verdict == "down").lower()}" aria-label="役に立たなかった" title="役に立たなかった">{THUMB_DOWN}</button>'
        f'<button type="button" class="act act-regen" data-turn="{tid}" title="同じ質問にもう一度答える">再生成</button>'
        "</div>"
    )


COMMENT_LABEL = "よくなかった点（任意）"
COMMENT_EXAMPLE = "例：挙げられている分野が足りない"


def feedback_html(turn: Mapping[str, Any], status: str = "") -> str:
    """Under the answer it belongs to: the 👎 comment box while it is open, the comment once sent, and the
    thanks (or any other word about an action on this answer) right after it."""
    tid = esc(turn.get("id", ""))
    out = []
    if turn.get("feedback") == "open":
        box = f"fb-{tid}"
        out.append(
            f'<div class="feedback" data-turn="{tid}" role="group" aria-label="{esc(COMMENT_LABEL)}">'
            f'<label for="{box}">{esc(COMMENT_LABEL)}</label>'
            f'<textarea id="{box}" class="fb-text" rows="2" maxlength="{MAX_COMMENT}" placeholder="{esc(COMMENT_EXAMPLE)}">'
            '</textarea><div class="fb-buttons">'
            f'<button type="button" class="act fb-send" data-turn="{tid}">送る</button>'
            f'<button type="button" class="act fb-close" data-turn="{tid}">閉じる</button></div></div>'
        )
    if turn.get("comment"):
        out.append(f'<p class="fb-comment" data-turn="{tid}">送ったコメント：{esc_lines(turn["comment"])}</p>')
    if status:
        out.append(f'<p class="fb-status" data-turn="{tid}" role="status">{esc(status)}</p>')
    return "".join(out)


def answer_html(
    turn: Mapping[str, Any],
    passages: Mapping[str, Any],
    metas: Mapping[str, DocMeta],
    *,
    last: bool = True,
    reveal: int | None = None,
    status: str = "",
) -> str:
    """One assistant message. `reveal` shows only the first lines (streaming); the sources, trace and
    tools follow once the whole answer is shown. `status` is a word about an action just taken on this
    answer (a vote's thanks), shown under it."""
    tid = str(turn.get("id", ""))
    answer = turn.get("answer") or {}
    if turn.get("error"):
        return notice_html(turn["error"], "error", tid)
    citations = list(answer.get("citations") or [])
    lines = list(answer.get("lines") or [])
    partial = reveal is not None and reveal < len(lines)
    shown = lines[:reveal] if partial else lines
    body = (lines_html(shown, citations, tid, passages) if lines
            else f'<p class="line">{esc_lines(answer.get("text", ""))}</p>')
    answerable = bool(answer.get("answerable"))
    head = (f'<div class="answer" data-turn="{esc(tid)}" data-answerable="{str(answerable).lower()}"'
            f' data-intent="{esc(answer.get("intent", ""))}" data-state="{"streaming" if partial else "done"}">')
    if partial:
        return flat(f'{head}<div class="body">{body}</div></div>')
    return flat(
        f"{head}{chip_html(turn, removable=last)}{badge_html(answer)}<div class=\"body\">{body}{more_html(turn)}</div>"
        f"{extractive_html(turn, lines_html)}"
        f"{sources_html(turn, passages, metas)}{trace_html(turn.get('trace') or {}, citations, metas)}"
        f"{tools_html(turn)}{feedback_html(turn, status)}</div>"
    )


def more_html(turn: Mapping[str, Any]) -> str:
    """「続きを表示」 under a list answer that left units out: asks again for the whole list."""
    omitted = (turn.get("answer") or {}).get("omitted") or 0
    if not isinstance(omitted, int) or omitted <= 0:
        return ""
    return (f'<button type="button" class="act act-more" data-turn="{esc(turn.get("id", ""))}"'
            f' title="省略した{omitted}件も含めて、一覧をすべて表示する">続きを表示（ほか{omitted}件）</button>')


NO_ANSWER = "資料にはこの質問に答える記載がありません。"


def readable_hint(citations: list, metas: Mapping[str, DocMeta]) -> str:
    """Where to read the cited passages in context: the 資料 tab, unless their documents were deleted since."""
    if not citations:
        return ""
    gone = [c for c in citations if (m := metas.get(str(c.get("doc_id", "")))) is not None and m.deleted]
    if len(gone) == len(citations):
        return '<p class="hint">この回答が引用した資料は削除されたため、「資料」タブでは読めません。</p>'
    if gone:
        return ('<p class="hint">前後の文脈は「資料」タブで読めます（この回答の引用箇所が強調表示されます）。'
                "削除された資料の箇所は読めません。</p>")
    return '<p class="hint">前後の文脈は「資料」タブで読めます（この回答の引用箇所が強調表示されます）。</p>'


def sources_html(turn: Mapping[str, Any], passages: Mapping[str, Any], metas: Mapping[str, DocMeta]) -> str:
    """The answer's own sources, folded under it. Its `.src-body` is also what the sources panel shows for
    this answer (the page's script copies it there), so the panel never shows another answer's cards."""
    tid = esc(turn.get("id", ""))
    answer = turn.get("answer") or {}
    citations = list(answer.get("citations") or [])
    answerable = bool(answer.get("answerable"))
    head = f'<div class="src-q"><span class="k">質問</span> {esc(turn.get("question", ""))}</div>'
    if answerable:
        title = f"出典（{len(citations)}件）" if citations else "この回答には出典がありません"
    else:
        head += f'<p class="no-answer" role="status">{esc(NO_ANSWER)}</p>'
        title = f"参考：関連する記載（{len(citations)}件）" if citations else "出典はありません"
    cards = cards_html(citations, passages, metas, id_prefix="m", turn=turn.get("id", ""))
    hint = readable_hint(citations, metas)
    return (
        f'<details class="msg-sources{"" if citations else " empty"}" data-turn="{tid}"'
        f' data-answerable="{str(answerable).lower()}"><summary>{esc(title)}</summary>'
        f'<div class="src-body"><div class="src-head">{head}<h3 class="src-h">{esc(title)}</h3></div>'
        f'<div class="cards">{cards}</div>{hint}</div></details>'
    )
