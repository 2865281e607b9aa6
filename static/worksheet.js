// Worksheet page enhancements. Without JavaScript everything still works:
// Download PDF is a plain link, the preview prints with the browser's menu,
// and the size fields are always shown.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // "Print this page" opens the browser's print dialog on the preview.
    document.querySelectorAll("[data-print]").forEach(function (control) {
      control.hidden = false;
      control.addEventListener("click", function (event) {
        event.preventDefault();
        window.print();
      });
    });

    // The size fields matter only for the preset "Custom sizes".
    var preset = document.getElementById("ws-preset");
    var sizes = document.getElementById("ws-sizes");
    if (preset && sizes) {
      var sync = function () { sizes.hidden = preset.value !== "custom"; };
      preset.addEventListener("change", sync);
      sync();
    }
  });
})();
