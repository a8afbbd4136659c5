/* Shared by the page's scripts (loaded first): the PA namespace, DOM helpers, the bridges to the server
   (gr.HTML components call PA.bridge from js_on_load) and this browser's storage. */
(() => {
  "use strict";
  const PA = (window.PA = window.PA || {});
  PA.$ = (sel, root = document) => root.querySelector(sel);
  PA.$$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  PA.attr = (v) => String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"'); // a value inside [data-x="…"]
  PA.visible = (el) => !!el && el.offsetParent !== null && getComputedStyle(el).display !== "none";

  /* An element built without innerHTML: text never becomes markup. */
  PA.el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "data") Object.assign(node.dataset, v);
      else if (k in node) node[k] = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  };

  const bridges = {};
  PA.bridge = (name, send, server) => {
    bridges[name] = { send, server };
  };
  PA.send = (name, data) => bridges[name] && bridges[name].send(data);
  PA.server = (name) => bridges[name] && bridges[name].server;

  /* Light or dark: the switch in the title bar; the choice is kept in this browser. An explicit
     ?__theme=light|dark in the address wins (Gradio applies it), and the switch updates it. */
  const THEME_KEY = "theme";
  const dark = () => document.body.classList.contains("dark");
  function showTheme() {
    const button = PA.$("#theme-toggle");
    if (!button) return;
    button.setAttribute("aria-pressed", String(dark()));
    button.textContent = dark() ? "ライト表示にする" : "ダーク表示にする";
  }
  PA.applyTheme = () => {
    const wanted = new URL(location.href).searchParams.get("__theme") ? null : PA.storage.read(THEME_KEY);
    if (wanted === "dark" || wanted === "light") document.body.classList.toggle("dark", wanted === "dark");
    showTheme();
  };
  PA.toggleTheme = () => {
    const mode = dark() ? "light" : "dark";
    document.body.classList.toggle("dark", mode === "dark");
    PA.storage.write(THEME_KEY, mode);
    const url = new URL(location.href);
    if (url.searchParams.get("__theme")) {
      url.searchParams.set("__theme", mode);
      history.replaceState(history.state, "", url.toString());
    }
    showTheme();
  };
  document.addEventListener("click", (e) => {
    if (e.target instanceof Element && e.target.closest("#theme-toggle")) PA.toggleTheme();
  });

  /* localStorage under one prefix; when it is full, the oldest saved conversation makes room. */
  const PREFIX = "plan-assistant:v1:";
  PA.storage = {
    read(key) {
      try {
        const v = localStorage.getItem(PREFIX + key);
        return v === null ? null : JSON.parse(v);
      } catch (e) {
        return null;
      }
    },
    write(key, value) {
      for (let tries = 0; tries < 100; tries++) {
        try {
          localStorage.setItem(PREFIX + key, JSON.stringify(value));
          return true;
        } catch (e) {
          if (!PA.makeRoom || !PA.makeRoom(key)) return false;
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
})();
