/* 会話履歴: every conversation is kept in this browser (localStorage), listed in the sidebar, and can be
   reopened, renamed, deleted or exported as Markdown. The half-typed question is kept too. */
(() => {
  "use strict";
  const { $, el, storage } = PA;
  const MAX_SAVED = 50; // conversations kept; the oldest go first
  PA.conv = null;
  PA.currentId = null;

  const savedList = () => storage.read("index") || [];
  function forget(id) {
    storage.remove("conv:" + id);
    storage.write("index", savedList().filter((e) => e.id !== id));
  }
  PA.makeRoom = (keepKey) => {
    const victim = savedList()
      .slice()
      .reverse()
      .find((e) => e.id !== PA.currentId && "conv:" + e.id !== keepKey);
    if (!victim) return false;
    forget(victim.id);
    return true;
  };

  /* demo.load: the conversation and the half-typed question this browser kept. */
  PA.boot = () => {
    PA.applyTheme();
    PA.watchConnection();
    PA.watchChat();
    const box = $("#question textarea");
    if (box) box.readOnly = true; // until restored: the kept draft would replace what is typed meanwhile
    const id = storage.read("current");
    const conv = id ? storage.read("conv:" + id) : null;
    return [conv ? JSON.stringify(conv) : "", storage.read("draft") || ""];
  };

  /* demo.load has put the kept conversation on the page (or failed): questions may be sent from now on. */
  PA.isRestored = false;
  PA.restored = () => {
    PA.isRestored = true;
    const box = $("#question textarea");
    if (box) box.readOnly = false;
    // Ready to type on a computer; on a touch screen the keyboard would open and the page jump to the box.
    if (box && matchMedia("(hover: hover) and (pointer: fine)").matches) box.focus({ preventScroll: true });
  };

  /* The conversation changed on the server: keep it in this browser and list it. */
  PA.saved = (json) => {
    let conv = null;
    try {
      conv = JSON.parse(json || "null");
    } catch (e) {
      return;
    }
    if (!conv || !conv.id) return;
    PA.conv = conv;
    PA.currentId = conv.id;
    storage.write("current", conv.id);
    const turns = conv.turns || [];
    if (turns.length) {
      storage.write("conv:" + conv.id, conv);
      const list = savedList();
      const old = list.find((e) => e.id === conv.id);
      const entry = {
        id: conv.id,
        title: old && old.custom ? old.title : conv.title || "無題の会話",
        custom: !!(old && old.custom),
        updated: lastAsked(conv) || (old && old.updated) || Date.now(),
        turns: turns.length,
        text: searchText(conv),
      };
      // newest conversation first, by when it was last asked (reopening or reloading one moves nothing)
      const kept = [entry, ...list.filter((e) => e.id !== conv.id)].sort((a, b) => (b.updated || 0) - (a.updated || 0));
      kept.slice(MAX_SAVED).forEach((e) => storage.remove("conv:" + e.id));
      storage.write("index", kept.slice(0, MAX_SAVED));
    }
    render();
  };

  /* When the conversation was last asked: its newest turn's time (set by the server when it was answered). */
  function lastAsked(conv) {
    const times = (conv.turns || []).map((t) => Date.parse(t.time || "")).filter((t) => !Number.isNaN(t));
    return times.length ? Math.max(...times) : 0;
  }

  /* What the search box looks in: the title, the questions and the answers. */
  const SEARCH_CHARS = 4000;
  function searchText(conv) {
    const parts = [conv.title || ""];
    for (const t of conv.turns || []) parts.push(t.question || "", (t.answer && t.answer.text) || "");
    return parts.join("\n").slice(0, SEARCH_CHARS);
  }
  const fold = (s) => String(s || "").normalize("NFKC").toLowerCase();
  let query = "";

  PA.draft = (text) => storage.write("draft", typeof text === "string" ? text : "");

  function render() {
    const host = $("#history-list");
    if (!host) return;
    const all = savedList();
    if (!all.length) {
      host.replaceChildren(el("p", { className: "hint" }, "会話はこのブラウザに保存されます。"));
      return;
    }
    const q = fold(query).trim();
    const textOf = (e) => e.text || searchText(storage.read("conv:" + e.id) || {}); // older entries kept no text
    const list = q ? all.filter((e) => fold(`${e.title}\n${textOf(e)}`).includes(q)) : all;
    if (!list.length) {
      host.replaceChildren(el("p", { className: "hint", role: "status" }, `「${query.trim()}」を含む会話はありません。`));
      return;
    }
    const tool = (cls, short, label, id) =>
      el("button", { type: "button", className: cls, title: label, "aria-label": label, data: { id } }, short);
    const ul = el("ul", { className: "hist" });
    for (const entry of list) {
      const current = entry.id === PA.currentId;
      const when = new Date(entry.updated || Date.now()).toLocaleString("ja-JP", { dateStyle: "short", timeStyle: "short" });
      ul.append(
        el(
          "li",
          { className: "hist-item" + (current ? " current" : ""), data: { id: entry.id } },
          el("button", { type: "button", className: "hist-open", title: "この会話を開く", data: { id: entry.id },
                         "aria-current": current ? "true" : "false" },
             el("span", { className: "hist-title" }, entry.title || "無題の会話"),
             el("span", { className: "hist-when" }, `${when}・${entry.turns || 0}問`)),
          el("span", { className: "hist-tools" },
             tool("hist-rename", "名前", "名前を変更", entry.id),
             tool("hist-export", "書き出し", "Markdown で書き出す", entry.id),
             tool("hist-delete", "削除", "削除", entry.id))
        )
      );
    }
    host.replaceChildren(ul);
  }

  function open(id) {
    const conv = storage.read("conv:" + id);
    if (!conv) {
      forget(id);
      render();
      return;
    }
    PA.forgetSeenAnswers();
    showList(false);
    PA.send("chat", { action: "open", conv: JSON.stringify(conv) });
  }

  function rename(item, id) {
    const entry = savedList().find((e) => e.id === id);
    if (!entry) return;
    const input = el("input", { type: "text", className: "hist-input", value: entry.title || "", maxLength: 100,
                                "aria-label": "会話の名前" });
    item.querySelector(".hist-open").replaceWith(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      if (save && title) storage.write("index", savedList().map((e) => (e.id === id ? { ...e, title, custom: true } : e)));
      render();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") finish(true);
      if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
  }

  function confirmDelete(item, id) {
    item.querySelector(".hist-tools").replaceChildren(
      el("span", { className: "hist-ask" }, "削除しますか？"),
      el("button", { type: "button", className: "hist-delete-yes", data: { id } }, "削除"),
      el("button", { type: "button", className: "hist-delete-no" }, "やめる")
    );
  }

  function remove(id) {
    forget(id);
    if (id === PA.currentId) {
      storage.remove("current");
      const button = $("#new-conversation");
      if (button) button.click();
    }
    render();
  }

  async function exportSaved(id) {
    const conv = storage.read("conv:" + id);
    const entry = savedList().find((e) => e.id === id);
    const server = PA.server("chat");
    if (!conv || !server) return;
    const file = await server.export_markdown({ conv: JSON.stringify(conv), title: entry ? entry.title : "" });
    const url = URL.createObjectURL(new Blob([file.text], { type: "text/markdown;charset=utf-8" }));
    const a = el("a", { href: url, download: file.name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  document.addEventListener("input", (e) => {
    if (e.target instanceof Element && e.target.matches("#history-search")) {
      query = e.target.value || "";
      render();
    }
  });

  /* On a phone the list is folded under 「会話履歴」 at the top of the page (app.css hides it unless the
     sidebar has this class; Gradio scopes the app's CSS inside its container, so not on <body>). */
  function showList(open) {
    const sidebar = $("#sidebar");
    if (sidebar) sidebar.classList.toggle("pa-history-open", open);
    const button = $("#history-toggle");
    if (button) button.setAttribute("aria-expanded", String(open));
  }
  const toggleList = () => showList(!($("#sidebar") || document.body).classList.contains("pa-history-open"));

  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    let b;
    if (t.closest("#history-toggle")) toggleList();
    else if ((b = t.closest(".hist-open"))) open(b.dataset.id);
    else if ((b = t.closest(".hist-rename"))) rename(b.closest(".hist-item"), b.dataset.id);
    else if ((b = t.closest(".hist-export"))) exportSaved(b.dataset.id);
    else if ((b = t.closest(".hist-delete"))) confirmDelete(b.closest(".hist-item"), b.dataset.id);
    else if ((b = t.closest(".hist-delete-yes"))) remove(b.dataset.id);
    else if (t.closest(".hist-delete-no")) render();
  });
})();
