/* Plateforme CFA – OPCO Santé: the cookie manager, started once everything else has loaded. */
(function () {
  "use strict";
  function start() {
    var raw = document.body.getAttribute("data-consent");
    if (!raw) return;
    var consent = JSON.parse(raw);
    if (document.cookie.split(";").some(function (c) { return c.trim().indexOf(consent.cookie + "=") === 0; })) {
      return;
    }
    var box = document.createElement("div");
    box.id = "pfc-cookies";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", consent.title);
    var text = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = consent.title + " — ";
    text.appendChild(strong);
    text.appendChild(document.createTextNode(consent.text));
    box.appendChild(text);
    function choice(label, value, main) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (main) b.className = "pfc-ok";
      b.addEventListener("click", function () {
        document.cookie = consent.cookie + "=" + value + "; path=" + consent.path +
          "; max-age=" + 60 * 60 * 24 * 395 + "; SameSite=Lax";
        box.remove();
      });
      return b;
    }
    box.appendChild(choice(consent.accept, "accepted", true));
    box.appendChild(choice(consent.refuse, "refused", false));
    document.body.appendChild(box);
  }
  // Like tarteaucitron, the manager waits for the window's load, then for its own language file.
  window.addEventListener("load", function () {
    var css = document.querySelector("link[rel=stylesheet]");
    fetch(css ? css.href : location.href, {credentials: "same-origin"}).then(start, start);
  });
})();
