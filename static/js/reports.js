// Reports: charts drawn from json_script data, and tables sorted by a click on a header.
// Loaded as a file (the CSP forbids inline scripts); Chart.js is vendored.
document.addEventListener("DOMContentLoaded", function () {
  var palette = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545"];

  // <canvas data-chart="ID" data-chart-type="bar"> draws the JSON of <script id="ID">.
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = palette[index % palette.length];
    });
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart-type") || "bar",
      data: data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    canvas.setAttribute("data-chart-ready", "true");
  });

  // <table data-sortable>: header buttons with data-sort="text|number" sort the body rows
  // by that column (cells' data-value, else their text); a second click reverses.
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("thead [data-sort]").forEach(function (button) {
      button.addEventListener("click", function () {
        var th = button.closest("th");
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = button.getAttribute("data-sort") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var value = function (row) {
          var cell = row.children[index];
          var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
          if (!numeric) return raw.toLowerCase();
          return raw === "" ? -Infinity : parseFloat(raw);
        };
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
});
