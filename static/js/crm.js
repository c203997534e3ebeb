// Small behaviours shared by every page. Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  // Buttons with data-confirm ask before submitting their form.
  document.body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // A form's groups shown only for one value of a select (a scoring rule's kind):
  // <fieldset data-shown-for="kind" data-shown-value="field"> beside <select name="kind">.
  // Without this script every group shows, each under its heading.
  function showGroupsFor(form) {
    form.querySelectorAll("[data-shown-for]").forEach(function (group) {
      var select = form.querySelector('[name="' + group.getAttribute("data-shown-for") + '"]');
      if (select) group.hidden = select.value !== group.getAttribute("data-shown-value");
    });
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-shown-for]")) showGroupsFor(form);
  });
  document.body.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector('[data-shown-for="' + event.target.name + '"]')) {
      showGroupsFor(form);
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
  // timeline scrolls to just below it (crm.css: scroll-padding-top reads its height).
  var headerObserver = window.ResizeObserver && new ResizeObserver(measureHeader);
  // A page opened at an anchor (after a merge: #merge-<id>) jumped there before the header
  // was measured: once it is, the anchor is brought into view again, below the header.
  var anchorPending = location.hash.length > 1;
  function measureHeader() {
    var header = document.querySelector(".record-header");
    var sticky = header && getComputedStyle(header).position === "sticky";
    document.documentElement.style.setProperty(
      "--record-header-height", (sticky ? header.offsetHeight : 0) + "px");
    if (anchorPending) {
      anchorPending = false;
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }
  function watchHeader() {
    var header = document.querySelector(".record-header");
    if (!header || !headerObserver) return;
    headerObserver.disconnect();  // htmx replaces the lead's header after an action
    headerObserver.observe(header);
  }
  watchHeader();
  document.body.addEventListener("htmx:afterSettle", watchHeader);
  // Date inputs (crm/lib/widgets.py LocalizedDateInput) get a calendar in the page's language
  // and its first day of the week; again for every fragment htmx brings in.
  function dateFormat(pattern) {
    // Only whole dates in the format's order: the calendar's own parser would read "x" as today.
    // ISO (2026-12-02) is read in every language, as the server reads it.
    var shape = /^\s*\d{1,4}\D\d{1,2}\D\d{1,4}\s*$/, iso = /^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/;
    return {
      toValue: function (text) {
        if (iso.test(text)) return realDate(text, "yyyy-mm-dd") ? Datepicker.parseDate(text, "yyyy-mm-dd") : NaN;
        return shape.test(text) && realDate(text, pattern) ? Datepicker.parseDate(text, pattern) : NaN;
      },
      toDisplay: function (date) { return Datepicker.formatDate(date, pattern); },
    };
  }
  // Whether `text` (digits in the order of `pattern`, "dd.mm.yyyy") names a day that exists:
  // the calendar would roll 31.2.2026 over into 3 March without a word.
  function realDate(text, pattern) {
    var order = pattern.match(/d+|m+|y+/g) || [], parts = text.match(/\d+/g) || [], value = {};
    if (order.length !== 3 || parts.length !== 3) return false;
    order.forEach(function (token, i) { value[token.charAt(0)] = Number(parts[i]); });
    if (value.y < 100) value.y += 2000;
    var date = new Date(value.y, value.m - 1, value.d);
    return date.getFullYear() === value.y && date.getMonth() === value.m - 1 && date.getDate() === value.d;
  }
  function initDatePickers(root) {
    if (!window.Datepicker || !root.querySelectorAll) return;
    root.querySelectorAll("input[data-datepicker]").forEach(function (input) {
      if (input.datepicker) return;
      var language = input.getAttribute("data-language");
      var pattern = input.getAttribute("data-date-format");
      // A typed day that does not exist stays as typed when the field is left (the calendar
      // would put the last good date back, silently): the server then says what is wrong.
      input.addEventListener("blur", function () {
        var typed = input.value;
        if (!/\d\D\d/.test(typed) || realDate(typed, pattern) || realDate(typed, "yyyy-mm-dd")) return;
        setTimeout(function () { input.value = typed; }, 0);
      });
      new Datepicker(input, {
        format: dateFormat(pattern),
        weekStart: Number(input.getAttribute("data-week-start")),
        language: Datepicker.locales[language] ? language : "en",
        buttonClass: "btn",
        autohide: true,
      });
      // Typing (or pasting) a date puts the calendar away: it would cover the form's buttons,
      // and Enter then saves what was typed, not the day the calendar points at. Arrow down or
      // a click brings it back; leaving the field reads the text and writes it in the format.
      input.addEventListener("input", function () {
        if (input.datepicker.active) input.datepicker.hide();
      });
    });
  }
  initDatePickers(document);
  document.body.addEventListener("htmx:load", function (event) { initDatePickers(event.target); });
  // A form loaded into the timeline (Log a call, Add a note, ...) takes the keyboard focus:
  // its first field, without scrolling again.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot.classList || !slot.classList.contains("timeline-form")) return;
    var field = slot.querySelector("input:not([type=hidden]), textarea, select");
    if (field) field.focus({preventScroll: true});
  });
});
