// Niceties only: every form works without this file.
(function () {
  // Like without a page reload, through the JSON API (cookie session + CSRF header).
  document.querySelectorAll("form.like").forEach(function (form) {
    // A toggle button: aria-pressed tells a screen reader whether the team is liked.
    var toggle = form.querySelector("button");
    if (toggle && !toggle.hasAttribute("aria-pressed")) {
      toggle.setAttribute("aria-pressed", form.querySelector("[name=like]").value === "0" ? "true" : "false");
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var like = form.querySelector("[name=like]");
      var csrf = form.querySelector("[name=csrf]").value;
      fetch("/api/v1/teams/" + form.dataset.team + "/like", {
        method: like.value === "1" ? "PUT" : "DELETE",
        headers: { "X-CSRF-Token": csrf },
        credentials: "same-origin",
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
        .then(function (state) {
          like.value = state.liked ? "0" : "1";
          var button = form.querySelector("button");
          button.setAttribute("aria-pressed", state.liked ? "true" : "false");
          button.querySelector("[data-heart]").textContent = state.liked ? "♥" : "♡";
          button.querySelector("[data-count]").textContent = String(state.like_count);
        })
        .catch(function () { form.submit(); });
    });
  });
  // Ask before destroying (no inline handlers: the CSP allows only this file).
  document.querySelectorAll("[data-confirm]").forEach(function (element) {
    var event = element.tagName === "FORM" ? "submit" : "click";
    element.addEventListener(event, function (e) {
      if (!window.confirm(element.dataset.confirm)) { e.preventDefault(); }
    });
  });
  // Inline validation: say what is wrong before the round trip.
  document.querySelectorAll("form[data-validate] input[pattern]").forEach(function (input) {
    input.addEventListener("input", function () {
      // Cleared first: a custom message makes checkValidity() false until it is cleared.
      input.setCustomValidity("");
      if (input.value !== "" && !input.checkValidity()) { input.setCustomValidity(input.title || ""); }
      input.classList.toggle("invalid", input.value !== "" && !new RegExp("^" + input.pattern + "$").test(input.value));
    });
  });
  // The slot editor: add and remove rows (without this file it shows a few empty rows).
  document.querySelectorAll("[data-slots]").forEach(function (editor) {
    var max = parseInt(editor.dataset.max, 10) || 18;
    function rows() { return editor.querySelectorAll("[data-slot-row]"); }
    function renumber() {
      rows().forEach(function (row, i) {
        row.querySelectorAll("[data-slot-number]").forEach(function (n) { n.textContent = String(i + 1); });
        row.querySelector("[data-slot-remove]").setAttribute("aria-label", editor.dataset.remove + " " + (i + 1));
      });
      add.disabled = rows().length >= max;
    }
    function withRemove(row) {
      var remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.slotRemove = "";
      remove.textContent = "−";
      remove.title = editor.dataset.remove;
      remove.addEventListener("click", function () {
        if (rows().length > 1) {
          row.remove();
        } else {
          row.querySelector("select").value = "";
          row.querySelector("input").value = "";
        }
        renumber();
      });
      row.appendChild(remove);
    }
    var add = document.createElement("button");
    add.type = "button";
    add.dataset.slotAdd = "";
    add.textContent = editor.dataset.add;
    add.addEventListener("click", function () {
      var last = rows()[rows().length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll(".field-error, [data-slot-remove]").forEach(function (e) { e.remove(); });
      row.querySelector("select").value = "";
      row.querySelector("input").value = "";
      withRemove(row);
      last.after(row);
      renumber();
      row.querySelector("select").focus();
    });
    rows().forEach(withRemove);
    editor.appendChild(add);
    renumber();
  });
  // The board: a filter applies as soon as it changes (the 찾기 button stays, for the search
  // box and for pages without this file).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
    });
  });
  // 더 보기: the next page's cards appended in place (without this file the link navigates);
  // focus moves to the first new card, so a keyboard user carries on from there.
  document.querySelectorAll("a[data-more]").forEach(function (more) {
    more.addEventListener("click", function (event) {
      var grid = document.querySelector("[data-cards]");
      if (!grid || !window.DOMParser) { return; }
      event.preventDefault();
      if (more.getAttribute("aria-busy") === "true") { return; }
      more.setAttribute("aria-busy", "true");
      fetch(more.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html");
          var first = null;
          next.querySelectorAll("[data-cards] > .card").forEach(function (card) {
            var added = document.importNode(card, true);
            grid.appendChild(added);
            first = first || added;
          });
          var further = next.querySelector("a[data-more]");
          if (further) {
            more.setAttribute("href", further.getAttribute("href"));
            more.removeAttribute("aria-busy");
          } else {
            more.parentNode.removeChild(more);
          }
          if (first) { first.querySelector(".card-link").focus(); }
        })
        .catch(function () { window.location.href = more.href; });
    });
  });
  // A form in steps (the sign-up form): Enter in a field presses that step's own button, not
  // the form's first one (without this file Enter anywhere asks for the e-mail code).
  document.querySelectorAll("form [data-step]").forEach(function (step) {
    var submit = step.querySelector("[data-step-submit]");
    if (!submit) { return; }
    step.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); submit.click(); }
      });
    });
  });
})();

// Live updates (Server-Sent Events, entrypoints/web/live.py): a team page's slot counts and
// the inbox badge follow changes without a reload. Without this file the pages stay plain.
(function () {
  if (!window.EventSource) {
    return;
  }
  var english = document.documentElement.lang === "en";

  function read(message) {
    try {
      return JSON.parse(message.data);
    } catch (error) {
      return null;
    }
  }

  var team = document.querySelector("[data-live-team]");
  if (team) {
    var hint = null;
    var showHint = function () {
      // A change the page cannot show by itself: offer to read it again.
      if (hint) {
        return;
      }
      hint = document.createElement("p");
      hint.className = "flash ok";
      hint.dataset.testid = "live-hint";
      hint.appendChild(document.createTextNode(english ? "This page has changed. " : "내용이 바뀌었습니다. "));
      var again = document.createElement("a");
      again.href = window.location.pathname;
      again.textContent = english ? "Reload" : "새로 고침";
      hint.appendChild(again);
      team.insertBefore(hint, team.firstChild);
    };
    var teamEvents = new EventSource("/live/teams/" + team.dataset.liveTeam);
    teamEvents.onmessage = function (message) {
      var event = read(message);
      if (!event) {
        return;
      }
      team.dataset.liveState = "on";
      if (event.type !== "slots") {
        showHint(); // gone (deleted), or a reload after missed events
        return;
      }
      var slots = {};
      event.slots.forEach(function (slot) { slots[slot.category] = slot; });
      var cells = team.querySelectorAll("[data-live-slot]");
      var structural = event.status !== team.dataset.liveStatus || cells.length !== event.slots.length;
      cells.forEach(function (cell) {
        var slot = slots[cell.dataset.liveSlot];
        if (!slot) {
          structural = true;
          return;
        }
        var before = cell.textContent;
        cell.textContent = slot.filled + "/" + slot.capacity;
        var row = cell.closest("tr");
        var apply = row ? row.querySelector("form.apply button") : null;
        if (apply && slot.filled >= slot.capacity) {
          apply.disabled = true; // full now; never enabled again here (the server decides)
        } else if (!apply && slot.filled < slot.capacity && before !== cell.textContent) {
          var wasFull = /^(\d+)\/(\d+)$/.exec(before);
          if (wasFull && Number(wasFull[1]) >= Number(wasFull[2])) {
            structural = true; // a place opened where the page offers no form
          }
        }
      });
      if (structural) {
        showHint();
      }
    };
  }

  var inbox = document.querySelector("[data-live-inbox]");
  if (inbox) {
    var inboxEvents = new EventSource("/live/me");
    inboxEvents.onmessage = function (message) {
      var event = read(message);
      if (!event || event.type !== "inbox") {
        return;
      }
      inbox.dataset.liveState = "on";
      var badge = inbox.querySelector(".badge");
      if (event.unread > 0) {
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "badge";
          badge.dataset.testid = "unread";
          inbox.appendChild(document.createTextNode(" "));
          inbox.appendChild(badge);
        }
        badge.textContent = String(event.unread);
      } else if (badge) {
        badge.remove();
      }
    };
  }
})();
