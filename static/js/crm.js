// Small behaviours shared by every page. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  // Buttons with data-confirm ask before submitting their form.
  document.body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // "Select all" checkboxes for bulk actions: data-select-all="name-of-row-checkboxes".
  document.body.addEventListener("change", function (event) {
    var toggle = event.target.closest("[data-select-all]");
    if (!toggle) return;
    var name = toggle.getAttribute("data-select-all");
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = toggle.checked;
    });
  });
  // "Call" (activities' call_button): the tel: link dials as usual, and the record's
  // "Log a call" form opens beside it, filled in, for the outcome after hanging up.
  document.body.addEventListener("click", function (event) {
    var call = event.target.closest("[data-call-log]");
    if (!call || !window.htmx) return;
    var target = document.querySelector(call.getAttribute("data-call-target"));
    if (!target) return;
    htmx.ajax("GET", call.getAttribute("data-call-log"), {target: target, swap: "innerHTML"})
      .then(function () {
        target.scrollIntoView({block: "nearest"});
        var outcome = target.querySelector("textarea");
        if (outcome) outcome.focus({preventScroll: true});
      });
  });
});
