/* O2S (variants): cookie bar, login button, the aggregation request module. */
(function () {
  "use strict";
  var body = document.body;

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  /* Login: the « Connexion » control is not a form button. */
  var loginForm = document.getElementById("hv-login-form");
  if (loginForm) {
    var submit = loginForm.querySelector("[data-submit]");
    var send = function () {
      if (submit.getAttribute("aria-disabled") === "true") { return; }
      submit.setAttribute("aria-disabled", "true");
      loginForm.submit();
    };
    submit.addEventListener("click", send);
    submit.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); send(); }
    });
    each("input", function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); send(); }
      });
    }, loginForm);
  }

  /* Links that only answer in words. */
  each("[data-words]", function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var where = document.querySelector(".hv-words");
      if (where) { where.textContent = link.getAttribute("data-words"); }
    });
  });

  /* The aggregation module. */
  var module = document.getElementById("hv-agregation");
  if (module) {
    var form = document.getElementById("nouvelle-demande");
    var opener = document.getElementById("hv-new");
    var message = document.getElementById("hv-message");
    var error = document.getElementById("hv-error");
    var dialog = document.getElementById("hv-delete-dialog");
    var target = null;

    var showForm = function (open) {
      form.hidden = !open;
      opener.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { form.querySelector("input[name=codeApporteur]").focus(); }
    };
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      showForm(true);
    });
    form.querySelector("[data-close-form]").addEventListener("click", function (event) {
      event.preventDefault();
      showForm(false);
    });
    form.addEventListener("submit", function () {
      form.querySelector("button[type=submit]").disabled = true;  // no second request
    });

    var say = function (ok, text) {
      message.hidden = !ok;
      error.hidden = ok;
      (ok ? message : error).textContent = text;
    };

    each("[data-delete]", function (button) {
      button.addEventListener("click", function () {
        target = button.closest("tr");
        document.getElementById("hv-delete-text").textContent =
          module.getAttribute("data-delete-text").replace("{code}", target.getAttribute("data-code"));
        dialog.showModal();
      });
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", function () {
      target = null;
      dialog.close();
    });
    dialog.querySelector("[data-confirm]").addEventListener("click", function () {
      var row = target;
      dialog.close();
      if (!row) { return; }
      message.hidden = false;
      error.hidden = true;
      message.innerHTML = "";
      message.appendChild(document.getElementById("hv-tpl-working").content.cloneNode(true));
      fetch(module.getAttribute("data-api-delete"), {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRF-Token": body.getAttribute("data-csrf")},
        body: JSON.stringify({id: row.getAttribute("data-id")})
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (answer) {
        if (!answer.ok) { say(false, answer.data.error); return; }
        say(true, answer.data.message);
        var tbody = row.parentNode;
        row.remove();
        if (!tbody.children.length) {
          tbody.closest("table").remove();
          module.querySelector(".hv-empty").hidden = false;
        }
      }, function () {
        say(false, "O2S ne répond pas. Veuillez réessayer dans quelques instants.");
      });
    });
  }

  /* Cookies: the bar comes once the consent module has loaded. */
  var cookieName = body.getAttribute("data-consent-cookie");
  var known = document.cookie.split(";").some(function (part) {
    return part.trim().indexOf(cookieName + "=") === 0;
  });
  if (!known) {
    window.addEventListener("load", function () {
      fetch(body.getAttribute("data-consent-loader"), {credentials: "same-origin"})
        .then(function (response) { return response.text(); })
        .then(function (css) {
          var style = document.createElement("style");
          style.textContent = css;
          document.head.appendChild(style);
          body.appendChild(document.getElementById("hv-consent-template").content.cloneNode(true));
          var bar = body.querySelector(".hv-consent");
          each("[data-consent]", function (choice) {
            choice.addEventListener("click", function (event) {
              event.preventDefault();
              document.cookie = cookieName + "=" + choice.getAttribute("data-consent") +
                "; path=" + body.getAttribute("data-consent-path") + "; max-age=33696000; SameSite=Lax";
              bar.remove();
            });
          }, bar);
        });
    });
  }
})();
