// Desk enhancements. Every flow works without them: they only make losing work less likely.
//
// On the story form:
// - autosave: every few seconds, if anything changed, the fields (not the photo) are sent to
//   the server, which keeps them as a copy apart from the story and offers them back on the
//   form until the story is saved;
// - a warning before leaving the page with changes that were not saved to the story;
// - a question before a button marked `data-confirm` (Discard pending changes) does its work.
(function () {
  "use strict";

  var INTERVAL_MS = 5000;
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var endpoint = form.getAttribute("data-autosave");
  var story = form.getAttribute("data-story") || "";
  var status = form.querySelector(".autosave-status");
  var changed = false; // changed since the page loaded or the story was last saved
  var leaving = false; // the form is being submitted in this window
  var lastSent = fields();
  var inFlight = false;

  function fields() {
    var data = new FormData(form);
    var params = new URLSearchParams();
    data.forEach(function (value, name) {
      // The photo cannot travel this way; the action is chosen by a button, not autosave.
      if (typeof value === "string" && name !== "action") {
        params.append(name, value);
      }
    });
    params.append("story", story);
    return params.toString();
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function clock() {
    var now = new Date();
    return now.toTimeString().slice(0, 5);
  }

  function autosave() {
    if (inFlight || !changed) {
      return;
    }
    var body = fields();
    if (body === lastSent) {
      return;
    }
    inFlight = true;
    fetch(endpoint, {
      method: "POST",
      body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      credentials: "same-origin",
      redirect: "manual"
    })
      .then(function (response) {
        if (response.status === 204) {
          lastSent = body;
          say("Autosaved at " + clock() + " (not yet saved to the story).");
        } else if (response.status === 401 || response.type === "opaqueredirect") {
          say("Not autosaved: your session has ended. Your text is still on this page; " +
              "saving will ask you to log in and keep it.");
        } else {
          say("Not autosaved (the server answered " + response.status + "). " +
              "Keep this page open and save when you can.");
        }
      })
      .catch(function () {
        say("Not autosaved: the server cannot be reached. Keep this page open.");
      })
      .then(function () {
        inFlight = false;
      });
  }

  form.addEventListener("input", function () {
    changed = true;
  });
  form.addEventListener("change", function () {
    changed = true;
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    // A button that throws work away asks first.
    var question = submitter && submitter.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // Preview opens another window; this page and its changes stay.
    if (!submitter || submitter.getAttribute("formtarget") !== "_blank") {
      leaving = true;
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.setInterval(autosave, INTERVAL_MS);
})();

// The body's formatting toolbar: buttons that write Markdown around the selection (the body
// stays plain Markdown, typed by hand without them), a photo button that places a library
// photo from the picker page, and the body's length kept up to date while typing.
(function () {
  "use strict";

  var body = document.getElementById("body");
  var toolbar = document.querySelector(".md-toolbar");
  if (!body || !toolbar || body.selectionStart === undefined) {
    return;
  }
  toolbar.hidden = false;
  var dialog = document.querySelector(".photo-dialog");
  var length = document.getElementById("body-length");

  function changed() {
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // `before` and `after` around the selection (or `placeholder`), which stays selected.
  function wrap(before, after, placeholder) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var value = body.value;
    var chosen = value.slice(start, end) || placeholder;
    body.value = value.slice(0, start) + before + chosen + after + value.slice(end);
    body.focus();
    body.setSelectionRange(start + before.length, start + before.length + chosen.length);
    changed();
  }

  // `prefix` at the start of every line the selection touches.
  function prefixLines(prefix) {
    var value = body.value;
    var start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end < 0) {
      end = value.length;
    }
    var lines = value.slice(start, end).split("\n").map(function (line) {
      return line.indexOf(prefix) === 0 ? line : prefix + line;
    });
    var text = lines.join("\n");
    body.value = value.slice(0, start) + text + value.slice(end);
    body.focus();
    body.setSelectionRange(start + text.length, start + text.length);
    changed();
  }

  // `line` on a line of its own at the cursor, with a blank line either side.
  function insertLine(line) {
    var value = body.value;
    var before = value.slice(0, body.selectionStart);
    var after = value.slice(body.selectionEnd);
    var pre = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var post = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    var head = before + pre + line + post;
    body.value = head + after;
    body.focus();
    body.setSelectionRange(head.length, head.length);
    changed();
  }

  function openPicker(url) {
    if (!dialog || !dialog.showModal || !window.fetch || !window.DOMParser) {
      window.open(url, "_blank");
      return;
    }
    var list = dialog.querySelector(".photo-dialog-list");
    list.textContent = "Loading the library…";
    dialog.showModal();
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var grid = page.querySelector(".picker-grid, .empty");
        list.textContent = "";
        if (grid) {
          list.appendChild(document.importNode(grid, true));
        }
      })
      .catch(function () {
        list.textContent = "The library could not be loaded. Try again, or copy a photo's " +
          "line from the photo picker page.";
      });
  }

  var actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("*", "*", "italic text"); },
    link: function () {
      var start = body.selectionStart;
      var chosen = body.value.slice(start, body.selectionEnd) || "link text";
      var text = "[" + chosen + "](https://)";
      wrap("", "", text);
      // The address is what comes next.
      var at = start + text.length - 1;
      body.setSelectionRange(at - "https://".length, at);
    },
    heading: function () { prefixLines("## "); },
    quote: function () { prefixLines("> "); },
    pagebreak: function () { insertLine("<!--nextpage-->"); },
    photo: function (button) { openPicker(button.getAttribute("data-picker")); }
  };

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-md]");
    var action = button && actions[button.getAttribute("data-md")];
    if (action) {
      action(button);
    }
  });

  if (dialog) {
    dialog.addEventListener("click", function (event) {
      var place = event.target.closest("button.place-photo");
      if (place) {
        dialog.close();
        insertLine(place.getAttribute("data-line"));
      } else if (event.target.closest("button.close-dialog")) {
        dialog.close();
      }
    });
  }

  // About what the server counts: words of text, not marks, addresses or photo lines.
  function count() {
    var text = body.value
      .replace(/^[ \t]*!\[[^\]]*\]\([^)]*\)[ \t]*$/gm, " ")
      .replace(/<!--nextpage-->/g, " ")
      .replace(/\]\([^)]*\)/g, "] ")
      .replace(/[#*_>`\[\]|~]+/g, " ");
    var words = text.split(/\s+/).filter(function (w) { return /[\p{L}\p{N}]/u.test(w); }).length;
    var minutes = Math.max(1, Math.ceil(words / 230));
    return words + (words === 1 ? " word" : " words") + ", about " + minutes +
      (minutes === 1 ? " minute's" : " minutes'") + " reading";
  }

  var timer = null;
  if (length) {
    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { length.textContent = count(); }, 300);
    });
  }
})();
