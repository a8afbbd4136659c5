/* 分野マップ's matrix: a cell asks the server for its passage; category groups open and close, and stay
   open when the matrix is drawn again. */
(() => {
  "use strict";
  const { $$ } = PA;
  const openGroups = new Set();

  function toggle(tbody, open) {
    if (!tbody) return;
    const on = open === undefined ? !tbody.classList.contains("open") : open;
    tbody.classList.toggle("open", on);
    const button = tbody.querySelector(".cat-toggle");
    if (button) button.setAttribute("aria-expanded", String(on));
    if (on) openGroups.add(tbody.dataset.category);
    else openGroups.delete(tbody.dataset.category);
  }

  new MutationObserver(() => {
    if (!openGroups.size) return;
    $$("#matrix tbody.grp").forEach((tbody) => {
      if (openGroups.has(tbody.dataset.category) && !tbody.classList.contains("open")) toggle(tbody, true);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  const select = (td) => PA.send("map", { unit: td.dataset.unit, field: td.dataset.field });
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    let b;
    if ((b = t.closest("#matrix td.hit"))) select(b);
    else if ((b = t.closest("#matrix .cat-toggle"))) toggle(b.closest("tbody"));
    else if ((b = t.closest("#matrix td.cat-cell"))) toggle(b.closest("tbody"), true);
  });
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if ((e.key === "Enter" || e.key === " ") && t instanceof Element && t.matches("#matrix td.hit")) {
      e.preventDefault();
      select(t);
    }
  });
})();
