/* OPCO EP cookie banner ("variants"): a dialog over a dimmed page (it takes the clicks until it
   is answered), shown once this script has been fetched after the page's load. */
(function () {
  "use strict";
  var template = document.getElementById("ep-consent");
  if (!template || document.querySelector(".ep-consent-backdrop")) return;
  var name = template.getAttribute("data-cookie");
  var path = template.getAttribute("data-path");
  var backdrop = template.content.firstElementChild.cloneNode(true);
  backdrop.querySelectorAll("[data-answer]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      event.preventDefault();
      var expires = new Date(Date.now() + 390 * 24 * 3600 * 1000).toUTCString();
      document.cookie = name + "=" + el.getAttribute("data-answer") + "; path=" + path +
        "; expires=" + expires + "; SameSite=Lax";
      backdrop.remove();
    });
  });
  document.body.appendChild(backdrop);
  var first = backdrop.querySelector("button");
  if (first) first.focus();
})();
