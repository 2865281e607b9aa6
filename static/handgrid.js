// Handgrid's own script: small enhancements only. Every feature works
// without it; this file adds the "Copy link" button.
(function () {
  "use strict";

  function enableCopy(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy link"; }, 2000);
        }, function () {
          field.select();
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enableCopy(document); });
})();
