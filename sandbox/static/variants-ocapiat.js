/* Ocapiat, "variants" rendering: the profile chooser of « Mon espace », PartNet's key card, and
   the cookie banner's loader (the banner's own script is fetched once the page has loaded). */
(function () {
  "use strict";

  function config() {
    var node = document.getElementById("ocapiat-page-config");
    return node ? JSON.parse(node.textContent) : null;
  }

  function hasCookie(name) {
    return document.cookie.split(";").some(function (part) {
      return part.trim().indexOf(name + "=") === 0;
    });
  }

  window.addEventListener("load", function () {
    var cfg = config();
    if (!cfg || hasCookie(cfg.consent.cookie)) return;
    var script = document.createElement("script");
    script.src = document.body.getAttribute("data-consent-script");
    script.async = true;
    document.body.appendChild(script);
  });

  /* ----- Mon espace OCAPIAT: the extranets of the chosen profile ------------------------- */
  function profiles() {
    var radios = document.querySelectorAll('input[name="profil"]');
    if (!radios.length) return;
    var hint = document.querySelector("[data-profil-hint]");
    function update() {
      var chosen = document.querySelector('input[name="profil"]:checked');
      document.querySelectorAll("[data-profil]").forEach(function (section) {
        section.hidden = !chosen || section.getAttribute("data-profil") !== chosen.value;
      });
      document.querySelectorAll(".ocp-profile").forEach(function (card) {
        card.classList.toggle("is-checked", card.querySelector("input").checked);
      });
      if (hint) hint.hidden = !!chosen;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  /* ----- Interfaçage OCAPIAT: show or generate the key ----------------------------------- */
  function keyCard() {
    var card = document.querySelector(".ocp-keycard");
    if (!card) return;
    var zone = document.getElementById("ocp-cle-zone");
    var showButton = document.getElementById("ocp-afficher");
    var generateButton = document.getElementById("ocp-generer");
    var lifetime = document.getElementById("ocp-duree");
    var token = document.querySelector('meta[name="csrf-token"]').content;
    var busy = false;

    function fromTemplate(id) {
      return document.getElementById(id).content.cloneNode(true);
    }

    function setBusy(value, template) {
      busy = value;
      showButton.setAttribute("aria-disabled", value ? "true" : "false");
      generateButton.disabled = value;
      card.setAttribute("aria-busy", value ? "true" : "false");
      if (value) {
        zone.replaceChildren(fromTemplate(template));
      }
    }

    function showError(text) {
      var node = fromTemplate("ocp-tpl-erreur");
      node.querySelector("[data-erreur]").textContent = text;
      zone.replaceChildren(node);
    }

    function showKey(data) {
      var node = fromTemplate("ocp-tpl-cle");
      node.querySelector("[data-cle]").textContent = data.cle;
      node.querySelector("[data-expiration]").textContent = data.expiration || "";
      if (data.message) {
        var message = node.querySelector("[data-message]");
        message.textContent = data.message;
        message.hidden = false;
      }
      zone.replaceChildren(node);
    }

    function post(url, body, template) {
      if (busy) return;
      setBusy(true, template);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRF-Token": token},
        body: JSON.stringify(body || {})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return {ok: response.ok, data: data};
        });
      }).then(function (answer) {
        setBusy(false);
        if (answer.ok && answer.data.cle) showKey(answer.data);
        else showError(answer.data.error || "Le service est momentanément indisponible.");
      }, function () {
        setBusy(false);
        showError("Le service est momentanément indisponible. Veuillez réessayer.");
      });
    }

    function show() {
      if (showButton.getAttribute("aria-disabled") === "true") return;
      post(card.getAttribute("data-show-url"), {}, "ocp-tpl-attente-afficher");
    }
    showButton.addEventListener("click", show);
    showButton.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        show();
      }
    });
    generateButton.addEventListener("click", function () {
      post(card.getAttribute("data-generate-url"), {duree: lifetime.value},
           "ocp-tpl-attente-generer");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    profiles();
    keyCard();
  });
})();
