/* FINAGORA (variants): menu, cookie banner, small helpers shared by the pages. */
(function () {
  "use strict";
  var body = document.body;

  function csrf() { return body.getAttribute("data-csrf") || ""; }

  /* JSON calls of the extranet: the answer as {ok, status, data}. */
  function api(url, payload) {
    var options = {credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (payload !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf();
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function () {
      return {ok: false, status: 0,
              data: {error: "Le service est momentanément indisponible. Veuillez réessayer."}};
    });
  }

  function fromTemplate(id) {
    return document.getElementById(id).content.cloneNode(true);
  }

  function say(element, text) {
    if (!element) { return; }
    element.textContent = text || "";
    element.hidden = !text;
  }

  window.FG = {api: api, fromTemplate: fromTemplate, say: say};

  /* « Suivi d'activité »: a drop-down menu. */
  var menuButton = document.getElementById("fg-menu-suivi");
  if (menuButton) {
    var menu = document.getElementById("fg-menu-suivi-list");
    var setOpen = function (open) {
      menu.hidden = !open;
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    };
    menuButton.addEventListener("click", function (event) {
      event.stopPropagation();
      setOpen(menu.hidden);
      if (!menu.hidden) { menu.querySelector("a").focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target)) { setOpen(false); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !menu.hidden) { setOpen(false); menuButton.focus(); }
    });
  }

  /* Show / hide the password. */
  Array.prototype.forEach.call(document.querySelectorAll("[data-toggle-password]"), function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-toggle-password"));
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.setAttribute("aria-pressed", shown ? "false" : "true");
    });
  });

  /* Links and buttons that only answer in words. */
  Array.prototype.forEach.call(document.querySelectorAll("[data-words]"), function (element) {
    element.addEventListener("click", function (event) {
      event.preventDefault();
      var target = element.getAttribute("data-words-target");
      var where = target ? document.getElementById(target)
        : element.closest("section").querySelector(".fg-words");
      say(where, element.getAttribute("data-words"));
    });
  });

  /* The cookie banner: the consent manager loads its stylesheet after the page, then asks. */
  var cookieName = body.getAttribute("data-consent-cookie");
  var answered = document.cookie.split(";").some(function (part) {
    return part.trim().indexOf(cookieName + "=") === 0;
  });
  if (!answered) {
    window.addEventListener("load", function () {
      fetch(body.getAttribute("data-consent-css"), {credentials: "same-origin"})
        .then(function (response) { return response.text(); })
        .then(function (css) {
          var style = document.createElement("style");
          style.textContent = css;
          document.head.appendChild(style);
          var banner = fromTemplate("fg-consent-template");
          var root = banner.firstElementChild;
          body.appendChild(banner);
          Array.prototype.forEach.call(root.querySelectorAll("[data-consent]"), function (button) {
            button.addEventListener("click", function () {
              document.cookie = cookieName + "=" + button.getAttribute("data-consent") +
                "; path=" + body.getAttribute("data-consent-path") + "; max-age=15552000; SameSite=Lax";
              root.remove();
            });
          });
        });
    });
  }
})();
