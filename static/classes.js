// The teacher's dashboard (app/classes.py): its live part (data-live) asks the
// server again every few seconds (htmx's hx-trigger "every 5s"). This pauses it
// while the tab is hidden, asks at once when the tab is shown again, keeps the
// table where it was scrolled, and shows the time of the last update in the
// teacher's time zone. Without
// this file the part still updates; without JavaScript, Refresh reloads the page.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (document.hidden && source && source.hasAttribute && source.hasAttribute("data-live")) event.preventDefault();
  });

  // A poll refused (the class deleted in another tab, the teacher link gone): say so
  // where the time of the last update is, instead of showing old figures as if live.
  document.addEventListener("htmx:responseError", function (event) {
    var source = event.detail && event.detail.elt;
    var line = document.getElementById("live-time");
    if (!line || !source || !source.hasAttribute || !source.hasAttribute("data-live")) return;
    line.textContent = "Not updated: this class could not be read (deleted, or this browser lost its teacher link)";
  });

  // The time of the last update in the teacher's own time zone (the page says UTC).
  function localTime() {
    var time = document.querySelector("#live-time time");
    var when = time && new Date(time.getAttribute("datetime"));
    if (when && !isNaN(when.getTime())) time.textContent = when.toLocaleTimeString();
  }

  // The table scrolled sideways (on a phone) stays where the teacher left it across swaps.
  var scrolledTo = 0;
  document.addEventListener("htmx:beforeSwap", function () {
    var table = document.getElementById("roster-scroller");
    scrolledTo = table ? table.scrollLeft : 0;
  });

  document.addEventListener("htmx:afterSettle", function () {
    var table = document.getElementById("roster-scroller");
    if (table && scrolledTo) table.scrollLeft = scrolledTo;
    localTime();
  });
  document.addEventListener("DOMContentLoaded", localTime);

  // Nothing new (a 204: htmx swaps nothing): the figures shown are still the latest.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    var time = document.querySelector("#live-time time");
    if (!time || !source || !source.hasAttribute || !source.hasAttribute("data-live")) return;
    if (event.detail.xhr && event.detail.xhr.status === 204) time.textContent = new Date().toLocaleTimeString();
  });

  document.addEventListener("visibilitychange", function () {
    var live = document.querySelector("[data-live]");
    if (!document.hidden && live && window.htmx) window.htmx.trigger(live, "hg-refresh");
  });
})();
