/* OPCO 2i (variants): the consent banner, put in the page by the tag manager after load. */
(function () {
  "use strict";
  var body = document.body;
  var template = document.getElementById("o2i-consent-template");
  if (!template || document.querySelector(".o2i-consent")) return;
  var banner = template.content.firstElementChild.cloneNode(true);
  banner.addEventListener("click", function (event) {
    var answer = event.target.closest("[data-consent-answer]");
    if (answer) {
      document.cookie = body.dataset.consentCookie + "=" + answer.dataset.consentAnswer +
        "; path=" + body.dataset.consentPath + "; max-age=" + 60 * 60 * 24 * 180 + "; SameSite=Lax";
      banner.remove();
      return;
    }
    if (event.target.closest("[data-consent-manage], [data-consent-more]")) {
      event.preventDefault();
      var more = banner.querySelector(".o2i-consent__more");
      more.hidden = !more.hidden;
    }
  });
  body.prepend(banner);
}());
