// The top bar's global search (templates/crm/search/_box.html): "/" focuses the box, the
// arrow keys move through the suggestions htmx puts under it, Escape or a click elsewhere
// closes them. Enter in the box submits the form to /search/ (no script needed for that).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-search-box]");
  var panel = document.querySelector("[data-search-suggest]");
  if (!box || !panel) return;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  function hits() {
    return Array.prototype.slice.call(panel.querySelectorAll("[data-search-hit]"));
  }
  function close() {
    panel.innerHTML = "";
    box.setAttribute("aria-expanded", "false");
  }
  function isOpen() {
    return panel.children.length > 0;
  }
  // Ask again for the text already in the box (focus, ArrowDown after the list was closed).
  function reopen() {
    if (!isOpen() && box.value.trim().length >= 2 && window.htmx) htmx.trigger(box, "search");
  }
  // The "/" hint only where there is a keyboard to press it.
  if (window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches) {
    box.setAttribute("placeholder", box.getAttribute("data-shortcut-placeholder"));
  }
  box.addEventListener("focus", reopen);

  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
  // A type-ahead answer arrived: say whether it shows anything; an answer for text the box
  // no longer holds (shorter than two characters now) is dropped.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== panel) return;
    if (box.value.trim().length < 2) panel.innerHTML = "";
    box.setAttribute("aria-expanded", panel.children.length ? "true" : "false");
  });
  box.addEventListener("input", function () {
    if (box.value.trim().length < 2) close();
  });
  box.addEventListener("keydown", function (event) {
    var list = hits();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.length) list[0].focus(); else reopen();
    } else if (event.key === "Escape" && isOpen()) {
      // The first Escape closes the suggestions and keeps the text (a search box would
      // clear it); a second one clears it as usual.
      event.preventDefault();
      close();
    }
  });
  panel.addEventListener("keydown", function (event) {
    var list = hits();
    var at = list.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at === 0) box.focus(); else list[at - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
      box.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-testid='global-search']")) close();
  });
});
