/* Behaviour every simulated portal shares: cookie banner, password eye, pop-up menus,
   and the CSRF-aware fetch helpers the key pages use. Vanilla JS, no network beyond the page. */
(function () {
  "use strict";

  var configNode = document.getElementById("sandbox-config");
  var config = configNode ? JSON.parse(configNode.textContent) : {};

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  /* ----- cookie banner ------------------------------------------------------------------
     Injected 300-600 ms after load as a full-screen overlay, like consent platforms do: until
     it is answered it sits above the page and takes every click. */
  function cookieBanner(consent) {
    var answered = readCookie(consent.cookie);
    if (answered) {
      document.documentElement.setAttribute("data-cookie-consent", answered);
      return;
    }
    function show() {
      var overlay = document.createElement("div");
      overlay.className = "cc-overlay";
      overlay.id = "cookie-banner";
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-modal", "true");
      overlay.setAttribute("aria-labelledby", "cc-title");
      overlay.setAttribute("data-shown-at", String(Math.round(performance.now())));
      var panel = document.createElement("div");
      panel.className = "cc-panel";
      var title = document.createElement("h2");
      title.id = "cc-title";
      title.textContent = consent.title;
      var text = document.createElement("p");
      text.textContent = consent.text;
      var actions = document.createElement("div");
      actions.className = "cc-actions";
      var refuse = document.createElement("button");
      refuse.type = "button";
      refuse.className = "cc-refuse";
      refuse.textContent = consent.refuse;
      var accept = document.createElement("button");
      accept.type = "button";
      accept.className = "cc-accept";
      accept.textContent = consent.accept;
      function answer(value) {
        var maxAge = 60 * 60 * 24 * 180;
        document.cookie = consent.cookie + "=" + value + "; path=" + consent.path +
          "; max-age=" + maxAge + "; SameSite=Lax";
        document.documentElement.setAttribute("data-cookie-consent", value);
        overlay.remove();
      }
      refuse.addEventListener("click", function () { answer("refused"); });
      accept.addEventListener("click", function () { answer("accepted"); });
      actions.appendChild(refuse);
      actions.appendChild(accept);
      panel.appendChild(title);
      panel.appendChild(text);
      panel.appendChild(actions);
      overlay.appendChild(panel);
      document.body.appendChild(overlay);
    }
    if (!consent.at_press) {
      setTimeout(show, 300 + Math.floor(Math.random() * 300));
      return;
    }
    // At the press on the element named so: the release then lands on the banner.
    document.addEventListener("pointerdown", function pressed(event) {
      var target = event.target.closest("a, button, [role]");
      if (!target || target.textContent.indexOf(consent.at_press) === -1) return;
      document.removeEventListener("pointerdown", pressed, true);
      show();
    }, true);
  }

  /* ----- "show password" eye buttons ----------------------------------------------------- */
  function passwordToggles() {
    var buttons = document.querySelectorAll("[data-password-toggle]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-password-toggle"));
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.setAttribute("aria-pressed", show ? "true" : "false");
        button.setAttribute("aria-label", show ? "Masquer le mot de passe" : "Afficher le mot de passe");
        button.title = button.getAttribute("aria-label");
      });
    });
  }

  /* ----- menus whose items exist only once opened -----------------------------------------
     The items live in a <template> (inert, invisible to locators) and are cloned into the DOM on
     open, removed on close, as component frameworks do. */
  function menus() {
    var buttons = document.querySelectorAll("[data-menu-template]");
    Array.prototype.forEach.call(buttons, function (button) {
      var template = document.getElementById(button.getAttribute("data-menu-template"));
      var menu = null;
      function close() {
        if (!menu) return;
        menu.remove();
        menu = null;
        button.setAttribute("aria-expanded", "false");
      }
      function open() {
        menu = document.createElement("ul");
        menu.setAttribute("role", "menu");
        menu.id = button.getAttribute("aria-controls");
        menu.className = "popup-menu " + (button.getAttribute("data-menu-class") || "");
        menu.setAttribute("aria-label", button.getAttribute("data-menu-label") || button.textContent.trim());
        menu.appendChild(template.content.cloneNode(true));
        button.insertAdjacentElement("afterend", menu);
        button.setAttribute("aria-expanded", "true");
      }
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        if (menu) close(); else open();
      });
      document.addEventListener("click", function (event) {
        if (menu && !menu.contains(event.target)) close();
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape") close();
      });
    });
  }

  /* ----- fetch helpers ------------------------------------------------------------------- */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function request(method, url, body) {
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    };
    if (method !== "GET") {
      init.headers["X-CSRF-Token"] = csrfToken();
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body || {});
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { error: "Le service est momentanément indisponible." } };
    });
  }

  window.Sandbox = {
    getJSON: function (url) { return request("GET", url); },
    postJSON: function (url, body) { return request("POST", url, body); }
  };

  function start() {
    passwordToggles();
    menus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  if (config.consent) {
    if (document.readyState === "complete") cookieBanner(config.consent);
    else window.addEventListener("load", function () { cookieBanner(config.consent); });
  }
})();
