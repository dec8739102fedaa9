/* The statistics chart (templates/stats/store.html): a day's numbers already show on hover and on
   focus with CSS alone. This only makes the days one tab stop: Tab lands on the last day (today),
   the arrow keys, Home and End move between the days. Loaded with `defer` (no inline script: CSP). */
(function () {
  "use strict";

  function rove(chart) {
    var days = Array.prototype.slice.call(chart.querySelectorAll(".day"));
    if (!days.length) return;
    var current = days.length - 1;

    function pick(index, focus) {
      days[current].setAttribute("tabindex", "-1");
      current = Math.max(0, Math.min(days.length - 1, index));
      days[current].setAttribute("tabindex", "0");
      if (focus) days[current].focus();
    }

    days.forEach(function (day, index) {
      day.setAttribute("tabindex", index === current ? "0" : "-1");
      day.addEventListener("focus", function () { if (index !== current) pick(index, false); });
    });

    chart.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: days.length - 1 };
      if (!(event.key in moves) || !event.target.classList || !event.target.classList.contains("day")) return;
      event.preventDefault();
      pick(moves[event.key], true);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".stats-chart"), rove);
})();
