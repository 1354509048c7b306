/* OPCO Mobilités, "variants" rendering: the privacy banner, fetched after the page has loaded;
   the answer is kept in the portal's consent cookie for 13 months. */
(function () {
  "use strict";
  var node = document.getElementById("mob-page-config");
  if (!node) return;
  var consent = JSON.parse(node.textContent).consent;
  if (document.cookie.split(";").some(function (p) {
    return p.trim().indexOf(consent.cookie + "=") === 0;
  })) return;

  var box = document.createElement("section");
  box.className = "mob-consent";
  box.setAttribute("aria-label", consent.title);
  box.innerHTML =
    '<a href="#" class="mob-consent__skip" data-answer="refused"></a>' +
    '<p class="mob-consent__title"></p><p class="mob-consent__text"></p>' +
    '<div class="mob-consent__actions"><button type="button" class="mob-btn mob-btn--primary" ' +
    'data-answer="accepted"></button></div>';
  box.querySelector(".mob-consent__title").textContent = consent.title;
  box.querySelector(".mob-consent__text").textContent = consent.text;
  box.querySelector(".mob-consent__skip").textContent = consent.refuse + " →";
  box.querySelector('button[data-answer]').textContent = consent.accept;
  box.querySelectorAll("[data-answer]").forEach(function (element) {
    element.addEventListener("click", function (event) {
      event.preventDefault();
      document.cookie = consent.cookie + "=" + element.getAttribute("data-answer") +
        "; path=" + consent.path + "; max-age=" + (395 * 24 * 3600) + "; SameSite=Lax";
      box.remove();
    });
  });
  document.body.appendChild(box);
})();
