/* Constructys (variants): a tarteaucitron-like consent bar at the bottom of the page. */
(function () {
  "use strict";
  var root = document.getElementById("cy-consent-root");
  function show() {
    if (!root || document.getElementById("tac-alert")) return;
    var bar = root.querySelector("template").content.firstElementChild.cloneNode(true);
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-details")) {
        var details = bar.querySelector(".cy-tac__details");
        details.hidden = !details.hidden;
        return;
      }
      document.cookie = root.dataset.cookie + "=" + button.dataset.answer + "; path=" +
        root.dataset.path + "; max-age=" + 60 * 60 * 24 * 365 + "; SameSite=Lax";
      bar.remove();
    });
    document.body.appendChild(bar);
  }
  window.cyConsent = {show: show};
  show();
}());
