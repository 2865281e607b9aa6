// Handgrid's own script: enhancements only. Every feature of the page works
// without it; this file adds
// * keeping what the student typed: entries, marks, reveals and help are kept
//   in this browser per problem (localStorage) and come back on reload, Back,
//   a new tab or a later visit; "Start over" clears them; a list of recent
//   problems with their scores;
// * keyboard: arrow keys move between cells, Enter checks (the form's first
//   button), the working takes focus when shown and Esc goes back to its cell,
//   the Next problem link takes focus once every cell is right;
// * pasting a whole matrix into a grid, the "Copy link" button, the Hint menu
//   following the cell the student is in, the how-to panel of a first visit,
//   and each problem's progress on a worksheet version's page.
// Handlers are delegated from the document, so they keep working on the
// fragments htmx swaps in. A cell's place comes from its data-matrix, data-row
// and data-col attributes (app/core/answers.py owns the field names).
(function () {
  "use strict";

  var STORE = "handgrid:v1:";
  var RECENT = STORE + "recent";
  var INTRO_DONE = STORE + "intro-done";  // static/early.js reads it before the page is drawn
  var MAX_RECENT = 20;

  // --- storage: never fatal (private windows and full disks refuse it) --------------------

  function load(key) {
    try {
      var text = window.localStorage.getItem(key);
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) { /* nothing kept: the page still works */ }
  }

  function work() { return document.getElementById("work"); }
  function form() { return document.getElementById("work-form"); }
  function codeKey(code) { return STORE + "problem:" + code; }

  function answerInputs() {
    var found = form();
    return found ? found.querySelectorAll("input[data-matrix]") : [];
  }

  function hiddenValues(name) {
    var found = form();
    if (!found) return [];
    return Array.prototype.map.call(found.querySelectorAll("input[type=hidden][name='" + name + "']"),
                                    function (input) { return input.value; });
  }

  // What the student has done on this problem, read off the page as it is now.
  function currentState() {
    var entries = {};
    answerInputs().forEach(function (input) { if (input.value !== "") entries[input.name] = input.value; });
    // A revealed cell keeps what had been typed in it in a hidden field of the same name.
    form().querySelectorAll("td.cell-revealed input[type=hidden]").forEach(function (input) {
      if (input.value !== "") entries[input.name] = input.value;
    });
    var score = document.querySelector("#summary .score");
    return {
      entries: entries,
      revealed: hiddenValues("revealed"),
      helped: hiddenValues("helped"),
      checked: !!document.querySelector("#check-state input"),
      score: score ? score.textContent.replace(/\s*Next problem\s*$/, "").trim() : "",
      at: Date.now()
    };
  }

  // A class problem's page: the server keeps its entries too (app/classes.py).
  function isClass() { var section = work(); return !!section && section.dataset.classEntries !== undefined; }

  // Entries as one string, to tell whether the server holds what this browser sent.
  function fingerprint(entries) {
    return JSON.stringify(Object.keys(entries).sort().map(function (name) { return [name, entries[name]]; }));
  }

  // synced: the fingerprint of what the server now holds, after a post of this
  // form; otherwise what was kept before.
  function save(synced) {
    var section = work();
    if (!section || !form()) return;
    var state = currentState();
    var before = load(codeKey(section.dataset.code));
    state.synced = synced !== undefined ? synced : before && before.synced;
    var empty = !Object.keys(state.entries).length && !state.revealed.length && !state.helped.length;
    store(codeKey(section.dataset.code), empty ? null : state);
    remember(section.dataset.code, state.score);
  }

  function remember(code, score) {
    var recent = (load(RECENT) || []).filter(function (item) { return item.code !== code; });
    recent.unshift({ code: code, score: score || "", at: Date.now() });
    store(RECENT, recent.slice(0, MAX_RECENT));
  }

  // Back on a problem: what was kept comes back. Entries are filled in where the
  // page has none; marks, reveals and help are asked of the server again (one
  // post of the form, as the buttons do), so they are the server's own.
  function restore() {
    var section = work();
    if (!section || !form()) return;
    var code = section.dataset.code;
    var state = load(codeKey(code));
    showRecent(code);
    if (!state) { remember(code, ""); return; }
    var fresh = !currentState().checked && !hiddenValues("revealed").length;
    if (!fresh) return;  // a page that already holds work (the server drew it): leave it
    // A class student's page comes with the entries the server kept (data-class-entries).
    // This browser's win only when the server still holds what this browser last
    // sent it (so nothing came from another device since), or holds nothing.
    var onServer = isClass() ? fingerprint(currentState().entries) : null;
    var mine = !isClass() || onServer === fingerprint({}) || state.synced === onServer;
    if (!mine) { remember(code, state.score); return; }
    answerInputs().forEach(function (input) {
      var kept = state.entries[input.name];
      if (isClass()) input.value = kept !== undefined ? kept : "";
      else if (input.value === "" && kept !== undefined) input.value = kept;
    });
    // Not posted again to bring the marks back: on a class problem that would count as a check.
    if (isClass()) { remember(code, state.score); return; }
    var extra = {};
    if (state.revealed.length || state.helped.length) {
      addHidden("revealed", state.revealed);
      addHidden("helped", state.helped);
      if (state.checked) addHidden("checked", ["1"]);
      if (window.htmx) window.htmx.trigger(form(), "submit");
    } else if (state.checked) {
      document.querySelector("#work-form button[name=action][value=check]").click();
    }
    remember(code, state.score);
    return extra;
  }

  function addHidden(name, values) {
    values.forEach(function (value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form().appendChild(input);
    });
  }

  function showRecent(current) {
    var section = document.getElementById("recent");
    if (!section) return;
    var list = section.querySelector("ol");
    var recent = (load(RECENT) || []).filter(function (item) { return item.code !== current; });
    list.textContent = "";
    recent.forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/p/" + encodeURIComponent(item.code);
      link.textContent = item.code;
      link.className = "code";
      entry.appendChild(link);
      var score = document.createElement("span");
      score.className = "recent-score";
      score.textContent = item.score || "not checked yet";
      entry.appendChild(score);
      list.appendChild(entry);
    });
    section.hidden = recent.length === 0;
  }

  // --- keyboard ------------------------------------------------------------------------

  function place(input) {
    return input.dataset && input.dataset.matrix
      ? { matrix: input.dataset.matrix, row: +input.dataset.row, col: +input.dataset.col } : null;
  }

  function cell(matrix, row, col) {
    var found = document.querySelector("input[data-matrix='" + matrix + "'][data-row='" + row +
                                       "'][data-col='" + col + "']");
    return found && !found.readOnly ? found : null;
  }

  function moveTo(target) {
    if (!target) return false;
    target.focus();
    target.select();
    return true;
  }

  // Up/Down always move; Left/Right only leave a cell when the caret is at the
  // edge of its text, so editing inside a cell still works. A cell arrived at by
  // an arrow has its whole text selected: then either arrow leaves at once, as in
  // a spreadsheet, instead of first collapsing the selection.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("#working")) {
      var back = document.getElementById(event.target.closest("#working").dataset.cell);
      if (back && back.focus) { event.preventDefault(); back.focus(); }
      return;
    }
    var at = event.target.tagName === "INPUT" && place(event.target);
    if (!at || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var input = event.target, moved = false;
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    var atStart = whole || (input.selectionStart === 0 && input.selectionEnd === 0);
    var atEnd = whole || input.selectionStart === input.value.length;
    if (event.key === "ArrowUp") moved = moveTo(cell(at.matrix, at.row - 1, at.col));
    else if (event.key === "ArrowDown") moved = moveTo(cell(at.matrix, at.row + 1, at.col));
    else if (event.key === "ArrowLeft" && atStart) moved = moveTo(cell(at.matrix, at.row, at.col - 1));
    else if (event.key === "ArrowRight" && atEnd) moved = moveTo(cell(at.matrix, at.row, at.col + 1));
    if (moved) event.preventDefault();
  });

  // Rows of numbers from pasted text, split as app/core/matrixtext.py's rows_of
  // splits them (it owns the rule; a browser test holds the two together): lines
  // of values separated by spaces, commas, semicolons or tabs, or NumPy's
  // printed form "[[-1 -5] [ 3  2]]".
  function rowsOf(text) {
    var bracketed = text.match(/\[[^\[\]]*\]/g);
    var rows = bracketed ? bracketed.map(function (row) { return row.slice(1, -1); }) : text.split(/\r?\n/);
    return rows.map(function (row) {
      return row.split(/[\s,;]+/).filter(function (value) { return value !== ""; });
    }).filter(function (row) { return row.length > 0; });
  }

  document.addEventListener("paste", function (event) {
    var at = event.target.tagName === "INPUT" && place(event.target);
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
    save();
  });

  // The Hint menu follows the answer cell the student is in, and only that, so
  // "Show the working" explains the cell they are stuck on.
  document.addEventListener("focusin", function (event) {
    var menu = document.getElementById("hint-cell");
    if (menu && event.target.tagName === "INPUT" && place(event.target)) menu.value = event.target.id;
  });

  document.addEventListener("input", function (event) {
    if (event.target.tagName === "INPUT" && place(event.target)) save();
  });

  // Which button sent the form: after the swap, focus goes where that button's
  // answer is (the working, or the score's Next problem link).
  var sentBy = "", sending = null;
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    sentBy = button ? (button.name === "action" ? button.value : button.name) : "";
    if (isClass() && event.target === form()) sending = fingerprint(currentState().entries);
  }, true);

  // A class problem's post has reached the server, which now holds what it sent,
  // unless its note (swapped in already) says it kept nothing: a page too old, the
  // records unavailable, a student no longer in the class. Then this browser's
  // entries stay the ones to trust.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    var note = document.getElementById("class-note");
    var kept = !note || note.dataset.kept !== "false";
    if (sending !== null && event.detail.successful && kept && source && source.id === "work-form") save(sending);
  });

  document.addEventListener("htmx:afterSettle", function () {
    save();
    if (sentBy === "hint" || sentBy === "hint_sum") {
      var working = document.getElementById("working");
      if (working) working.focus();
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "summary") return;
    save();
    var next = document.getElementById("next-problem");
    if (next) next.focus();
  });

  // --- the rest ----------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#start-over");
    if (link && work()) store(codeKey(work().dataset.code), null);
  });

  function enableCopy(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      if (!field || !navigator.clipboard) return;
      button.removeAttribute("data-js-only");
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

  // A worksheet version's page (/w/<code>): each problem's progress, as this browser kept it.
  function showProgress() {
    document.querySelectorAll("#version-problems li[data-code]").forEach(function (item) {
      var state = load(codeKey(item.dataset.code));
      var note = document.createElement("span");
      note.className = "version-progress";
      note.textContent = !state ? "not started" : state.score || "started, not checked yet";
      item.appendChild(note);
    });
  }

  function enableIntro() {
    var intro = document.getElementById("intro");
    var done = document.getElementById("intro-done");
    if (!intro || !done) return;
    // early.js found it dismissed and hid it before drawing: close it, and let CSS go.
    var root = document.documentElement;
    if (root.classList.contains("intro-done")) intro.open = false;
    root.classList.remove("intro-done");
    done.removeAttribute("data-js-only");
    done.addEventListener("click", function () {
      store(INTRO_DONE, true);
      intro.open = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopy(document);
    enableIntro();
    showProgress();
    restore();
  });
})();
