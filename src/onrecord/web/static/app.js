// onrecord: the only script of the pages (no inline script anywhere; the CSP allows this file alone).
// On an article page, pointing at or focusing a quotation, its cue or its speaker lights up all three,
// and following a link to #q-N (from a quotation card, "in context") lights up quotation N.
"use strict";

(function () {
  const text = document.getElementById("article-text");
  if (!text) {
    return;
  }

  function parts(positions) {
    const found = [];
    for (const q of positions) {
      text.querySelectorAll('[data-q~="' + q + '"]').forEach((el) => found.push(el));
      const item = document.getElementById("ql-" + q);
      if (item) {
        found.push(item);
      }
    }
    return found;
  }

  // The quotations of every mark around the element (a cue inside a quotation inside another).
  function positionsOf(el) {
    const found = new Set();
    for (let node = el.closest("[data-q]"); node; node = node.parentElement.closest("[data-q]")) {
      node.getAttribute("data-q").split(" ").forEach((q) => found.add(q));
    }
    return [...found];
  }

  let lit = [];
  function light(positions, cls) {
    lit.forEach((el) => el.classList.remove(cls));
    lit = parts(positions);
    lit.forEach((el) => el.classList.add(cls));
  }

  function onOver(event) {
    const positions = positionsOf(event.target);
    if (positions.length) {
      light(positions, "lit");
    }
  }
  text.addEventListener("mouseover", onOver);
  const list = document.querySelector(".qlist");
  if (list) {
    list.addEventListener("mouseover", onOver);
    list.addEventListener("focusin", onOver);
  }

  let focused = [];
  function fromHash() {
    focused.forEach((el) => el.classList.remove("focus"));
    const match = /^#q-(\d+)$/.exec(window.location.hash);
    focused = match ? parts([match[1]]) : [];
    focused.forEach((el) => el.classList.add("focus"));
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
