// The lead and opportunity boards (templates/leads/lead_board.html,
// templates/opportunities/opportunity_board.html). SortableJS (static/vendor/sortablejs) moves
// the cards; this file only tells the server. A card dropped on another column posts its
// move form (the same one its "Move" button submits without a script) with the card's version
// and asks for JSON: a card someone else changed meanwhile is refused (409) and goes back,
// and the board says so. A card dropped on a zone (Qualify, Disqualify, Won, Lost) goes back
// and opens that zone's form, the page's own, in a dialog; the form returns to the board.
document.addEventListener("DOMContentLoaded", function () {
  var board = document.querySelector("[data-board]");
  if (!board || typeof Sortable === "undefined") return;
  var alertBox = document.querySelector("[data-board-alert]");
  var dialogEl = document.getElementById("board-dialog");
  var dialog = dialogEl && window.bootstrap ? bootstrap.Modal.getOrCreateInstance(dialogEl) : null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }
  function say(text, kind) {
    if (!alertBox) return;
    alertBox.textContent = text;
    alertBox.className = "alert alert-" + (kind || "warning");
  }
  function putBack(evt) {
    var before = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, before);
  }
  function recount(list, change) {
    var badge = list.closest("section").querySelector("[data-column-count]");
    if (!badge || badge.hasAttribute("data-capped")) return;
    var count = parseInt(badge.getAttribute("data-column-count"), 10) + change;
    badge.setAttribute("data-column-count", String(count));
    badge.textContent = count.toLocaleString(document.documentElement.lang || undefined);
  }
  // The columns' counts and values as the server now sums them (the board's own page,
  // read again; only the headers are replaced, the cards stay where they were dropped).
  function refreshHeaders() {
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        board.querySelectorAll(".board-column-header").forEach(function (header) {
          var section = header.closest("section");
          var twin = fresh.querySelector('[data-testid="' + section.getAttribute("data-testid") + '"] .board-column-header');
          if (twin) header.innerHTML = twin.innerHTML;
        });
      });
  }
  function openDialog(link) {
    if (!dialog) {
      window.location.href = link.href;
      return;
    }
    var url = link.href + (link.href.indexOf("?") < 0 ? "?" : "&") + "dialog=1&next=" +
      encodeURIComponent(board.getAttribute("data-next"));
    fetch(url, {credentials: "same-origin"})
      .then(function (response) {
        if (response.redirected || !response.ok) {  // e.g. the lead was qualified meanwhile
          window.location.href = link.href;
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var body = document.getElementById("board-dialog-body");
        body.innerHTML = html;
        if (window.htmx) htmx.process(body);
        // "Update preview" (qualify) refreshes the preview in the dialog, as a change does,
        // instead of leaving the board for the page.
        body.querySelectorAll("form").forEach(function (form) {
          form.addEventListener("submit", function (event) {
            var button = event.submitter;
            if (button && button.name === "preview" && window.htmx && form.hasAttribute("hx-post")) {
              event.preventDefault();
              htmx.trigger(form, "change");
            }
          });
        });
        document.getElementById("board-dialog-title").textContent = link.textContent.trim();
        dialog.show();
      });
  }
  function move(evt) {
    var card = evt.item;
    var form = card.querySelector("[data-move-form]");
    var field = evt.to.getAttribute("data-field");
    var data = new FormData(form);
    data.set(field, evt.to.getAttribute("data-column"));
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()},
    }).then(function (response) {
      return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
    }).then(function (result) {
      if (!result.ok) {
        putBack(evt);
        say(result.answer.error || board.getAttribute("data-stale"), "warning");
        return;
      }
      card.setAttribute("data-version", result.answer.version);
      form.querySelector("[name=expected_version]").value = result.answer.version;
      form.querySelector("[name=" + field + "]").value = evt.to.getAttribute("data-column");
      recount(evt.from, -1);
      recount(evt.to, +1);
      refreshHeaders();
      say(result.answer.message, "success");
    }).catch(function () {
      putBack(evt);
      say(board.getAttribute("data-stale"), "warning");
    });
  }

  board.querySelectorAll("[data-column]").forEach(function (list) {
    Sortable.create(list, {
      group: "board",
      draggable: "[data-card]",
      filter: "a, button, select, input, label",
      preventOnFilter: false,
      animation: 150,
      onEnd: function (evt) {
        if (evt.to === evt.from) return;
        var zone = evt.to.getAttribute("data-zone");
        if (zone) {
          putBack(evt);
          var link = evt.item.querySelector('[data-dialog="' + zone + '"]');
          if (link) openDialog(link);
          return;
        }
        move(evt);
      },
    });
  });
  board.querySelectorAll("[data-zone]").forEach(function (zone) {
    Sortable.create(zone, {group: {name: "board", pull: false, put: true}, draggable: "[data-card]"});
  });
  board.addEventListener("click", function (event) {
    var link = event.target.closest("[data-dialog]");
    if (!link) return;
    event.preventDefault();
    openDialog(link);
  });
  // Back from a card's Move button (its `next` ends in #move-<id>): the keyboard goes on
  // from that card's select, not from the top of the page.
  if (window.location.hash.indexOf("#move-") === 0) {
    var moved = document.getElementById(window.location.hash.slice(1));
    if (moved) moved.focus();
  }
  board.setAttribute("data-board-ready", "");  // the browser tests wait for this
});
