/* Ocapiat, "variants" rendering: the cookie banner (loaded after the page, like a consent
   manager's script); the answer is kept in the portal's consent cookie for 6 months. */
(function () {
  "use strict";
  var node = document.getElementById("ocapiat-page-config");
  if (!node) return;
  var consent = JSON.parse(node.textContent).consent;
  if (document.cookie.split(";").some(function (p) {
    return p.trim().indexOf(consent.cookie + "=") === 0;
  })) return;

  var banner = document.createElement("div");
  banner.className = "ocp-consent";
  banner.setAttribute("role", "dialog");
  banner.setAttribute("aria-labelledby", "ocp-consent-title");
  var title = document.createElement("p");
  title.id = "ocp-consent-title";
  title.className = "ocp-consent__title";
  title.textContent = consent.title;
  var text = document.createElement("p");
  text.textContent = consent.text;
  var actions = document.createElement("div");
  actions.className = "ocp-consent__actions";

  function answer(value) {
    document.cookie = consent.cookie + "=" + value + "; path=" + consent.path +
      "; max-age=" + (183 * 24 * 3600) + "; SameSite=Lax";
    banner.remove();
  }
  [[consent.refuse, "refused", "ocp-btn"], [consent.accept, "accepted", "ocp-btn ocp-btn--primary"]]
    .forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = choice[2];
      button.textContent = choice[0];
      button.addEventListener("click", function () { answer(choice[1]); });
      actions.appendChild(button);
    });
  banner.append(title, text, actions);
  document.body.appendChild(banner);
})();
