// The Code view's and fill-in-the-code's script: enhancements only. Without
// it the downloads, the paste-back form and the Check of the blanks all work;
// this adds the "Copy the script" button, and lets htmx show a refused check
// (a 400 whose page says why) in place, as it shows a marked one.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy-text]").forEach(function (button) {
      var source = document.getElementById(button.dataset.copyText);
      if (!source || !navigator.clipboard) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 2000);
        }, function () {
          window.getSelection().selectAllChildren(source);
        });
      });
    });
  });

  // htmx leaves 4xx answers unswapped by default; the fill form's 400 names
  // what was refused and keeps what was typed, so it is swapped in like a 200.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && form && form.id === "fill-form") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
