/* Web Services Partenaire: the top-right menu, and the cookie preferences once the page is up. */
(function () {
  "use strict";
  var button = document.getElementById("wsp-menu-button");
  var menu = document.getElementById("wsp-menu");
  if (button && menu) {
    var items = function () { return Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]")); };
    var setOpen = function (open) {
      menu.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      setOpen(menu.hidden);
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target)) setOpen(false);
    });
    menu.addEventListener("keydown", function (event) {
      var list = items(), index = list.indexOf(document.activeElement);
      if (event.key === "Escape") { setOpen(false); button.focus(); }
      if (event.key === "ArrowDown") { event.preventDefault(); list[(index + 1) % list.length].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); list[(index - 1 + list.length) % list.length].focus(); }
    });
  }

  // Cookie preferences: asked in a modal once the page (and its images) has finished loading.
  function consentSettings() {
    var node = document.getElementById("wsp-settings");
    return node ? JSON.parse(node.textContent).consent : null;
  }
  function askConsent() {
    var consent = consentSettings();
    if (!consent || typeof HTMLDialogElement === "undefined") return;
    var known = document.cookie.split(";").some(function (c) {
      return c.trim().indexOf(consent.cookie + "=") === 0;
    });
    if (known) return;
    var dialog = document.createElement("dialog");
    dialog.className = "wsp-consent";
    dialog.setAttribute("aria-labelledby", "wsp-consent-title");
    var title = document.createElement("h2");
    title.id = "wsp-consent-title";
    title.textContent = consent.title;
    var text = document.createElement("p");
    text.textContent = consent.text;
    var actions = document.createElement("div");
    actions.className = "wsp-consent-actions";
    [[consent.refuse, "refused", "wsp-btn wsp-btn-outline"],
     [consent.accept, "accepted", "wsp-btn wsp-btn-primary"]].forEach(function (choice) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = choice[2];
      b.textContent = choice[0];
      b.addEventListener("click", function () {
        document.cookie = consent.cookie + "=" + choice[1] + "; path=" + consent.path +
          "; max-age=" + 60 * 60 * 24 * 365 + "; SameSite=Lax";
        dialog.close();
        dialog.remove();
      });
      actions.appendChild(b);
    });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
    dialog.appendChild(title);
    dialog.appendChild(text);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    dialog.showModal();
  }
  // The preferences centre asks the server for its (cached) settings first, as the vendor's
  // widget does: the modal only shows once that answer is back.
  window.addEventListener("load", function () {
    var link = document.querySelector("link[rel=stylesheet]");
    fetch(link ? link.href : location.href, {credentials: "same-origin"})
      .then(askConsent, askConsent);
  });
})();
