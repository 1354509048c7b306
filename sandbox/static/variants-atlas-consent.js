/* myAtlas cookie banner ("variants"): a bar at the bottom of the page, shown once this script has
   been fetched after the page's load; the answer is kept in the portal's consent cookie. */
(function () {
  "use strict";
  var template = document.getElementById("va-consent");
  if (!template || document.querySelector(".va-consent")) return;
  var name = template.getAttribute("data-cookie");
  var path = template.getAttribute("data-path");
  var banner = template.content.firstElementChild.cloneNode(true);
  banner.querySelectorAll("[data-answer]").forEach(function (button) {
    button.addEventListener("click", function () {
      var expires = new Date(Date.now() + 180 * 24 * 3600 * 1000).toUTCString();
      document.cookie = name + "=" + button.getAttribute("data-answer") + "; path=" + path +
        "; expires=" + expires + "; SameSite=Lax";
      banner.remove();
    });
  });
  document.body.appendChild(banner);
})();
