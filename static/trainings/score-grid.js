/* The score grid: spreadsheet-like keyboard moves and live statistics of the scores as typed.
 *
 * Enter / ArrowDown: same column, next participant; Shift+Enter / ArrowUp: previous participant;
 * Ctrl+S (or Cmd+S): save everything. The statistics come from the server (the same function the
 * results page uses), computed on the draft without saving it.
 */
(function () {
  "use strict";

  var form = document.getElementById("score-grid");
  if (!form) {
    return;
  }
  var previewUrl = form.dataset.previewUrl;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var badge = document.getElementById("draft-badge");
  var dirty = false;
  var submitting = false;
  var timer = null;
  var pending = null;

  function cellsOfColumn(column) {
    return Array.prototype.slice.call(form.querySelectorAll('[data-col="' + column + '"]'));
  }

  function move(field, step) {
    var column = cellsOfColumn(field.dataset.col);
    var next = column[column.indexOf(field) + step];
    if (next) {
      next.focus();
      if (next.select) {
        next.select();
      }
    }
  }

  form.addEventListener("keydown", function (event) {
    var field = event.target;
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (!field.dataset || !field.dataset.col) {
      return;
    }
    var isSelect = field.tagName === "SELECT";
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      move(field, event.shiftKey ? -1 : 1);
    } else if (!isSelect && event.key === "ArrowDown") {
      event.preventDefault();
      move(field, 1);
    } else if (!isSelect && event.key === "ArrowUp") {
      event.preventDefault();
      move(field, -1);
    }
  });

  function showErrors(errors) {
    form.querySelectorAll("input.score-input").forEach(function (input) {
      var message = errors[input.name] || "";
      var hint = document.getElementById("err-" + input.name);
      input.classList.toggle("is-invalid", Boolean(message));
      if (message) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      if (hint) {
        hint.textContent = message;
        hint.classList.toggle("d-block", Boolean(message));
      }
    });
  }

  function showFigures(figures) {
    Object.keys(figures).forEach(function (key) {
      document.querySelectorAll('#grid-figures [data-figure="' + key + '"]').forEach(function (element) {
        if (element.textContent !== figures[key]) {
          element.textContent = figures[key];
        }
      });
    });
  }

  function preview() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var body = new FormData(form);
    fetch(previewUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("preview failed: " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        showFigures(data.figures);
        showErrors(data.errors);
        form.dataset.previewed = String(Number(form.dataset.previewed || 0) + 1);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          console.warn(error);
        }
      });
  }

  form.addEventListener("input", function () {
    dirty = true;
    if (badge) {
      badge.classList.remove("d-none");
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 250);
  });

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = form.dataset.unsavedMessage;
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
