/* The console's and the dispatch board's self-refresh (htmx polling, every 5 s and when the
   phone wakes), with its two conditions kept here rather than in htmx trigger filters, which
   htmx evaluates as strings: the Content-Security-Policy refuses that ('unsafe-eval').
   - a hidden page does not poll (it refreshes when it becomes visible again);
   - the worker's console does not refresh under the worker's fingers (a focused field in it). */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (!element || (element.id !== "console-live" && element.id !== "dispatch-live")) {
      return;
    }
    if (document.visibilityState === "hidden") {
      event.preventDefault();
      return;
    }
    var active = document.activeElement;
    if (element.id === "console-live" && active && active.closest && active.closest("#console-live")) {
      event.preventDefault();
    }
  });
})();
