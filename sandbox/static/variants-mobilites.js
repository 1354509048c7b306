/* OPCO Mobilités, "variants" rendering: the call-to-action « button », the password eye, the
   key pop-in of M-Gestion CFA, and the cookie banner's loader (its script comes after load). */
(function () {
  "use strict";

  function hasCookie(name) {
    return document.cookie.split(";").some(function (part) {
      return part.trim().indexOf(name + "=") === 0;
    });
  }

  window.addEventListener("load", function () {
    var node = document.getElementById("mob-page-config");
    if (!node || hasCookie(JSON.parse(node.textContent).consent.cookie)) return;
    var script = document.createElement("script");
    script.src = document.body.getAttribute("data-consent-script");
    script.async = true;
    document.body.appendChild(script);
  });

  function onActivate(element, action) {
    element.addEventListener("click", action);
    element.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        action(event);
      }
    });
  }

  function links() {
    document.querySelectorAll('[role="button"][data-href]').forEach(function (element) {
      onActivate(element, function () { window.location.assign(element.getAttribute("data-href")); });
    });
  }

  function passwordEyes() {
    document.querySelectorAll("[data-toggle-password]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-toggle-password"));
      button.addEventListener("click", function () {
        var shown = field.type === "text";
        field.type = shown ? "password" : "text";
        button.setAttribute("aria-pressed", shown ? "false" : "true");
      });
    });
  }

  function keyPopIn() {
    var card = document.querySelector(".mob-keygen");
    if (!card) return;
    var button = document.getElementById("mob-generer");
    var siret = document.getElementById("mob-siret");
    var error = document.getElementById("mob-keygen-error");
    var wait = document.getElementById("mob-keygen-wait");
    var dialog = document.getElementById("mob-cle-dialog");
    var token = document.querySelector('meta[name="csrf-token"]').content;

    dialog.querySelector("[data-close]").addEventListener("click", function () {
      dialog.close();
      // The key is shown once: it leaves the page with its pop-in.
      dialog.querySelector("[data-cle]").textContent = "";
    });

    function fail(text) {
      error.textContent = text;
      error.hidden = false;
    }

    button.addEventListener("click", function () {
      if (button.disabled) return;
      error.hidden = true;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      wait.hidden = false;
      fetch(card.getAttribute("data-generate-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRF-Token": token},
        body: JSON.stringify({siret: siret.value.replace(/\s+/g, "")})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return {ok: response.ok, data: data};
        });
      }).then(function (answer) {
        if (answer.ok && answer.data.cle) {
          dialog.querySelector("[data-cle]").textContent = answer.data.cle;
          dialog.querySelector("[data-siret]").textContent = answer.data.siret || "";
          dialog.querySelector("[data-expiration]").textContent = answer.data.expiration || "";
          dialog.showModal();
        } else {
          fail(answer.data.error || "Une erreur est survenue. Veuillez réessayer.");
        }
      }, function () {
        fail("Le service est momentanément indisponible. Veuillez réessayer.");
      }).then(function () {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        wait.hidden = true;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    links();
    passwordEyes();
    keyPopIn();
  });
})();
