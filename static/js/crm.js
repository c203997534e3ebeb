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
  // A record header's field edited in place (.fact-form): Escape cancels, as its Cancel link;
  // Enter in a select saves, as it does in the date and text inputs.
  document.body.addEventListener("keydown", function (event) {
    var form = event.target.closest(".fact-form");
    if (!form) return;
    if (event.key === "Escape" && form.querySelector("[data-fact-cancel]")) {
      event.preventDefault();
      form.querySelector("[data-fact-cancel]").click();
    } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  // The record header stays in view on wider screens (crm.css): a form it opens in the
  // timeline scrolls to just below it (scroll-margin-top reads its height).
  var headerObserver = window.ResizeObserver && new ResizeObserver(measureHeader);
  function measureHeader() {
    var header = document.querySelector(".record-header");
    var sticky = header && getComputedStyle(header).position === "sticky";
    document.documentElement.style.setProperty(
      "--record-header-height", (sticky ? header.offsetHeight : 0) + "px");
  }
  function watchHeader() {
    var header = document.querySelector(".record-header");
    if (!header || !headerObserver) return;
    headerObserver.disconnect();  // htmx replaces the lead's header after an action
    headerObserver.observe(header);
  }
  watchHeader();
  document.body.addEventListener("htmx:afterSettle", watchHeader);
  // A form loaded into the timeline (Log a call, Add a note, ...) takes the keyboard focus:
  // its first field, without scrolling again.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot.classList || !slot.classList.contains("timeline-form")) return;
    var field = slot.querySelector("input:not([type=hidden]), textarea, select");
    if (field) field.focus({preventScroll: true});
  });
});
