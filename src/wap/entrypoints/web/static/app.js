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
          form.querySelector("button").innerHTML = (state.liked ? "♥" : "♡") + " <span>" + state.like_count + "</span>";
          form.querySelector("button").setAttribute("aria-pressed", state.liked ? "true" : "false");
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
