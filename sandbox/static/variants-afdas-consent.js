/* Afdas consent bar (variants rendering): remembers the answer in the portal's consent cookie. */
(function () {
  "use strict";
  var node = document.getElementById("mya-config");
  if (!node) return;
  var consent = JSON.parse(node.textContent).consent;
  var already = document.cookie.split(";").some(function (part) {
    return part.trim().indexOf(consent.cookie + "=") === 0;
  });
  if (already) return;
  var bar = document.createElement("section");
  bar.className = "mya-cookies";
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", consent.title);
  var text = document.createElement("div");
  var title = document.createElement("p");
  var strong = document.createElement("strong");
  strong.textContent = consent.title;
  title.appendChild(strong);
  var body = document.createElement("p");
  body.textContent = consent.text;
  text.appendChild(title);
  text.appendChild(body);
  var actions = document.createElement("div");
  actions.className = "mya-actions";
  function answer(label, value, primary) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "mya-btn" + (primary ? " mya-btn-primary" : "");
    button.textContent = label;
    button.addEventListener("click", function () {
      document.cookie = consent.cookie + "=" + value + "; path=" + consent.path +
        "; max-age=" + 60 * 60 * 24 * 180 + "; SameSite=Lax";
      bar.remove();
    });
    return button;
  }
  actions.appendChild(answer(consent.refuse, "refused", false));
  actions.appendChild(answer(consent.accept, "accepted", true));
  bar.appendChild(text);
  bar.appendChild(actions);
  document.body.appendChild(bar);
})();
