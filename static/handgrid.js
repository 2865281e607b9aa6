// Handgrid's own script: enhancements only. Every feature of the page works
// without it; this file adds the "Copy link" button, arrow-key movement
// between the cells of a grid, pasting a whole matrix into a grid, and a Hint
// menu that follows the focused cell.
// Handlers are delegated from the document, so they keep working on the
// fragments htmx swaps in.
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

  // An answer cell's input carries its place: data-matrix, data-row, data-col.
  function position(input) {
    var place = input.dataset;
    return place.matrix ? { matrix: place.matrix, row: +place.row, col: +place.col } : null;
  }

  function cell(matrix, row, col) {
    return document.querySelector('input[data-matrix="' + matrix + '"][data-row="' + row +
                                  '"][data-col="' + col + '"]');
  }

  function moveTo(target) {
    if (!target) return false;
    target.focus();
    target.select();
    return true;
  }

  // Up/Down always move; Left/Right only leave a cell when the caret is at the
  // edge of its text, so editing inside a cell still works.
  document.addEventListener("keydown", function (event) {
    var at = event.target.tagName === "INPUT" && position(event.target);
    if (!at || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var input = event.target, moved = false;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (event.key === "ArrowUp") moved = moveTo(cell(at.matrix, at.row - 1, at.col));
    else if (event.key === "ArrowDown") moved = moveTo(cell(at.matrix, at.row + 1, at.col));
    else if (event.key === "ArrowLeft" && atStart) moved = moveTo(cell(at.matrix, at.row, at.col - 1));
    else if (event.key === "ArrowRight" && atEnd) moved = moveTo(cell(at.matrix, at.row, at.col + 1));
    if (moved) event.preventDefault();
  });

  // Rows of numbers from pasted text: lines of values separated by spaces,
  // commas, semicolons or tabs, or NumPy's printed form "[[-1 -5] [ 3  2]]".
  // The rule is app/core/matrixtext.py's (rows_of); this repeats it for pasting,
  // and tests/test_browser.py holds the two to the same rows.
  function rowsOf(text) {
    var rows;
    var bracketed = text.match(/\[[^\[\]]*\]/g);
    if (bracketed) {
      rows = bracketed.map(function (row) { return row.slice(1, -1); });
    } else {
      rows = text.split(/\r?\n/);
    }
    return rows.map(function (row) {
      return row.split(/[\s,;]+/).filter(function (value) { return value !== ""; });
    }).filter(function (row) { return row.length > 0; });
  }

  document.addEventListener("paste", function (event) {
    var at = event.target.tagName === "INPUT" && position(event.target);
    if (!at || !event.clipboardData) return;
    var rows = rowsOf(event.clipboardData.getData("text"));
    var values = rows.reduce(function (n, row) { return n + row.length; }, 0);
    if (values < 2) return;  // one value: an ordinary paste
    event.preventDefault();
    var last = event.target;
    rows.forEach(function (row, r) {
      row.forEach(function (value, c) {
        var target = cell(at.matrix, at.row + r, at.col + c);
        if (target) {
          target.value = value;
          last = target;
        }
      });
    });
    last.focus();
  });

  // The Hint menu follows the cell the student is in, so "Show the working"
  // explains the cell they are stuck on.
  document.addEventListener("focusin", function (event) {
    var menu = document.getElementById("hint-cell");
    if (menu && event.target.tagName === "INPUT" && position(event.target)) {
      menu.value = event.target.name;  // the menu's values are the cells' field names
    }
  });

  document.addEventListener("DOMContentLoaded", function () { enableCopy(document); });
})();
