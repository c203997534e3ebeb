// Lookup widgets (crm/lookup.py): Enter in the search box searches instead of submitting
// the whole form. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("keydown", function (event) {
  var box = event.target.closest && event.target.closest("[data-lookup-search]");
  if (box && event.key === "Enter") {
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(box, "search");
  }
});

// Typing a search is not a choice: the search box's own change event (on blur) stays out of
// its form, so a form refreshing on change (the qualify preview) waits for a record chosen.
document.addEventListener(
  "change",
  function (event) {
    if (event.target.matches && event.target.matches("[data-lookup-search]")) {
      event.stopPropagation();
    }
  },
  true,
);
