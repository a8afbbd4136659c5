"""The 資料 tab: a whole document with its outline, and the report of an upload."""

from __future__ import annotations

from typing import Any, Iterable

from ui.render.html import Mark, dom_id, display_swaps, esc, esc_lines, get, mark_text
from ui.render.sources import DocMeta


def document_tree_html(parsed: Any) -> str:
    """Block → section outline of a parsed document, linking into its text."""
    doc = get(parsed, "document")
    doc_id = get(doc, "doc_id", "")
    rows = []
    for bi, block in enumerate(get(parsed, "blocks", ()) or ()):
        sections = list(get(block, "sections", ()) or ())
        sub = []
        for si, section in enumerate(sections):
            path = tuple(get(section, "path", ()) or ())
            name = " > ".join(path[1:]) if len(path) > 1 else ""
            if not name:
                continue
            n_items = len(get(section, "items", ()) or ())
            count = f'<span class="cnt">項目 {n_items}</span>' if n_items else ""
            sub.append(f'<li><a href="#{esc(dom_id("doc", doc_id, bi, si))}">{esc(name)}</a>{count}</li>')
        n_items = sum(len(get(s, "items", ()) or ()) for s in sections)
        count = f'<span class="cnt">項目 {n_items}</span>' if n_items else ""
        inner = f"<ol>{''.join(sub)}</ol>" if sub else ""
        rows.append(
            f'<li data-block="{esc(get(block, "name", ""))}"><a href="#{esc(dom_id("doc", doc_id, bi))}">'
            f'{esc(get(block, "name", ""))}</a>{count}{inner}</li>'
        )
    return f'<nav class="doc-tree" aria-label="構成"><h4>構成</h4><ol>{"".join(rows)}</ol></nav>'


def document_html(parsed: Any, citations: Iterable[Any] = (), meta: DocMeta | None = None) -> str:
    """A whole document: title, facts, outline and full text (escaped), the spans the chosen answer cites
    marked."""
    doc = get(parsed, "document")
    doc_id = get(doc, "doc_id", "")
    meta = meta or DocMeta(title=get(doc, "title", ""))
    text = get(doc, "text", "") or ""
    anchors: list[tuple[int, str]] = []
    for bi, block in enumerate(get(parsed, "blocks", ()) or ()):
        anchors.append((get(block, "start", 0), dom_id("doc", doc_id, bi)))
        for si, section in enumerate(get(block, "sections", ()) or ()):
            anchors.append((get(section, "start", 0), dom_id("doc", doc_id, bi, si)))
    mine = [c for c in citations if get(c, "doc_id") == doc_id]
    marks = [
        Mark(get(c, "start", 0), get(c, "end", 0), str(get(c, "n", "")), "ref" if get(c, "reference") else "",
             anchor=dom_id("cite", doc_id, get(c, "n", "")))
        for c in mine
    ]
    jump = ""
    if mine:
        links = "".join(
            f'<a href="#{esc(dom_id("cite", doc_id, get(c, "n", "")))}">[{esc(get(c, "n", ""))}]</a>'
            for c in sorted(mine, key=lambda c: get(c, "n", 0))
        )
        jump = f'<p class="jump">表示中の回答で引用された箇所：{links}</p>'
    facts = [f"{len(text):,}文字"]
    pages = len(get(doc, "page_starts", ()) or ()) + 1 if get(doc, "page_starts", ()) else 0
    if pages:
        facts.insert(0, f"{pages}ページ")
    if meta.publisher:
        facts.insert(0, f"発行：{meta.publisher}")
    if meta.date:
        facts.insert(1 if meta.publisher else 0, f"日付：{meta.date}")
    lead = len(text) - len(text.lstrip())  # leading blank lines are not shown (offsets stay the same)
    body = mark_text(text[lead:], lead, marks, anchors, labels=True, swaps=display_swaps(text, 0, get(doc, "format", "text")))
    return (
        f'<div class="document" data-doc="{esc(doc_id)}"><h3>{esc(meta.title or get(doc, "title", ""))}</h3>'
        f'<p class="doc-meta">{esc("　".join(facts))}</p>{jump}'
        f'<div class="doc-layout">{document_tree_html(parsed)}'
        f'<div class="doc-text">{body}</div></div></div>'
    )


def message_html(text: str, kind: str = "info") -> str:
    """A one-line status for the 資料 tab (deleting, nothing chosen …)."""
    return f'<p class="doc-msg doc-msg-{esc(kind)}" role="status">{esc_lines(text)}</p>'


# --- an upload under way: one bar per file ----------------------------------------------------------------

# What a file's state is called (assistant.library: waiting … saving, done, refused).
FILE_STATE_TEXT = {
    "waiting": "ほかの資料の追加・削除が終わるのを待っています",
    "checking": "ファイルを確認しています",
    "reading": "資料を読み込んでいます",
    "embedding": "質問に使えるように準備しています",
    "saving": "登録しています",
    "done": "登録しました",
    "refused": "追加できません",
}


def upload_progress_html(progress: Any) -> str:
    """While an upload runs (an `assistant.library.UploadProgress`): one line per file with its own bar,
    filled by the file's passages made ready so far (empty until its turn comes, full once it is ready)."""
    rows = []
    for f in get(progress, "files", ()) or ():
        name, state = get(f, "name", ""), get(f, "state", "")
        done, total = int(get(f, "done", 0) or 0), int(get(f, "total", 0) or 0)
        if state == "refused":
            rows.append(f'<li class="upl err" data-file="{esc(name)}" data-state="refused">'
                        f'<span class="upl-name">{esc(name)}</span>'
                        f'<span class="upl-text">{esc_lines(get(f, "reason", "") or FILE_STATE_TEXT["refused"])}</span></li>')
            continue
        if total:
            value, top, count = done, total, f"（{done} / {total} 件）"
        elif state in ("saving", "done"):  # nothing new to prepare (the same content as before): ready
            value, top, count = 1, 1, ""
        else:
            value, top, count = 0, 1, ""
        percent = round(100 * value / top)
        rows.append(
            f'<li class="upl" data-file="{esc(name)}" data-state="{esc(state)}" data-done="{done}" data-total="{total}">'
            f'<span class="upl-name">{esc(name)}</span>'
            f'<progress max="{top}" value="{value}" aria-label="{esc(name)}：{percent}%">{percent}%</progress>'
            f'<span class="upl-text">{esc(FILE_STATE_TEXT.get(state, ""))}{esc(count)}</span></li>')
    return (f'<div class="upload-progress" role="status" aria-live="polite" data-step="{esc(get(progress, "step", ""))}">'
            f'<ul>{"".join(rows)}</ul></div>')


# --- the upload report ------------------------------------------------------------------------------

_STATUS_TEXT = {
    "added": "「{title}」を追加しました",
    "changed": "「{title}」を新しい内容に置き換えました",
    "unchanged": "「{title}」は同じ内容で登録済みです",
}


def upload_report_html(report: Any) -> str:
    """The outcome of 「追加する」 (an `assistant.library.AddReport`), in words a user knows: one line per file
    (✓ / ✗), then anything else that needs attention. All escaped."""
    files = list(get(report, "files", ()))
    ok = [f for f in files if get(f, "ok")]
    counts = {s: sum(1 for f in files if get(f, "status") == s) for s in ("added", "changed", "unchanged")}
    errors = len(files) - len(ok)
    failed = get(report, "failed", "")
    if failed and not files:
        kind, summary = "error", "資料を追加できませんでした。しばらくしてから、もう一度お試しください。"
    elif failed:
        kind, summary = "error", "資料フォルダには保存しましたが、まだ質問には使えません。"
    elif not ok:
        kind, summary = "error", f"追加できるファイルがありませんでした（{len(files)}件とも追加していません）。"
    else:
        kind = "ok" if not errors else "partial"
        summary = f"{len(ok)}件の資料を登録しました。チャットで質問でき、分野マップでも選べます。"
        if errors:
            summary += f"\n追加できなかったファイルが {errors}件あります（理由は下記）。"
    items = []
    for f in files:
        name = get(f, "name", "")
        status = get(f, "status", "")
        if get(f, "ok"):
            text = _STATUS_TEXT.get(status, "{title}").format(title=get(f, "title", "") or name)
            original = get(f, "original", "")
            text = f"{name}（元の名前：{original}）：{text}" if original else f"{name}：{text}"
            if note := get(f, "note", ""):
                text += f"\n⚠ {note}"
        else:
            text = get(f, "reason", "") or f"{name}: 追加できませんでした"
        items.append(
            f'<li class="{"ok" if get(f, "ok") else "err"}" data-file="{esc(name)}" data-status="{esc(status)}">'
            f'<span class="mark" aria-hidden="true">{"✓" if get(f, "ok") else "✗"}</span>{esc_lines(text)}</li>'
        )
    notes = []
    if get(report, "removed", ()):
        notes.append("ファイルが見つからない（または読めなくなった）ため、一覧から外した資料：" + "、".join(get(report, "removed")))
    if get(report, "other_errors", ()):
        notes.append("資料フォルダのほかのファイルで、読み込めなかったもの：\n" + "\n".join(get(report, "other_errors")))
    attrs = "".join(f' data-{k}="{v}"' for k, v in counts.items()) + f' data-errors="{errors}"'
    listing = f'<ul class="upload-files">{"".join(items)}</ul>' if items else ""
    extra = "".join(f'<p class="upload-note">{esc_lines(n)}</p>' for n in notes)
    details = admin_details_html(failed) if failed else ""
    return (f'<div class="upload-report upload-{kind}"{attrs}><p class="upload-summary">{esc_lines(summary)}</p>'
            f"{listing}{extra}{details}</div>")


def admin_details_html(text: str) -> str:
    """A failure's own message (it may name the index and the command that repairs it), folded: it is
    for whoever runs the server, not for the person adding a document."""
    return (f'<details class="admin-details"><summary>管理者向けの詳細</summary>'
            f'<p>{esc_lines(text)}</p></details>')
