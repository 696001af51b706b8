// Niceties only: every form works without this file.
(function () {
  // Like without a page reload, through the JSON API (cookie session + CSRF header).
  document.querySelectorAll("form.like").forEach(function (form) {
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
      input.setCustomValidity(input.value === "" || input.checkValidity() ? "" : input.title || "");
      input.classList.toggle("invalid", input.value !== "" && !new RegExp("^" + input.pattern + "$").test(input.value));
    });
  });
})();
