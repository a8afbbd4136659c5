/* Citations you can follow: the sources panel always shows the cards of one answer (the newest, or the one
   clicked), [n] shows its quote and leads to its card, and each answer's tools (copy, votes, regenerate,
   dropping the carried context). */
(() => {
  "use strict";
  const { $, $$, attr } = PA;
  const smooth = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");
  PA.active = null; // the turn whose sources the panel shows
  let panelTurn = null;
  const seen = new Set();

  /* The citations of the answer being looked at (the 資料 tab marks them). */
  PA.activeCitations = () => {
    const turns = (PA.conv && PA.conv.turns) || [];
    const turn = turns.find((t) => t.id === PA.active) || turns[turns.length - 1];
    return JSON.stringify(turn ? (turn.answer && turn.answer.citations) || [] : []);
  };

  /* 資料: scroll to the span of the citation last followed in the answer being looked at (else the first). */
  PA.scrollToMark = (selector) => {
    const box = $(selector + " .doc-text");
    if (!box) return;
    const f = PA.followed && PA.followed.turn === PA.active ? PA.followed : null;
    const own = f ? PA.spansOf(box, f.n) : [];
    const mark = own[0] || box.querySelector("mark.hl");
    if (mark) box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 60;
    own.forEach((m) => m.classList.add("focus"));
  };

  PA.forgetSeenAnswers = () => seen.clear();

  function showPanel(turn) {
    const box = $("#sources .sources");
    if (!box) return;
    const details = turn && $(`#chat details.msg-sources[data-turn="${attr(turn)}"]`);
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
    fresh.innerHTML = body.innerHTML; // the server's HTML, escaped there
    fresh.querySelectorAll("article.src[id]").forEach((a) => (a.id = a.id.replace(/^m-/, "p-")));
    box.replaceWith(fresh);
    panelTurn = turn;
  }

  function activate(turn) {
    if (!turn) return;
    PA.active = turn;
    $$("#chat .answer.active").forEach((a) => a.classList.remove("active"));
    const answer = $(`#chat .answer[data-turn="${attr(turn)}"]`);
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
      const answer = $(`#chat .answer[data-turn="${attr(PA.active)}"]`);
      if (answer && !answer.classList.contains("active")) {
        panelTurn = null; // the message was rendered anew (a vote, say): refresh its panel too
        activate(PA.active);
      }
    }
  }

  let watched = false;
  PA.watchChat = () => {
    if (watched) return;
    const chat = $("#chat");
    if (!chat) {
      setTimeout(PA.watchChat, 200);
      return;
    }
    watched = true;
    let pending = 0;
    new MutationObserver(() => {
      clearTimeout(pending);
      pending = setTimeout(syncChat, 30);
    }).observe(chat, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
    syncChat();
  };

  function findCard(root, n) {
    return $$("article.src", root).find((a) => (a.dataset.n || "").split(",").includes(String(n)));
  }

  function flash(els) {
    for (const el of els) {
      el.classList.remove("flash");
      void el.offsetWidth; // restart the animation
      el.classList.add("flash");
      setTimeout(() => el.classList.remove("flash"), 1600);
    }
  }

  /* The highlighted span(s) of citation n inside a card (a card may hold the spans of several citations). */
  const spansOf = (card, n) =>
    $$("mark.hl[data-n]", card).filter((m) => m.dataset.n.split(",").includes(String(n)));
  PA.spansOf = spansOf;

  /* [n]: switch the panel to this answer, scroll to the span of [n] in its card and flash that span alone.
     On a narrow screen (no panel) the answer's own 出典 section opens instead. Returns the card. */
  PA.followed = null; // {turn, n}: the 資料 tab scrolls to this citation's span
  function follow(button) {
    const turn = button.dataset.turn;
    const n = button.dataset.n;
    activate(turn);
    PA.followed = { turn, n };
    let card = null;
    const panel = PA.visible($("#sources-col"));
    if (panel) {
      card = findCard($("#sources"), n);
    } else {
      const details = $(`#chat details.msg-sources[data-turn="${attr(turn)}"]`);
      if (details) {
        details.open = true;
        card = findCard(details, n);
      }
    }
    if (!card) return null;
    const spans = spansOf(card, n);
    // In the panel the scroll may be smooth; in the page (a phone) it is immediate, so that the quote shown
    // next to the button can be placed where it does not cover the card.
    (spans[0] || card).scrollIntoView({ block: "nearest", behavior: panel ? smooth() : "auto" });
    flash(spans.length ? spans : [card]);
    return card;
  }

  // --- the quote shown on hover, focus or tap ----------------------------------------------------------------
  // The cited span is marked inside the words around it. The quote never covers the card it points to: it
  // goes below the button, else above it, else it is not shown (the card itself is in view then).
  let pop = null;
  let popFor = null; // {button, avoid}: kept in place while the page scrolls
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  function place() {
    if (!pop || pop.hidden || !popFor) return;
    const { button, avoid } = popFor;
    const r = button.getBoundingClientRect();
    if (!button.isConnected || r.bottom < 0 || r.top > window.innerHeight) {
      hideQuote();
      return;
    }
    const width = Math.min(360, window.innerWidth - 16);
    pop.style.maxWidth = width + "px";
    const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
    pop.style.left = left + "px";
    const h = pop.offsetHeight;
    const w = pop.offsetWidth;
    const card = avoid && avoid.isConnected ? avoid.getBoundingClientRect() : null;
    const fits = (top) =>
      top >= 0 && top + h <= window.innerHeight &&
      !(card && overlaps({ left, right: left + w, top, bottom: top + h }, card));
    const below = r.bottom + 6;
    const above = r.top - h - 6;
    const top = fits(below) ? below : fits(above) ? above : null;
    if (top === null && card) {
      pop.hidden = true; // no room beside the card: the card shows the passage
      return;
    }
    pop.style.top = (top === null ? (below + h > window.innerHeight ? above : below) : top) + "px";
  }
  let pinned = false; // shown by a click or tap: stays until another click, Escape, or its button leaves the view
  function showQuote(button, avoid = null) {
    if (!pop) {
      pop = PA.el("div", { id: "cite-pop", role: "tooltip" });
      document.body.appendChild(pop);
    }
    const d = button.dataset;
    pop.replaceChildren(
      PA.el("div", { className: "cite-where" }, `[${d.n}] ${d.where || ""}`),
      PA.el("div", { className: "cite-quote" }, "「", d.before || "", PA.el("mark", { className: "hl" }, d.quote || ""),
            d.after || "", "」")
    );
    pop.hidden = false;
    popFor = { button, avoid };
    place();
    button.setAttribute("aria-describedby", "cite-pop");
  }
  function hideQuote() {
    if (pop) pop.hidden = true;
    popFor = null;
    pinned = false;
  }
  window.addEventListener("scroll", () => requestAnimationFrame(place), { capture: true, passive: true });
  window.addEventListener("resize", () => requestAnimationFrame(place), { passive: true });

  // --- copying ----------------------------------------------------------------------------------------------------
  async function copy(button) {
    const text = button.dataset.copy || "";
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (e) {
      const area = PA.el("textarea", { value: text });
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

  // --- listeners ------------------------------------------------------------------------------------------------------
  const cite = (e) => e.target instanceof Element && e.target.closest("#chat button.cite");
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    let b;
    if ((b = t.closest("#chat button.cite"))) {
      e.preventDefault();
      const card = follow(b);
      showQuote(b, card); // a tap shows the quote too, never over the card
      pinned = true;
    } else if ((b = t.closest("#chat .act-copy"))) copy(b);
    else if ((b = t.closest("#chat .fb-send"))) {
      const box = b.closest(".feedback");
      const text = box && box.querySelector("textarea");
      PA.send("chat", { action: "comment", turn: b.dataset.turn, comment: text ? text.value : "" });
    } else if ((b = t.closest("#chat .fb-close"))) PA.send("chat", { action: "close_comment", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .act-vote"))) PA.send("chat", { action: "vote", turn: b.dataset.turn, verdict: b.dataset.verdict });
    else if ((b = t.closest("#chat .act-regen"))) PA.send("chat", { action: "regenerate", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .act-more"))) PA.send("chat", { action: "more", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .chip-x"))) PA.send("chat", { action: "drop_context", turn: b.dataset.turn });
    if (!t.closest("button.cite")) hideQuote();
    const answer = t.closest("#chat .answer[data-turn]");
    if (answer && !t.closest("button")) activate(answer.dataset.turn);
  });
  document.addEventListener("keydown", (e) => e.key === "Escape" && hideQuote());
  // Hover and focus show the quote while they last; a quote pinned by a click stays (scrolling to the card
  // moves the button from under the pointer).
  document.addEventListener("mouseover", (e) => cite(e) && !pinned && showQuote(cite(e)));
  document.addEventListener("mouseout", (e) => cite(e) && !pinned && hideQuote());
  document.addEventListener("focusin", (e) => cite(e) && !pinned && showQuote(cite(e)));
  document.addEventListener("focusout", (e) => cite(e) && !pinned && hideQuote());
})();
