// Desk enhancements. Every flow works without them: they only make losing work less likely.
//
// On the story form:
// - autosave: every few seconds, if anything changed, the fields (not the photo) are sent to
//   the server, which keeps them as a copy apart from the story and offers them back on the
//   form until the story is saved;
// - a warning before leaving the page with changes that were not saved to the story;
// - a question before a button marked `data-confirm` does its work (the steps that take
//   something away ask on a page of their own, which needs no script);
// - presence: the autosave, and a ping every half minute, tell the server this form is open and
//   answer who else has it open, shown at the top of the form; leaving the form says so;
// - on a published story, the warning that a new slug moves its address follows the field.
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
  var PING_MS = 30000;
  var presence = document.querySelector("[data-presence]");
  var csrfField = form.querySelector("input[name=csrf]");
  var csrf = csrfField ? csrfField.value : "";
  var slugField = form.querySelector("[name=slug]");
  var slugWarning = document.getElementById("slug-warning");

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

  // 204: nobody else has the form open; 200: `{"presence": "ann.lee is editing, ..."}`.
  function showPresence(response) {
    if (!presence) {
      return;
    }
    var show = function (text) {
      presence.textContent = text;
      presence.hidden = !text;
      presence.classList.toggle("notice", !!text);
    };
    if (response.status === 204) {
      show("");
    } else if (response.status === 200) {
      response.json().then(function (answer) {
        show(answer.presence || "");
      }).catch(function () {});
    }
  }

  function presenceBody(leaving) {
    var params = new URLSearchParams();
    params.append("csrf", csrf);
    params.append("story", story);
    if (leaving) {
      params.append("leave", "1");
    }
    return params;
  }

  function ping() {
    if (!story || inFlight) {
      return;
    }
    fetch("/desk/presence", {
      method: "POST",
      body: presenceBody(false),
      credentials: "same-origin",
      redirect: "manual"
    }).then(showPresence).catch(function () {});
  }

  // The time on the newsroom's clocks, as every other time on the desk is shown, not the
  // browser's own.
  var zone = form.getAttribute("data-time-zone") || "UTC";
  function clock() {
    var now = new Date();
    try {
      return now.toLocaleTimeString("en-GB", {
        timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false
      }) + " (" + zone + ")";
    } catch (e) {
      return now.toISOString().slice(11, 16) + " (UTC)";
    }
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
        if (response.status === 204 || response.status === 200) {
          showPresence(response);
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
  window.setInterval(ping, PING_MS);
  window.addEventListener("pagehide", function () {
    if (story && navigator.sendBeacon && !leaving) {
      navigator.sendBeacon("/desk/presence", presenceBody(true));
    }
  });
  if (slugField && slugWarning) {
    var liveSlug = slugWarning.getAttribute("data-live-slug");
    var followSlug = function () {
      var typed = slugField.value.trim();
      slugWarning.hidden = typed === "" || typed === liveSlug;
    };
    slugField.addEventListener("input", followSlug);
  }
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
