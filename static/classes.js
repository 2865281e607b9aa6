// The teacher's dashboard (app/classes.py): its live part (data-live) asks the
// server again every few seconds (htmx's hx-trigger "every 5s"). This pauses it
// while the tab is hidden, and asks at once when the tab is shown again. Without
// this file the part still updates; without JavaScript, Refresh reloads the page.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (document.hidden && source && source.hasAttribute && source.hasAttribute("data-live")) event.preventDefault();
  });

  document.addEventListener("visibilitychange", function () {
    var live = document.querySelector("[data-live]");
    if (!document.hidden && live && window.htmx) window.htmx.trigger(live, "hg-refresh");
  });
})();
