/* The page's own behaviour, loaded once in <head> (ui/app.py): following citations, the sources panel of
   the answer being looked at, copying, the conversation history kept in this browser (localStorage), and
   the connection check. Everything the server renders is already escaped; text made here goes through
   textContent. The server is reached through the bridges the pages register (PA.bridge). */
(() => {
  "use strict";
  if (window.PA && window.PA.ready) return;
  const PA = (window.PA = window.PA || {});
  PA.ready = true;

  const PREFIX = "plan-assistant:v1:";
  const MAX_SAVED = 50; // conversations kept; the oldest go first (also when the browser's quota is full)
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const quoteAttr = (v) => String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const visible = (el) => !!el && el.offsetParent !== null && getComputedStyle(el).display !== "none";
  const smooth = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");

  // --- bridges to the server ----------------------------------------------------------------------------
  const bridges = {};
  PA.bridge = (name, send, server) => {
    bridges[name] = { send, server };
  };
  const send = (name, data) => bridges[name] && bridges[name].send(data);

  // --- storage --------------------------------------------------------------------------------------------
  const storage = {
    read(key) {
      try {
        const v = localStorage.getItem(PREFIX + key);
        return v === null ? null : JSON.parse(v);
      } catch (e) {
        return null;
      }
    },
    write(key, value) {
      for (let tries = 0; tries < MAX_SAVED; tries++) {
        try {
          localStorage.setItem(PREFIX + key, JSON.stringify(value));
          return true;
        } catch (e) {
          if (!dropOldest(key)) return false; // full: make room by forgetting the oldest conversation
        }
      }
      return false;
    },
    remove(key) {
      try {
        localStorage.removeItem(PREFIX + key);
      } catch (e) {
        /* storage unavailable: nothing to remove */
      }
    },
  };
  const savedList = () => storage.read("index") || [];
  function forget(id) {
    storage.remove("conv:" + id);
    storage.write("index", savedList().filter((e) => e.id !== id));
  }
  function dropOldest(keepKey) {
    const victim = savedList()
      .slice()
      .reverse()
      .find((e) => e.id !== PA.currentId && "conv:" + e.id !== keepKey);
    if (!victim) return false;
    forget(victim.id);
    return true;
  }

  // --- the current conversation ------------------------------------------------------------------------------
  PA.conv = null;
  PA.currentId = null;
  PA.active = null; // the turn whose sources the panel shows

  /* demo.load: the conversation and the half-typed question this browser kept. */
  PA.boot = () => {
    watchConnection();
    watchChat();
    const id = storage.read("current");
    const conv = id ? storage.read("conv:" + id) : null;
    return [conv ? JSON.stringify(conv) : "", storage.read("draft") || ""];
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
        updated: Date.now(),
        turns: turns.length,
      };
      const kept = [entry, ...list.filter((e) => e.id !== conv.id)];
      kept.slice(MAX_SAVED).forEach((e) => storage.remove("conv:" + e.id));
      storage.write("index", kept.slice(0, MAX_SAVED));
    }
    renderHistory();
  };

  PA.draft = (text) => storage.write("draft", typeof text === "string" ? text : "");

  /* The citations of the answer being looked at (the 資料 tab marks them). */
  PA.activeCitations = () => {
    const turns = (PA.conv && PA.conv.turns) || [];
    const turn = turns.find((t) => t.id === PA.active) || turns[turns.length - 1];
    return JSON.stringify(turn ? (turn.answer && turn.answer.citations) || [] : []);
  };

  PA.scrollToMark = (selector) => {
    const box = $(selector + " .doc-text");
    const mark = box && box.querySelector("mark.hl");
    if (mark) box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 60;
  };

  // --- the sources panel: always the cards of one answer -------------------------------------------------------
  let panelTurn = null;
  const seen = new Set();

  function showPanel(turn) {
    const box = $("#sources .sources");
    if (!box) return;
    const details = turn && $(`#chat details.msg-sources[data-turn="${quoteAttr(turn)}"]`);
    const body = details && details.querySelector(".src-body");
    if (!body) {
      const empty = $("#sources-empty");
      if (!turn && empty && box.dataset.state !== "empty") box.replaceWith(empty.content.cloneNode(true));
      panelTurn = turn ? panelTurn : null;
      return;
    }
    const fresh = document.createElement("div");
    fresh.className = "sources";
    fresh.dataset.state = "answered";
    fresh.dataset.turn = turn;
    fresh.dataset.answerable = details.dataset.answerable;
    fresh.innerHTML = body.innerHTML;
    fresh.querySelectorAll("article.src[id]").forEach((a) => (a.id = a.id.replace(/^m-/, "p-")));
    box.replaceWith(fresh);
    panelTurn = turn;
  }

  function activate(turn) {
    if (!turn) return;
    PA.active = turn;
    $$("#chat .answer.active").forEach((a) => a.classList.remove("active"));
    const answer = $(`#chat .answer[data-turn="${quoteAttr(turn)}"]`);
    if (answer) answer.classList.add("active");
    if (panelTurn !== turn) showPanel(turn);
  }

  /* After the chat re-renders: a newly finished answer becomes the one looked at. */
  function syncChat() {
    const answers = $$("#chat .answer[data-turn]");
    if (!answers.length) {
      PA.active = null;
      showPanel(null);
      return;
    }
    let newest = null;
    for (const a of answers) {
      if (a.dataset.state === "done" && !seen.has(a.dataset.turn)) {
        seen.add(a.dataset.turn);
        newest = a.dataset.turn;
      }
    }
    const present = answers.some((a) => a.dataset.turn === PA.active);
    if (newest) {
      panelTurn = null;
      activate(newest);
    } else if (!present) {
      const done = answers.filter((a) => a.dataset.state === "done");
      if (done.length) activate(done[done.length - 1].dataset.turn);
    } else {
      const answer = $(`#chat .answer[data-turn="${quoteAttr(PA.active)}"]`);
      if (answer && !answer.classList.contains("active")) {
        panelTurn = null; // the message was rendered anew (a vote, say): refresh its panel too
        activate(PA.active);
      }
    }
  }

  let chatWatched = false;
  function watchChat() {
    if (chatWatched) return;
    const chat = $("#chat");
    if (!chat) {
      setTimeout(watchChat, 200);
      return;
    }
    chatWatched = true;
    let pending = 0;
    new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(syncChat, 30);
    }).observe(chat, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
    syncChat();
  }

  function findCard(root, n) {
    return $$("article.src", root).find((a) => (a.dataset.n || "").split(",").includes(String(n)));
  }

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1600);
  }

  /* [n]: show the quote, switch the panel to this answer, scroll to card n and flash it. On a narrow
     screen (no panel) the answer's own 出典 section opens instead. */
  function follow(button) {
    const turn = button.dataset.turn;
    activate(turn);
    let card = null;
    if (visible($("#sources-col"))) {
      card = findCard($("#sources"), button.dataset.n);
    } else {
      const details = $(`#chat details.msg-sources[data-turn="${quoteAttr(turn)}"]`);
      if (details) {
        details.open = true;
        card = findCard(details, button.dataset.n);
      }
    }
    if (card) {
      card.scrollIntoView({ block: "nearest", behavior: smooth() });
      flash(card);
    }
  }

  // --- the matrix: category groups open and close, and stay so when the matrix is drawn again -----------------
  const openGroups = new Set();
  function toggleGroup(tbody, open) {
    if (!tbody) return;
    const on = open === undefined ? !tbody.classList.contains("open") : open;
    tbody.classList.toggle("open", on);
    const button = tbody.querySelector(".cat-toggle");
    if (button) button.setAttribute("aria-expanded", String(on));
    if (on) openGroups.add(tbody.dataset.category);
    else openGroups.delete(tbody.dataset.category);
  }
  function reopenGroups() {
    if (!openGroups.size) return;
    $$("#matrix tbody.grp").forEach((tbody) => {
      if (openGroups.has(tbody.dataset.category) && !tbody.classList.contains("open")) toggleGroup(tbody, true);
    });
  }
  new MutationObserver(reopenGroups).observe(document.documentElement, { childList: true, subtree: true });

  // --- the quote shown on hover, focus or tap --------------------------------------------------------------------
  let pop = null;
  function showQuote(button) {
    if (!pop) {
      pop = document.createElement("div");
      pop.id = "cite-pop";
      pop.setAttribute("role", "tooltip");
      document.body.appendChild(pop);
    }
    pop.replaceChildren();
    const where = document.createElement("div");
    where.className = "cite-where";
    where.textContent = `[${button.dataset.n}] ${button.dataset.where || ""}`;
    const quote = document.createElement("div");
    quote.className = "cite-quote";
    quote.textContent = `「${button.dataset.quote || ""}」`;
    pop.append(where, quote);
    pop.hidden = false;
    const r = button.getBoundingClientRect();
    const width = Math.min(360, window.innerWidth - 16);
    pop.style.maxWidth = width + "px";
    pop.style.left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8)) + "px";
    const below = r.bottom + 6;
    pop.style.top = (below + pop.offsetHeight > window.innerHeight ? r.top - pop.offsetHeight - 6 : below) + "px";
    button.setAttribute("aria-describedby", "cite-pop");
  }
  function hideQuote() {
    if (pop) pop.hidden = true;
  }

  // --- copying ------------------------------------------------------------------------------------------------------
  async function copy(button) {
    const text = button.dataset.copy || "";
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try {
        ok = document.execCommand("copy");
      } catch (err) {
        ok = false;
      }
      area.remove();
    }
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? "コピーしました" : "コピーできませんでした";
    button.classList.toggle("done", ok);
    setTimeout(() => {
      button.textContent = label;
      button.classList.remove("done");
    }, 1800);
  }

  // --- the history list -------------------------------------------------------------------------------------------------
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "data") Object.assign(node.dataset, v);
      else if (k in node) node[k] = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  function renderHistory() {
    const host = $("#history-list");
    if (!host) return;
    const list = savedList();
    if (!list.length) {
      host.replaceChildren(el("p", { className: "hint" }, "会話はこのブラウザに保存されます。"));
      return;
    }
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
             el("button", { type: "button", className: "hist-rename", title: "名前を変更", data: { id: entry.id },
                            "aria-label": "名前を変更" }, "名前"),
             el("button", { type: "button", className: "hist-export", title: "Markdown で書き出す", data: { id: entry.id },
                            "aria-label": "Markdown で書き出す" }, "書き出し"),
             el("button", { type: "button", className: "hist-delete", title: "削除", data: { id: entry.id },
                            "aria-label": "削除" }, "削除"))
        )
      );
    }
    host.replaceChildren(ul);
  }

  function openSaved(id) {
    const conv = storage.read("conv:" + id);
    if (!conv) {
      forget(id);
      renderHistory();
      return;
    }
    seen.clear();
    send("chat", { action: "open", conv: JSON.stringify(conv) });
  }

  function rename(item, id) {
    const entry = savedList().find((e) => e.id === id);
    if (!entry) return;
    const input = el("input", { type: "text", className: "hist-input", value: entry.title || "", maxLength: 100,
                                "aria-label": "会話の名前" });
    const openButton = item.querySelector(".hist-open");
    openButton.replaceWith(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      if (save && title) {
        storage.write("index", savedList().map((e) => (e.id === id ? { ...e, title, custom: true } : e)));
      }
      renderHistory();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") finish(true);
      if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
  }

  function confirmDelete(item, id) {
    const tools = item.querySelector(".hist-tools");
    tools.replaceChildren(
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
    renderHistory();
  }

  async function exportSaved(id) {
    const conv = storage.read("conv:" + id);
    const entry = savedList().find((e) => e.id === id);
    const bridge = bridges.chat;
    if (!conv || !bridge || !bridge.server) return;
    const file = await bridge.server.export_markdown({ conv: JSON.stringify(conv), title: entry ? entry.title : "" });
    const url = URL.createObjectURL(new Blob([file.text], { type: "text/markdown;charset=utf-8" }));
    const a = el("a", { href: url, download: file.name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- one listener for every click on the page -----------------------------------------------------------------------
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    let b;
    if ((b = t.closest("#chat button.cite"))) {
      e.preventDefault();
      showQuote(b);
      follow(b);
    } else if ((b = t.closest("#chat .act-copy"))) copy(b);
    else if ((b = t.closest("#chat .act-vote"))) send("chat", { action: "vote", turn: b.dataset.turn, verdict: b.dataset.verdict });
    else if ((b = t.closest("#chat .act-regen"))) send("chat", { action: "regenerate", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .chip-x"))) send("chat", { action: "drop_context", turn: b.dataset.turn });
    else if ((b = t.closest(".hist-open"))) openSaved(b.dataset.id);
    else if ((b = t.closest(".hist-rename"))) rename(b.closest(".hist-item"), b.dataset.id);
    else if ((b = t.closest(".hist-export"))) exportSaved(b.dataset.id);
    else if ((b = t.closest(".hist-delete"))) confirmDelete(b.closest(".hist-item"), b.dataset.id);
    else if ((b = t.closest(".hist-delete-yes"))) remove(b.dataset.id);
    else if (t.closest(".hist-delete-no")) renderHistory();
    else if ((b = t.closest("#matrix td.hit"))) send("map", { unit: b.dataset.unit, field: b.dataset.field });
    else if ((b = t.closest("#matrix .cat-toggle"))) toggleGroup(b.closest("tbody"));
    else if ((b = t.closest("#matrix td.cat-cell"))) toggleGroup(b.closest("tbody"), true);
    if (!t.closest("button.cite")) hideQuote();
    const answer = t.closest("#chat .answer[data-turn]");
    if (answer && !t.closest("button")) activate(answer.dataset.turn);
  });

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.key === "Escape") hideQuote();
    if ((e.key === "Enter" || e.key === " ") && t instanceof Element && t.matches("#matrix td.hit")) {
      e.preventDefault();
      send("map", { unit: t.dataset.unit, field: t.dataset.field });
    }
  });
  document.addEventListener("mouseover", (e) => {
    const b = e.target instanceof Element && e.target.closest("#chat button.cite");
    if (b) showQuote(b);
  });
  document.addEventListener("mouseout", (e) => {
    if (e.target instanceof Element && e.target.closest("#chat button.cite")) hideQuote();
  });
  document.addEventListener("focusin", (e) => {
    const b = e.target instanceof Element && e.target.closest("#chat button.cite");
    if (b) showQuote(b);
  });
  document.addEventListener("focusout", (e) => {
    if (e.target instanceof Element && e.target.closest("#chat button.cite")) hideQuote();
  });

  // --- the connection: a Japanese message, and no sending until the server is back -------------------------------------
  const OFFLINE_TEXT = "サーバーに接続できません。再接続を待っています…（書きかけの質問と会話はこのブラウザに保存されています。接続が戻ると送信できます）";
  let online = true;
  let watching = false;

  function setOnline(ok) {
    if (ok === online) return;
    online = ok;
    document.body.classList.toggle("pa-offline", !ok);
    let banner = $("#pa-offline");
    if (!ok && !banner) {
      banner = el("div", { id: "pa-offline", role: "alert" }, OFFLINE_TEXT);
      document.body.prepend(banner);
    }
    if (banner) banner.hidden = ok;
    const button = $("#send");
    if (button) {
      button.disabled = !ok;
      button.setAttribute("aria-disabled", String(!ok));
      button.title = ok ? "" : "サーバーに接続できないため、今は送信できません";
    }
  }
  PA.isOnline = () => online;

  async function check() {
    let ok = false;
    try {
      const root = (window.gradio_config && window.gradio_config.root) || location.origin;
      const r = await fetch(root.replace(/\/$/, "") + "/healthz", { cache: "no-store" });
      ok = r.ok;
    } catch (e) {
      ok = false;
    }
    setOnline(ok);
    setTimeout(check, ok ? 4000 : 1500);
  }

  /* Gradio's own notice is in English: say it in Japanese, and treat it as offline at once. */
  function translate(node) {
    if (!(node instanceof Element)) return;
    for (const t of $$(".toast-body, .toast-wrap, [class*=toast]", node.parentElement || node)) {
      if (/Connection to the server was lost|Connection Lost/.test(t.textContent || "")) {
        const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (/Connection to the server was lost/.test(n.nodeValue)) n.nodeValue = OFFLINE_TEXT;
          else if (/Connection Lost/.test(n.nodeValue)) n.nodeValue = "接続が切れました";
        }
        setOnline(false);
      }
    }
  }

  function watchConnection() {
    if (watching) return;
    watching = true;
    new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(translate))).observe(document.body, {
      childList: true,
      subtree: true,
    });
    document.addEventListener(
      "keydown",
      (e) => {
        if (!online && e.key === "Enter" && !e.shiftKey && e.target instanceof Element && e.target.closest("#question")) {
          e.preventDefault();
          e.stopImmediatePropagation();
        }
      },
      true
    );
    document.addEventListener(
      "click",
      (e) => {
        if (!online && e.target instanceof Element && e.target.closest("#send, #chat .act-regen, #chat .chip-x")) {
          e.preventDefault();
          e.stopImmediatePropagation();
        }
      },
      true
    );
    window.addEventListener("offline", () => setOnline(false));
    window.addEventListener("online", check);
    check();
  }
})();
