// Lookup widgets (crm/lookup.py): Enter in the search box searches instead of submitting
// the whole form. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("keydown", function (event) {
  var box = event.target.closest && event.target.closest("[data-lookup-search]");
  if (box && event.key === "Enter") {
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(box, "search");
  }
});
