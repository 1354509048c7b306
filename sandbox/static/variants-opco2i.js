/* OPCO 2i (variants): the site's, the form's and the secret-sharing page's behaviour. Every word
   shown comes from the page itself (its <template>s and data- attributes). */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function readCookie(name) {
    return document.cookie.split(";").some(function (part) {
      return part.trim().indexOf(name + "=") === 0;
    });
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRF-Token": csrfToken()},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, data: data};
      });
    });
  }

  function fromTemplate(id) {
    var template = document.getElementById(id);
    return template ? template.content.firstElementChild.cloneNode(true) : null;
  }

  /* ----- cookie banner: the tag manager's script is fetched once the page has loaded ----- */
  window.addEventListener("load", function () {
    var body = document.body;
    if (!body.dataset.consentCookie || readCookie(body.dataset.consentCookie)) return;
    var script = document.createElement("script");
    script.src = body.dataset.consentScript;
    script.async = true;
    document.head.appendChild(script);
  });

  /* ----- the form: answers sent as JSON, messages placed under the questions ----- */
  function initForm() {
    var form = document.getElementById("o2i-form");
    if (!form) return;
    var submit = form.querySelector(".o2i-submit");
    var spinner = form.querySelector(".o2i-spinner");
    var status = form.querySelector(".o2i-form-status");

    function clearErrors() {
      form.querySelectorAll(".o2i-q").forEach(function (box) {
        box.classList.remove("o2i-q--error");
        box.querySelector(".o2i-q__input").removeAttribute("aria-invalid");
        var error = box.querySelector(".o2i-q__error");
        error.hidden = true;
        error.querySelector(".o2i-q__error-text").textContent = "";
      });
      status.hidden = true;
      status.textContent = "";
    }

    function showErrors(errors) {
      var first = null;
      form.querySelectorAll(".o2i-q").forEach(function (box) {
        var message = errors[box.dataset.field];
        if (!message) return;
        box.classList.add("o2i-q--error");
        var input = box.querySelector(".o2i-q__input");
        input.setAttribute("aria-invalid", "true");
        var error = box.querySelector(".o2i-q__error");
        error.querySelector(".o2i-q__error-text").textContent = message;
        error.hidden = false;
        if (!first) first = input;
      });
      if (first) first.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      form.querySelectorAll(".o2i-q__input").forEach(function (input) {
        answers[input.name] = input.value;
      });
      clearErrors();
      submit.disabled = true;
      spinner.hidden = false;
      postJson(form.dataset.api, answers).then(function (result) {
        if (result.status === 200) {
          var area = document.getElementById("o2i-form-area");
          var thanks = fromTemplate("o2i-thanks-template");
          area.replaceChildren(thanks);
          window.scrollTo(0, 0);
          return;
        }
        if (result.status === 422 && result.data.errors) {
          showErrors(result.data.errors);
        } else {
          status.textContent = result.data.error || form.dataset.failed;
          status.hidden = false;
        }
      }).catch(function () {
        status.textContent = form.dataset.failed;
        status.hidden = false;
      }).finally(function () {
        submit.disabled = false;
        spinner.hidden = true;
      });
    });
  }

  /* ----- the one-time secret ----- */
  function copyFrom(button) {
    var input = document.querySelector(button.dataset.copy);
    var said = button.closest(".o2i-vault__shown").querySelector(".o2i-vault__copied");
    function done() { said.textContent = said.dataset.copied; }
    function fallback() {
      input.focus();
      input.select();
      try { document.execCommand("copy"); } catch (e) { /* the value stays selected */ }
      done();
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  function initSecret() {
    var card = document.getElementById("o2i-secret");
    if (!card) return;
    card.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy]");
      if (button) copyFrom(button);
    });
    var reveal = card.querySelector(".o2i-vault__reveal");
    if (!reveal) return;
    reveal.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = reveal.querySelector("button");
      var busy = card.querySelector(".o2i-vault__busy");
      button.disabled = true;
      busy.hidden = false;
      postJson(card.dataset.api).then(function (result) {
        if (result.status === 200 && result.data.motDePasse) {
          var shown = fromTemplate("o2i-shown-template");
          shown.querySelector("input").value = result.data.motDePasse;
          document.getElementById("o2i-slot").replaceChildren(shown);
          return;
        }
        var gone = fromTemplate("o2i-gone-template");
        if (result.data.error) gone.querySelector("p").textContent = result.data.error;
        card.replaceChildren(gone);
      }).catch(function () {
        busy.hidden = true;
        button.disabled = false;
      });
    });
  }

  var page = document.body.dataset.page;
  if (page === "form") initForm();
  if (page === "secret") initSecret();
}());
