/* The connection: when the server cannot be reached, a Japanese message, and no sending until it is back
   (the conversation and the half-typed question are kept in this browser meanwhile). Nothing is sent either
   before the page has restored the kept conversation (PA.restored, history.js). */
(() => {
  "use strict";
  const { $, $$, el } = PA;
  const OFFLINE_TEXT =
    "サーバーに接続できません。再接続を待っています…（書きかけの質問と会話はこのブラウザに保存されています。接続が戻ると送信できます）";
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
    for (const t of $$("[class*=toast]", node.parentElement || node)) {
      if (!/Connection to the server was lost|Connection Lost/.test(t.textContent || "")) continue;
      const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (/Connection to the server was lost/.test(n.nodeValue)) n.nodeValue = OFFLINE_TEXT;
        else if (/Connection Lost/.test(n.nodeValue)) n.nodeValue = "接続が切れました";
      }
      setOnline(false);
    }
  }

  /* Sending waits while the server is away, and until the kept conversation is back on the page. */
  const blocked = (e, selector) =>
    (!online || !PA.isRestored) && e.target instanceof Element && e.target.closest(selector);
  PA.watchConnection = () => {
    if (watching) return;
    watching = true;
    new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(translate))).observe(document.body, {
      childList: true,
      subtree: true,
    });
    document.addEventListener(
      "keydown",
      (e) => {
        if (e.key === "Enter" && !e.shiftKey && blocked(e, "#question")) {
          e.preventDefault();
          e.stopImmediatePropagation();
        }
      },
      true
    );
    document.addEventListener(
      "click",
      (e) => {
        if (blocked(e, "#send, #chat .act-regen, #chat .act-more, #chat .chip-x")) {
          e.preventDefault();
          e.stopImmediatePropagation();
        }
      },
      true
    );
    window.addEventListener("offline", () => setOnline(false));
    window.addEventListener("online", check);
    check();
  };
  PA.ready = true; // the last of the page's scripts: everything is in place
})();
