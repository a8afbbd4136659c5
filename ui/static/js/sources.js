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

  PA.scrollToMark = (selector) => {
    const box = $(selector + " .doc-text");
    const mark = box && box.querySelector("mark.hl");
    if (mark) box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 60;
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

  function flash(el) {
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1600);
  }

  /* [n]: switch the panel to this answer, scroll to card n and flash it. On a narrow screen (no panel)
     the answer's own 出典 section opens instead. */
  function follow(button) {
    const turn = button.dataset.turn;
    activate(turn);
    let card = null;
    if (PA.visible($("#sources-col"))) {
      card = findCard($("#sources"), button.dataset.n);
    } else {
      const details = $(`#chat details.msg-sources[data-turn="${attr(turn)}"]`);
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

  // --- the quote shown on hover, focus or tap ----------------------------------------------------------------
  let pop = null;
  function showQuote(button) {
    if (!pop) {
      pop = PA.el("div", { id: "cite-pop", role: "tooltip" });
      document.body.appendChild(pop);
    }
    pop.replaceChildren(
      PA.el("div", { className: "cite-where" }, `[${button.dataset.n}] ${button.dataset.where || ""}`),
      PA.el("div", { className: "cite-quote" }, `「${button.dataset.quote || ""}」`)
    );
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
      showQuote(b); // a tap shows the quote too
      follow(b);
    } else if ((b = t.closest("#chat .act-copy"))) copy(b);
    else if ((b = t.closest("#chat .act-vote"))) PA.send("chat", { action: "vote", turn: b.dataset.turn, verdict: b.dataset.verdict });
    else if ((b = t.closest("#chat .act-regen"))) PA.send("chat", { action: "regenerate", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .act-more"))) PA.send("chat", { action: "more", turn: b.dataset.turn });
    else if ((b = t.closest("#chat .chip-x"))) PA.send("chat", { action: "drop_context", turn: b.dataset.turn });
    if (!t.closest("button.cite")) hideQuote();
    const answer = t.closest("#chat .answer[data-turn]");
    if (answer && !t.closest("button")) activate(answer.dataset.turn);
  });
  document.addEventListener("keydown", (e) => e.key === "Escape" && hideQuote());
  document.addEventListener("mouseover", (e) => cite(e) && showQuote(cite(e)));
  document.addEventListener("mouseout", (e) => cite(e) && hideQuote());
  document.addEventListener("focusin", (e) => cite(e) && showQuote(cite(e)));
  document.addEventListener("focusout", (e) => cite(e) && hideQuote());
})();
